"""What a file holds, checked by content (never by its name), before vib accepts it as a clip."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from fractions import Fraction
from statistics import median

import av

from vib.media.errors import MediaError

# Frame durations that differ more than this from the median make a clip variable-frame-rate.
_VFR_TOLERANCE = 0.1
# A file whose packets end this much short of the duration its header declares was cut off.
_TRUNCATION_TOLERANCE = 0.05


@dataclass(frozen=True)
class ClipFacts:
    duration_ms: int
    width: int  # as displayed: after rotation
    height: int
    rotation: int  # display rotation, degrees counter-clockwise (0, 90, 180, 270)
    fps: float  # average frames per second
    variable_frame_rate: bool
    video_codec: str
    audio_codec: str | None
    has_audio: bool
    frame_count: int
    pix_fmt: str | None

    def as_dict(self) -> dict:
        return asdict(self)


def probe(path: str | os.PathLike) -> ClipFacts:
    """Open, demux and decode enough of a file to know it is a whole, playable video.

    Raises MediaError for an empty file, a file that is not a video, an audio-only file, a truncated
    file and one whose pictures cannot be decoded. Demuxing reads every packet once (no decoding),
    which is what finds a file that was cut off.
    """
    if os.path.getsize(path) == 0:
        raise MediaError("empty")
    try:
        container = av.open(str(path))
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise MediaError("not_video", str(exc)) from exc
    with container:
        if not container.streams.video:
            raise MediaError("audio_only" if container.streams.audio else "not_video")
        video = container.streams.video[0]
        if video.codec_context is None or not video.codec_context.name:
            raise MediaError("unsupported", "no decoder")
        audio = container.streams.audio[0] if container.streams.audio else None
        pts, end_seconds = _read_packets(container, video)
        if len(pts) < 1:
            raise MediaError("undecodable", "no video packets")
        if video.frames and len(pts) < video.frames:
            raise MediaError("truncated", f"{len(pts)} of {video.frames} frames present")
        declared = container.duration / 1_000_000 if container.duration else None
        if declared and end_seconds < declared * (1 - _TRUNCATION_TOLERANCE) - 0.5:
            raise MediaError("truncated", f"packets end at {end_seconds:.1f} s of {declared:.1f} s")
        first = _first_frame(container, video)
        _check_last_frames_decode(container, video, pts)
        rotation = round((first.rotation or 0) / 90) % 4 * 90
        durations = _frame_durations(pts, video)
        duration = sum(durations, Fraction(0)) if durations else Fraction(0)
        width, height = first.width, first.height
        if rotation % 180:
            width, height = height, width
        return ClipFacts(
            duration_ms=int(duration * 1000),
            width=width,
            height=height,
            rotation=rotation,
            fps=round(float(len(pts) / duration), 3) if duration else 0.0,
            variable_frame_rate=_is_variable(durations),
            video_codec=video.codec_context.name,
            audio_codec=audio.codec_context.name if audio is not None and audio.codec_context else None,
            has_audio=audio is not None,
            frame_count=len(pts),
            pix_fmt=video.codec_context.pix_fmt,
        )


def _read_packets(container, video) -> tuple[list[int], float]:
    """The video packets' presentation times, and where the last packet of any stream ends (s)."""
    times: list[int] = []
    end = 0.0
    try:
        for packet in container.demux():
            if not packet.size or packet.pts is None:
                continue
            if packet.stream.index == video.index:
                times.append(packet.pts)
            tb = packet.stream.time_base
            end = max(end, float((packet.pts + (packet.duration or 0)) * tb) - _start_seconds(packet.stream))
    except av.FFmpegError as exc:
        raise MediaError("truncated", str(exc)) from exc
    return sorted(times), end


def _start_seconds(stream) -> float:
    return float(stream.start_time * stream.time_base) if stream.start_time else 0.0


def _first_frame(container, video) -> av.VideoFrame:
    container.seek(video.start_time or 0, stream=video, backward=True)
    try:
        for frame in container.decode(video):
            return frame
    except av.FFmpegError as exc:
        raise MediaError("undecodable", str(exc)) from exc
    raise MediaError("undecodable", "no picture could be decoded")


def _check_last_frames_decode(container, video, pts: list[int]) -> None:
    """Decode the final stretch: a file cut off mid-picture fails here rather than in the player."""
    container.seek(pts[-1], stream=video, backward=True)
    decoded = 0
    try:
        for packet in container.demux(video):
            decoded += len(packet.decode())
    except av.FFmpegError as exc:
        raise MediaError("undecodable", str(exc)) from exc
    if decoded == 0:
        raise MediaError("truncated", "the last pictures cannot be decoded")


def _frame_durations(pts: list[int], video) -> list[Fraction]:
    tb = video.time_base
    gaps = [Fraction(b - a) * tb for a, b in zip(pts, pts[1:])]
    if not gaps:
        return [Fraction(1, 25)]
    # The last frame lasts as long as the stream says, else as long as a typical frame.
    end = (video.start_time or 0) + (video.duration or 0)
    last = Fraction(end - pts[-1]) * tb if video.duration and end > pts[-1] else median(gaps)
    return gaps + [min(last, median(gaps) * 4)]


def _is_variable(durations: list[Fraction]) -> bool:
    core = durations[:-1]
    if len(core) < 3:
        return False
    typical = median(core)
    return any(abs(d - typical) > typical * _VFR_TOLERANCE for d in core)
