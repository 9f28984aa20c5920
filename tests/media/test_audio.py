"""A clip's sound as the speech analysis hears it (16 kHz mono) and as the waveform lane draws it."""

import json
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from vib.media.audio import SAMPLE_RATE, loudness_envelope, read_speech_audio
from vib.media.errors import MediaError
from vib.media.synth import ClipSpec, make_clip

DATA = Path(__file__).resolve().parent.parent / "data"


def sine(seconds: float, rms_dbfs: float, hz: float = 440.0, rate: int = SAMPLE_RATE) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    peak = np.sqrt(2) * 10 ** (rms_dbfs / 20)
    return (peak * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def write_stereo_aac(path: Path, left: np.ndarray, right: np.ndarray, rate: int = 48000) -> None:
    with av.open(str(path), "w") as out:
        stream = out.add_stream("aac", rate=rate)
        stream.layout = "stereo"
        size = stream.codec_context.frame_size or 1024
        for start in range(0, len(left), size):
            chunk = np.stack([left[start : start + size], right[start : start + size]]).astype(np.float32)
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate, frame.pts, frame.time_base = rate, start, Fraction(1, rate)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


# --- reading ------------------------------------------------------------------------------------


def test_a_recording_is_read_as_16_khz_mono_floats_of_its_whole_length():
    samples = read_speech_audio(DATA / "conversation.ogg")
    truth = json.loads((DATA / "conversation.json").read_text())
    assert samples.dtype == np.float32 and samples.ndim == 1
    assert np.abs(samples).max() <= 1.0
    # The conversation was made as its last speech plus one second of room.
    assert abs(len(samples) / SAMPLE_RATE - (truth["speech"][-1]["end_ms"] / 1000 + 1)) < 0.05


def test_a_48_khz_stereo_track_becomes_mono_at_16_khz_keeping_pitch_and_level(tmp_path):
    path = tmp_path / "stereo.m4a"
    tone = sine(2.0, -20, hz=440, rate=48000)
    write_stereo_aac(path, tone, tone)
    samples = read_speech_audio(path)
    assert abs(len(samples) - 2 * SAMPLE_RATE) < SAMPLE_RATE * 0.05
    middle = samples[SAMPLE_RATE // 2 : SAMPLE_RATE * 3 // 2]
    spectrum = np.abs(np.fft.rfft(middle))
    assert abs(np.fft.rfftfreq(len(middle), 1 / SAMPLE_RATE)[spectrum.argmax()] - 440) <= 2
    assert 20 * np.log10(np.sqrt(np.mean(middle**2))) == pytest.approx(-20, abs=1)


def test_the_sound_of_a_video_is_read(tmp_path):
    path = tmp_path / "with_sound.mp4"
    make_clip(path, ClipSpec(seconds=2, audio=True))
    samples = read_speech_audio(path)
    assert abs(len(samples) / SAMPLE_RATE - 2.0) < 0.1
    assert np.abs(samples).max() > 0.01


def test_sound_that_starts_after_the_first_picture_keeps_its_place_on_the_clip(tmp_path):
    # A phone may start recording sound a little after the picture: times in the sound must be times
    # on the clip's frames, so the sound is read from the video's start with silence before it.
    path = tmp_path / "late_sound.mp4"
    rate, late = 48000, 0.5
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=25)
        video.width, video.height, video.pix_fmt = 64, 64, "yuv420p"
        audio = out.add_stream("aac", rate=rate)
        audio.layout = "mono"
        for index in range(50):
            frame = av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="bgr24")
            frame.pts = index
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        tone, size = sine(1.0, -20, rate=rate), audio.codec_context.frame_size or 1024
        for start in range(0, len(tone), size):
            frame = av.AudioFrame.from_ndarray(tone[None, start : start + size], format="fltp", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = rate, round(late * rate) + start, Fraction(1, rate)
            out.mux(audio.encode(frame))
        out.mux(audio.encode(None))
    samples = read_speech_audio(path)
    loud = np.flatnonzero(np.abs(samples) > 0.05)
    assert abs(loud[0] / SAMPLE_RATE - late) < 0.05
    assert abs(len(samples) / SAMPLE_RATE - (late + 1.0)) < 0.1


def test_a_video_without_sound_has_no_speech_audio(tmp_path):
    path = tmp_path / "silent_film.mp4"
    make_clip(path, ClipSpec(seconds=1, audio=False))
    assert read_speech_audio(path) is None


@pytest.mark.parametrize("content", [b"", b"Dear family,\n" * 500, np.random.default_rng(3).bytes(50_000)])
def test_a_file_that_is_not_media_is_a_media_error(tmp_path, content):
    path = tmp_path / "letter.mp4"
    path.write_bytes(content)
    with pytest.raises(MediaError):
        read_speech_audio(path)


# --- the waveform lane --------------------------------------------------------------------------


def test_the_envelope_has_one_value_per_20_ms_the_last_shorter_step_included():
    assert len(loudness_envelope(np.zeros(SAMPLE_RATE, dtype=np.float32))) == 50
    assert len(loudness_envelope(np.zeros(SAMPLE_RATE + 1, dtype=np.float32))) == 51
    assert len(loudness_envelope(np.zeros(0, dtype=np.float32))) == 0
    assert len(loudness_envelope(np.zeros(48000, dtype=np.float32), sample_rate=48000, step_ms=40)) == 25


def test_the_envelope_maps_minus_60_to_0_dbfs_onto_0_to_100():
    envelope = loudness_envelope(sine(1.0, -20))
    assert envelope.dtype == np.uint8
    assert set(envelope.tolist()) <= {66, 67}  # (-20 + 60) / 60 = 66.7 %
    assert set(loudness_envelope(sine(1.0, -60)).tolist()) <= {0, 1}
    assert set(loudness_envelope(np.zeros(SAMPLE_RATE, dtype=np.float32)).tolist()) == {0}
    assert set(loudness_envelope(np.ones(SAMPLE_RATE, dtype=np.float32)).tolist()) == {100}  # full scale


def test_the_envelope_follows_the_sound_step_by_step():
    quiet, loud = sine(0.2, -50), sine(0.2, -10)
    envelope = loudness_envelope(np.concatenate([quiet, loud, quiet]))
    assert envelope[:10].max() < 20 and envelope[10:20].min() > 80 and envelope[20:].max() < 20
