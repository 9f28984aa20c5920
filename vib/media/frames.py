"""Frame-exact decoding: the frame that is on screen at a time t.

vib's definition of "the frame at t" is what a paused browser shows: the last frame whose presentation
time is at or before t (times in integer milliseconds from the first frame). For many times in one
clip we sort them and walk forward through the file once, seeking back to a keyframe only when one
lies between the current position and the next target, so targets that share a stretch share its
decoding. Far from a target the decoder skips frames nothing else refers to (they cannot be the
answer), which roughly halves the work on H.264 with B-frames.
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from math import ceil, floor
from typing import TypeVar

import av

from vib.media.errors import MediaError

T = TypeVar("T")

# Decode every frame this close to a target; a skipped non-reference frame could be the answer.
_FULL_DECODE_SECONDS = 0.5
_FULL_DECODE_FRAMES = 16
# When a seek lands after the target (decode-timestamp indexes), step back this far and try again.
_SEEK_RETRY_SECONDS = 2
# Batches at least this large are split over this many readers working in parallel.
_PARALLEL_FROM = 8
_PARALLEL_READERS = 2


class FrameReader:
    """An open clip from which frames are taken by time, in ascending order."""

    def __init__(self, path: str) -> None:
        self._path = str(path)
        self._open()
        try:
            self._measure()
        except BaseException:
            self._container.close()
            raise

    def _open(self) -> None:
        try:
            self._container = av.open(self._path)
        except av.FFmpegError as exc:
            raise MediaError("not_video", str(exc)) from exc
        if not self._container.streams.video:
            self._container.close()
            raise MediaError("not_video", "no video stream")
        self.stream = self._container.streams.video[0]
        # Slice threads suit H.264 here (frame threads delay every restart after a seek and every
        # switch of skip_frame); HEVC and the rest gain more from frame threads (bench/thumbnails.py).
        self.stream.thread_type = "SLICE" if self.stream.codec_context.name == "h264" else "AUTO"

    def _seek(self, pts: int) -> None:
        if pts <= self.start_pts:
            # Back to the start: reopening is exact in every format (seeking there is not in MPEG-TS).
            self._container.close()
            self._open()
        else:
            self._container.seek(pts, stream=self.stream, backward=True)

    def _measure(self) -> None:
        self._tb: Fraction = self.stream.time_base
        self.start_pts: int = self.stream.start_time or 0
        rate = self.stream.average_rate or self.stream.guessed_rate or 25
        self._full_decode_pts = self._pts_of(max(Fraction(_FULL_DECODE_SECONDS), _FULL_DECODE_FRAMES / Fraction(rate)))
        # Container indexes (MP4) list keyframes by decode timestamp, which with B-frames runs a few
        # frames ahead of presentation; the largest pts - dts seen while decoding corrects for that.
        self._keyframes, self._keyframes_are_dts = self._keyframe_times()
        self._dts_lag = 0
        self._frames: Iterator[av.VideoFrame] | None = None
        self._held: av.VideoFrame | None = None  # last frame decoded with pts <= the previous target
        self._ahead: av.VideoFrame | None = None  # first frame decoded after the previous target

    def close(self) -> None:
        self._container.close()

    def __enter__(self) -> FrameReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def frames_at(self, times_ms: Iterable[int]) -> Iterator[tuple[int, av.VideoFrame]]:
        """Yield (t, frame on screen at t) for every distinct t, in ascending order of t."""
        for t_ms in sorted(set(times_ms)):
            if t_ms < 0:
                raise ValueError("times must not be negative")
            yield t_ms, self._frame_at(self._target_pts(t_ms))

    def frames_from(self, start_ms: int) -> Iterator[av.VideoFrame]:
        """The frame on screen at start_ms, then every later frame in presentation order, to the end.

        The reader is used up: call no other method after it."""
        if start_ms < 0:
            raise ValueError("times must not be negative")
        yield self._frame_at(self._target_pts(start_ms))
        self.stream.codec_context.skip_frame = "DEFAULT"
        if self._ahead is not None:
            yield self._ahead
            self._ahead = None
        if self._frames is not None:
            yield from self._frames

    def ms_of(self, frame: av.VideoFrame) -> Fraction:
        """The frame's presentation time in ms from the clip's first frame (exact)."""
        return (frame.pts - self.start_pts) * self._tb * 1000

    # -- the walk ---------------------------------------------------------------------------

    def _frame_at(self, target: int) -> av.VideoFrame:
        if self._must_seek(target):
            self._seek_to_keyframe_before(target)
        while True:
            frame = self._ahead if self._ahead is not None else self._next_frame(target)
            self._ahead = None
            if frame is None:  # end of stream: the last frame stays on screen
                if self._held is None:
                    raise MediaError("undecodable", "no frame decoded")
                return self._held
            if frame.pts > target:
                self._ahead = frame
                if self._held is None:  # a time before the first frame shows the first frame
                    return frame
                return self._held
            self._held = frame

    def _must_seek(self, target: int) -> bool:
        last = self._ahead if self._ahead is not None else self._held
        if self._frames is None or last is None:
            return True
        if self._ahead is not None and self._ahead.pts > target and self._held is not None:
            return False  # the held frame is still on screen at target
        if last.pts > target:
            return True
        i = bisect.bisect_right(self._keyframes, target - self._dts_lag) - 1
        return i >= 0 and self._keyframes[i] + self._dts_lag > last.pts

    def _seek_to_keyframe_before(self, target: int) -> None:
        """Seek so that decoding starts at or before target (or at the clip's first frame)."""
        step = self._pts_of(Fraction(_SEEK_RETRY_SECONDS))
        seek_to = target
        while True:
            self._seek(seek_to)
            self._restart_decoding()
            first = self._next_frame(target)
            if (first is not None and first.pts <= target) or seek_to <= self.start_pts:
                self._ahead = first
                return
            # Landed after the target (an index of decode timestamps), or where nothing decodes (some
            # MPEG-TS seeks land past the last keyframe): step further back.
            seek_to -= step
            step *= 2

    def _restart_decoding(self) -> None:
        self._frames = self._decode()
        self._held = None
        self._ahead = None

    def _next_frame(self, target: int) -> av.VideoFrame | None:
        if self._frames is None:
            raise RuntimeError("decoding has not started")
        position = self._held.pts if self._held is not None else None
        near = position is None or position >= target - self._full_decode_pts
        self.stream.codec_context.skip_frame = "DEFAULT" if near else "NONREF"
        return next(self._frames, None)

    def _decode(self) -> Iterator[av.VideoFrame]:
        try:
            for packet in self._container.demux(self.stream):
                if self._keyframes_are_dts and packet.is_keyframe and packet.pts is not None and packet.dts is not None:
                    self._dts_lag = max(self._dts_lag, packet.pts - packet.dts)
                for frame in packet.decode():
                    if frame.pts is not None:
                        yield frame
        except av.FFmpegError as exc:
            raise MediaError("undecodable", str(exc)) from exc

    # -- time arithmetic --------------------------------------------------------------------

    def _target_pts(self, t_ms: int) -> int:
        return self.start_pts + floor(Fraction(t_ms, 1000) / self._tb)

    def _pts_of(self, seconds: Fraction) -> int:
        return floor(seconds / self._tb)

    def _keyframe_times(self) -> tuple[list[int], bool]:
        """Keyframe timestamps, and whether they are decode (not presentation) timestamps."""
        entries = self.stream.index_entries
        if entries is not None and self.stream.frames and len(entries) >= self.stream.frames:
            return sorted(e.timestamp for e in entries if e.is_keyframe), True
        # No full index (WebM, MKV): one pass over the packets, without decoding, finds them.
        try:
            keyframes = [p.pts for p in self._container.demux(self.stream) if p.is_keyframe and p.pts is not None]
            self._seek(self.start_pts)
        except av.FFmpegError as exc:
            raise MediaError("undecodable", str(exc)) from exc
        return sorted(keyframes), False


def frames_at(path: str, times_ms: Iterable[int]) -> Iterator[tuple[int, av.VideoFrame]]:
    """Frames on screen at each time, in ascending order of time, from one pass over the file."""
    with FrameReader(path) as reader:
        yield from reader.frames_at(times_ms)


def map_frames(path: str, times_ms: Iterable[int], convert: Callable[[av.VideoFrame], T], readers: int | None = None) -> dict[int, T]:
    """convert(frame on screen at t) for every t.

    Many times are cut into contiguous stretches, each walked by its own reader in its own thread
    (FFmpeg decodes without holding the GIL): on two cores this takes HEVC from about 0.45x to 0.32x
    of a whole-file decode at 100 thumbnails. `convert` runs in those threads, so only its (small)
    results are kept, never the decoded pictures.
    """
    times = sorted(set(times_ms))
    count = readers or (min(_PARALLEL_READERS, os.cpu_count() or 1) if len(times) >= _PARALLEL_FROM else 1)
    size = -(-len(times) // max(count, 1))
    stretches = [times[i : i + size] for i in range(0, len(times), size)] or [[]]

    def walk(stretch: list[int]) -> dict[int, T]:
        with FrameReader(path) as reader:
            return {t: convert(frame) for t, frame in reader.frames_at(stretch)}

    if len(stretches) == 1:
        return walk(stretches[0])
    results: dict[int, T] = {}
    with ThreadPoolExecutor(len(stretches), thread_name_prefix="vib-frames") as pool:
        for part in pool.map(walk, stretches):
            results.update(part)
    return results


def frame_times_ms(path: str) -> list[int]:
    """The time of every frame, ascending, in the integer ms that show it: the smallest whole ms at or
    after the frame's start (the frame at t is the last frame starting at or before t, so rounding
    down could name the frame before it). Read from the packets, without decoding."""
    try:
        container = av.open(str(path))
    except av.FFmpegError as exc:
        raise MediaError("not_video", str(exc)) from exc
    with container:
        if not container.streams.video:
            raise MediaError("not_video", "no video stream")
        stream = container.streams.video[0]
        start, tb = stream.start_time or 0, stream.time_base
        offsets = sorted({p.pts - start for p in container.demux(stream) if p.pts is not None and p.size})
    return [max(0, ceil(Fraction(offset) * tb * 1000)) for offset in offsets]
