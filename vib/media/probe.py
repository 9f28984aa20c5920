"""What a file holds, checked by content (never by its name), before vib accepts it as a clip."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from datetime import date, datetime
from itertools import pairwise
from statistics import median

import av

from vib.media.errors import MediaError

# Frame durations that differ more than this from the median make a clip variable-frame-rate.
_VFR_TOLERANCE = 0.1
# A file whose packets end this much short of the duration its header declares was cut off.
_TRUNCATION_TOLERANCE = 0.05


@dataclass(frozen=True)
class MediaLimits:
    """What a clip may demand of the machine, checked from the headers and packets before anything is
    decoded: a small file can hold a huge picture ("decompression bomb")."""

    max_side: int = 4096  # pixels on the longest side
    max_pixels_per_second: int = 3840 * 2160 * 60  # 4K at 60 frames a second
    max_seconds: float = 3 * 3600


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
    recorded_on: date | None = None  # the day the camera says it filmed, when it says so

    def as_dict(self) -> dict:
        return asdict(self)


def probe(path: str | os.PathLike, limits: MediaLimits | None = None) -> ClipFacts:
    """Open, demux and decode enough of a file to know it is a whole, playable video.

    Raises MediaError for an empty file, a file that is not a video, an audio-only file, a truncated
    file and one whose pictures cannot be decoded. Demuxing reads every packet once (no decoding),
    which is what finds a file that was cut off. With `limits`, a file over one is refused
    (MediaError with the figures in `values`) before any picture is decoded.
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
        if limits is not None:
            _check_limits(video, pts, limits)
        first = _first_frame(path)
        _check_last_picture_decodes(container, video, pts[-1])
        rotation = round((first.rotation or 0) / 90) % 4 * 90
        gaps = [b - a for a, b in pairwise(pts)]  # frame durations, in the stream's time base
        typical = median(gaps) if gaps else None
        duration = (pts[-1] - pts[0] + _last_frame_duration(video, pts[-1], typical)) * video.time_base
        width, height = first.width, first.height
        if rotation % 180:
            width, height = height, width
        return ClipFacts(
            duration_ms=int(duration * 1000),
            width=width,
            height=height,
            rotation=rotation,
            fps=round(float(len(pts) / duration), 3) if duration else 0.0,
            variable_frame_rate=typical is not None and any(abs(g - typical) > typical * _VFR_TOLERANCE for g in gaps),
            video_codec=video.codec_context.name,
            audio_codec=audio.codec_context.name if audio is not None and audio.codec_context else None,
            has_audio=audio is not None,
            frame_count=len(pts),
            pix_fmt=video.codec_context.pix_fmt,
            recorded_on=recording_date(container.metadata, video.metadata),
        )


# Phones write the local time with its offset (QuickTime's creationdate); other cameras and muxers
# write creation_time in UTC. The first gives the day as the family lived it.
_CREATION_KEYS = ("com.apple.quicktime.creationdate", "creation_time", "date")


def recording_date(*metadata: dict) -> date | None:
    """The day a file says it was recorded, or None: a missing, malformed or implausible stamp (the
    zero dates of cameras without a clock, a date in the future) says nothing."""
    for key in _CREATION_KEYS:
        for tags in metadata:
            value = (tags or {}).get(key)
            if not value:
                continue
            try:
                stamp = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
            except ValueError:
                continue
            if 1990 <= stamp.year and stamp.date() <= date.today():
                return stamp.date()
    return None


def _check_limits(video, pts: list[int], limits: MediaLimits) -> None:
    width, height = video.codec_context.width, video.codec_context.height
    if max(width, height) > limits.max_side:
        raise MediaError("picture_too_large", f"{width}x{height}", {"width": width, "height": height, "limit": limits.max_side})
    seconds = float((pts[-1] - pts[0]) * video.time_base)
    if seconds > limits.max_seconds:
        raise MediaError("too_long", f"{seconds:.0f} s", {"minutes": round(seconds / 60), "limit": round(limits.max_seconds / 60)})
    pixels_per_second = width * height * len(pts) / max(seconds, 1.0)
    if pixels_per_second > limits.max_pixels_per_second:
        raise MediaError("too_many_pixels", f"{pixels_per_second:.0f} px/s", {"width": width, "height": height})


def _read_packets(container, video) -> tuple[list[int], float]:
    """The video packets' presentation times, and where the last packet of any stream ends (s).

    This loop runs once per packet of the file (tens of thousands), so it keeps to integers."""
    times: list[int] = []
    ends: dict[int, int] = {}
    video_index = video.index
    try:
        for packet in container.demux():
            pts = packet.pts
            if pts is None or not packet.size:
                continue
            index = packet.stream.index
            if index == video_index:
                times.append(pts)
            packet_end = pts + (packet.duration or 0)
            if packet_end > ends.get(index, packet_end - 1):
                ends[index] = packet_end
    except av.FFmpegError as exc:
        raise MediaError("truncated", str(exc)) from exc
    streams = {s.index: s for s in container.streams}
    end = max((float((e - (streams[i].start_time or 0)) * streams[i].time_base) for i, e in ends.items()), default=0.0)
    return sorted(times), end


def _first_frame(path) -> av.VideoFrame:
    # A fresh container: seeking back to the start is unreliable in some formats (MPEG-TS).
    try:
        with av.open(str(path)) as container:
            for frame in container.decode(video=0):
                return frame
    except av.FFmpegError as exc:
        raise MediaError("undecodable", str(exc)) from exc
    raise MediaError("undecodable", "no picture could be decoded")


def _check_last_picture_decodes(container, video, last_pts: int) -> None:
    """Decode from the last keyframe until a picture comes out: a damaged end fails here.

    Some formats (FLV) cannot seek there; the packet counts and durations checked before are then
    what tells a whole file from a cut one."""
    try:
        container.seek(last_pts, stream=video, backward=True)
        for packet in container.demux(video):
            if packet.decode():
                return
    except av.FFmpegError as exc:
        raise MediaError("undecodable", str(exc)) from exc


def _last_frame_duration(video, last_pts: int, typical: int | None) -> int:
    """As long as the stream says, else as long as a typical frame (within reason)."""
    fallback = typical or round(1 / (video.time_base * (video.average_rate or 25)))
    end = (video.start_time or 0) + (video.duration or 0)
    if video.duration and end > last_pts:
        return min(end - last_pts, fallback * 4)
    return fallback
