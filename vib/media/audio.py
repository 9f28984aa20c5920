"""A clip's sound, as the speech analysis and the timeline's waveform lane need it.

Speech detectors and voice features work on 16 kHz mono: telephone-band speech is all there, and a
tenth of a 48 kHz stereo track is quick to hold and to look at.
"""

from __future__ import annotations

import os

import av
import numpy as np

from vib.media.errors import MediaError

SAMPLE_RATE = 16000
# The waveform lane's scale: quieter than this draws nothing, 0 dBFS (full scale) draws the full height.
QUIET_DBFS = -60.0


def read_speech_audio(path: str | os.PathLike) -> np.ndarray | None:
    """The first audio stream, decoded and resampled to 16 kHz mono float32 in [-1, 1].

    None when the file has no audio stream: a silent clip is not an error, it just has nothing to hear.
    A file that cannot be opened or whose sound cannot be decoded raises MediaError. Sample 0 is at the
    video's start (its stream's start_time, where vib.media.frames counts frames from), so that times
    in the sound are times on the clip's frames: sound that starts later is preceded by silence, sound
    before the first picture is cut off. Without video, sample 0 is the first decoded sample.
    """
    try:
        container = av.open(str(path))
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise MediaError("not_video", str(exc)) from exc
    with container:
        if not container.streams.audio:
            return None
        stream = container.streams.audio[0]
        stream.thread_type = "AUTO"
        video = container.streams.video[0] if container.streams.video else None
        video_start = float((video.start_time or 0) * video.time_base) if video is not None and video.time_base else None
        first_time: float | None = None
        # Channels are averaged here, not by the resampler: FFmpeg's downmix adds them at -3 dB each,
        # which makes a stereo recording of one voice 3 dB louder than it is (and can clip it).
        # Out in one-second frames: turning many small frames into arrays costs more than the decoding.
        resampler = av.AudioResampler(format="fltp", rate=SAMPLE_RATE, frame_size=SAMPLE_RATE)
        parts: list[np.ndarray] = []
        try:
            for frame in container.decode(stream):
                if first_time is None:
                    first_time = frame.time
                frame.pts = None  # the resampler keeps its own clock: gaps in the stamps are not ours to fill
                parts.extend(piece.to_ndarray().mean(axis=0) for piece in resampler.resample(frame))
            parts.extend(piece.to_ndarray().mean(axis=0) for piece in resampler.resample(None))
        except (av.FFmpegError, ValueError) as exc:
            raise MediaError("undecodable", str(exc)) from exc
    if not parts:
        return np.zeros(0, dtype=np.float32)
    samples = np.concatenate(parts).astype(np.float32, copy=False)
    if video_start is not None and first_time is not None:
        lead = round((first_time - video_start) * SAMPLE_RATE)
        samples = np.concatenate([np.zeros(lead, dtype=np.float32), samples]) if lead > 0 else samples[-lead:]
    return np.clip(samples, -1.0, 1.0, out=samples)


def loudness_envelope(samples: np.ndarray, sample_rate: int = SAMPLE_RATE, step_ms: int = 20) -> np.ndarray:
    """Loudness per step_ms as 0..100 (uint8): RMS in dBFS mapped linearly from -60 (0) to 0 (100).

    Decibels, not raw amplitude, because a quiet client and a loud worker should both be visible in
    the lane; the last, shorter step counts too.
    """
    step = max(1, round(sample_rate * step_ms / 1000))
    count = -(-len(samples) // step)
    if count == 0:
        return np.zeros(0, dtype=np.uint8)
    padded = np.zeros(count * step, dtype=np.float64)
    padded[: len(samples)] = samples
    squares = (padded.reshape(count, step) ** 2).sum(axis=1)
    lengths = np.full(count, step, dtype=np.float64)
    lengths[-1] = len(samples) - (count - 1) * step
    rms = np.sqrt(squares / lengths)
    dbfs = 20 * np.log10(np.maximum(rms, 1e-10))
    level = (dbfs - QUIET_DBFS) / -QUIET_DBFS * 100
    return np.clip(np.round(level), 0, 100).astype(np.uint8)
