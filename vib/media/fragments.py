"""Library fragments: a frame-exact cut of the playable rendition, and its de-identified render.

A fragment from `start_ms` to `end_ms` begins with the frame on screen at start_ms (the last frame whose
presentation time is at or before it, as `frames.py` defines it), whose start becomes time 0, and ends
at end_ms: the last frame lasts until then. Every frame keeps its duration (a steady source gives a
steady fragment), so the fragment lasts end_ms - start_ms plus at most one frame, and a time t in it
shows what the source showed at `source_start_ms` + t. Both steps re-encode (H.264 + AAC, index first, with the helpers of `playable.py`) and
keep the source's time base (refined to whole milliseconds), so variable frame rates survive.

`render_fragment` blurs faces (tracks from `vib.media.faces`) and fixed regions, and keeps, mutes or
disguises the audio. A blurred area is shrunk to a few pixels and blown up again before a Gaussian
smooths it: what it showed is discarded, not merely softened (a plain Gaussian can be partly undone).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import av
import cv2
import numpy as np

from vib.media.errors import MediaError
from vib.media.frames import FrameReader, frame_times_ms
from vib.media.playable import AacWriter, Progress, aac_rate, add_h264_stream, open_mp4

AudioMode = Literal["keep", "mute", "disguise"]
# The disguise lowers the voice by this factor (0.8: about four semitones) at the same tempo.
DISGUISE_PITCH = 0.8
# A face box is grown by this fraction of its width and height on every side before blurring.
FACE_MARGIN = 0.2
# A blurred area keeps at most this many "pixels" across its longer side.
_BLUR_CELLS = 6
_AUDIO_CHUNK = 4096

# (index of the frame in the fragment, its time in ms, the picture as stored) -> the picture to encode
PictureFn = Callable[[int, int, av.VideoFrame], av.VideoFrame]
AudioFn = Callable[[np.ndarray, int], np.ndarray]  # (samples: channels x n, rate) -> same shape


@dataclass(frozen=True)
class Region:
    """A fixed area to blur, in fractions of the picture as displayed (upright), for a time span in ms
    (None: from the start, to the end). A frame is blurred when it is on screen at any time of the span."""

    x: float
    y: float
    w: float
    h: float
    start_ms: int | None = None
    end_ms: int | None = None

    @classmethod
    def of(cls, value: Region | dict) -> Region:
        return value if isinstance(value, Region) else cls(**value)


@dataclass(frozen=True)
class FragmentFacts:
    frame_count: int
    duration_ms: int
    source_start_ms: float  # the source's time of the fragment's 0: its first frame's start (<= start_ms)


def cut_fragment(source: str, target: str, start_ms: int, end_ms: int, progress: Progress | None = None) -> FragmentFacts:
    """Write the span [start_ms, end_ms) of `source` (a playable rendition) to `target` (an .mp4).

    The first frame is the one on screen at start_ms; its start is the fragment's 0, end_ms its end
    (or the source's end, when sooner). Audio is cut sample-exactly to the same span. Raises ValueError
    for an empty or negative span, MediaError when the source cannot be read or written.
    """
    if start_ms < 0 or end_ms <= start_ms:
        raise ValueError(f"not a span: {start_ms} to {end_ms} ms")
    return _reencode(str(source), str(target), start_ms, end_ms, None, None, progress)


def render_fragment(
    source: str,
    target: str,
    tracks: Sequence,
    blur_track_ids: Collection[int] | Literal["all"] = "all",
    regions: Iterable[Region | dict] = (),
    audio: AudioMode = "keep",
    margin: float = FACE_MARGIN,
    progress: Progress | None = None,
) -> FragmentFacts:
    """Write `source` (a cut fragment) to `target` with the chosen faces and regions blurred.

    `tracks` are `vib.media.faces.FaceTrack`s (or their dicts) found in `source`; those whose id is in
    `blur_track_ids` (or all) are blurred in every frame they have a box for, grown by `margin`.
    `audio`: "keep"; "mute" writes a silent track of the same length (players and durations stay as
    they were, and nothing of the voices is left); "disguise" lowers the pitch by DISGUISE_PITCH at
    the same tempo (libavfilter: asetrate, aresample, atempo). A disguise hides a voice from casual
    recognition only: it can be shifted back. Mute when a voice must not be recognised.
    """
    chosen = [t for t in tracks if blur_track_ids == "all" or _field(t, "id") in blur_track_ids]
    boxes: dict[int, list[tuple[float, float, float, float]]] = {}
    for track in chosen:
        for index, box in _field(track, "boxes").items():
            boxes.setdefault(int(index), []).append(_grow(box, margin))
    areas = [Region.of(r) for r in regions]
    if audio not in ("keep", "mute", "disguise"):
        raise ValueError(f"unknown audio mode {audio!r}")
    times = frame_times_ms(source)
    region_fn = _regions_on_screen(areas, times)

    def picture(index: int, t_ms: int, frame: av.VideoFrame) -> av.VideoFrame:
        chosen_boxes = boxes.get(index, []) + region_fn(index)
        return blur_frame(frame, chosen_boxes) if chosen_boxes else frame

    audio_fn = {"keep": None, "mute": _mute, "disguise": _disguise}[audio]
    return _reencode(str(source), str(target), 0, None, picture, audio_fn, progress)


# -- pictures -------------------------------------------------------------------------------------


def blur_frame(frame: av.VideoFrame, boxes: Iterable[tuple[float, float, float, float]]) -> av.VideoFrame:
    """The frame with every box (x, y, w, h as fractions of the upright picture) destroyed by blurring."""
    image = frame.to_ndarray(format="bgr24")
    height, width = image.shape[:2]
    turns = round((frame.rotation or 0) / 90) % 4
    for box in boxes:
        x, y, w, h = _stored_box(box, turns)
        x0, y0 = max(0, math.floor(x * width)), max(0, math.floor(y * height))
        x1, y1 = min(width, math.ceil((x + w) * width)), min(height, math.ceil((y + h) * height))
        if x1 - x0 >= 2 and y1 - y0 >= 2:
            image[y0:y1, x0:x1] = blur_area(image[y0:y1, x0:x1])
    blurred = av.VideoFrame.from_ndarray(image, format="bgr24")
    blurred.pts, blurred.time_base = frame.pts, frame.time_base
    return blurred


def blur_area(area: np.ndarray) -> np.ndarray:
    """Shrink to a few cells, enlarge again smoothly, then a Gaussian over the cells' seams."""
    height, width = area.shape[:2]
    scale = _BLUR_CELLS / max(width, height)
    small = cv2.resize(area, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=cv2.INTER_AREA)
    large = cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)
    sigma = max(width, height) / _BLUR_CELLS / 2
    return cv2.GaussianBlur(large, (0, 0), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_REPLICATE)


def _grow(box, margin: float) -> tuple[float, float, float, float]:
    x, y, w, h = box
    return x - w * margin, y - h * margin, w * (1 + 2 * margin), h * (1 + 2 * margin)


def _stored_box(box, turns: int) -> tuple[float, float, float, float]:
    """A box in the upright picture, in the picture as stored (PyAV's rotation: counter-clockwise turns)."""
    x, y, w, h = box
    for _ in range(turns):  # undo one counter-clockwise quarter turn: upright (x, y) came from stored (1-y-h, x)
        x, y, w, h = 1 - y - h, x, h, w
    return x, y, w, h


def _regions_on_screen(regions: list[Region], times: list[int]) -> Callable[[int], list]:
    def active(index: int) -> list:
        if not regions:
            return []
        shown_from = times[index] if index < len(times) else math.inf
        shown_until = times[index + 1] if index + 1 < len(times) else math.inf
        return [
            (r.x, r.y, r.w, r.h)
            for r in regions
            if (r.start_ms is None or shown_until > r.start_ms) and (r.end_ms is None or shown_from < r.end_ms)
        ]

    return active


def _field(obj, name: str):
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


# -- sound ----------------------------------------------------------------------------------------


def _mute(samples: np.ndarray, rate: int) -> np.ndarray:
    return np.zeros_like(samples)


def _disguise(samples: np.ndarray, rate: int, factor: float = DISGUISE_PITCH) -> np.ndarray:
    """Pitch times `factor`, tempo kept: played `factor` times as fast at the same rate, then stretched back."""
    layout = "stereo" if samples.shape[0] == 2 else "mono"
    graph = av.filter.Graph()
    chain = [
        graph.add_abuffer(format="fltp", sample_rate=rate, layout=layout, time_base=Fraction(1, rate)),
        graph.add("asetrate", str(round(rate * factor))),
        graph.add("aresample", str(rate)),
        graph.add("atempo", f"{1 / factor:.6f}"),
        graph.add("aformat", f"sample_fmts=fltp:sample_rates={rate}:channel_layouts={layout}"),
        graph.add("abuffersink"),
    ]
    for a, b in zip(chain, chain[1:], strict=False):
        a.link_to(b)
    graph.configure()
    pieces: list[np.ndarray] = []

    def drain() -> None:
        while True:
            try:
                pieces.append(graph.pull().to_ndarray())
            except (BlockingIOError, av.error.BlockingIOError, av.error.EOFError, EOFError):
                return

    for start in range(0, samples.shape[1], _AUDIO_CHUNK):
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples[:, start : start + _AUDIO_CHUNK]), format="fltp", layout=layout)
        frame.sample_rate, frame.pts, frame.time_base = rate, start, Fraction(1, rate)
        graph.push(frame)
        drain()
    graph.push(None)
    drain()
    out = np.concatenate(pieces, axis=1) if pieces else np.zeros_like(samples)
    return _fit(out.astype(np.float32), samples.shape[1])


def _fit(samples: np.ndarray, length: int) -> np.ndarray:
    if samples.shape[1] >= length:
        return samples[:, :length]
    return np.pad(samples, ((0, 0), (0, length - samples.shape[1])))


def _read_audio(source: str, start: Fraction, end: Fraction | None) -> tuple[np.ndarray, int, str] | None:
    """The source's audio from `start` to `end` (seconds from the first video frame), as float planes,
    sample-exact: silence fills whatever the stream does not cover. None when there is no audio."""
    with av.open(source) as container:
        if not container.streams.audio:
            return None
        stream = container.streams.audio[0]
        video = container.streams.video[0]
        origin = (video.start_time or 0) * video.time_base
        rate = aac_rate(stream.codec_context.sample_rate)
        layout = "stereo" if stream.codec_context.channels >= 2 else "mono"
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate)
        first = math.floor(start * rate)
        last = math.floor(end * rate) if end is not None else None
        if start > 0:
            container.seek(max(0, math.floor((origin + start - 1) / stream.time_base)), stream=stream, backward=True)
        pieces: list[np.ndarray] = []
        position = first  # the next sample to fill, counted from the first video frame
        for packet in container.demux(stream):
            for decoded in packet.decode():
                for frame in resampler.resample(decoded):
                    if frame.pts is None:
                        continue
                    at = round((frame.pts * frame.time_base - origin) * rate)
                    data = frame.to_ndarray()
                    if at + data.shape[1] <= position:
                        continue
                    if at > position:  # a gap: silence
                        pieces.append(np.zeros((data.shape[0], at - position), np.float32))
                        position = at
                    data = data[:, position - at :]
                    if last is not None:
                        data = data[:, : max(0, last - position)]
                    pieces.append(data)
                    position += data.shape[1]
                    if last is not None and position >= last:
                        return np.concatenate(pieces, axis=1), rate, layout
        channels = 2 if layout == "stereo" else 1
        if last is not None and position < last:
            pieces.append(np.zeros((channels, last - position), np.float32))
        data = np.concatenate(pieces, axis=1) if pieces else np.zeros((channels, 0), np.float32)
        return data, rate, layout


# -- the re-encode both steps share -----------------------------------------------------------------


def _reencode(
    source: str,
    target: str,
    start_ms: int,
    end_ms: int | None,
    picture: PictureFn | None,
    audio_fn: AudioFn | None,
    progress: Progress | None,
) -> FragmentFacts:
    report = progress or (lambda fraction: None)
    try:
        with FrameReader(source) as reader, open_mp4(target) as out:
            facts = _write(reader, out, source, start_ms, end_ms, picture, audio_fn, report)
    except av.FFmpegError as exc:
        raise MediaError("conversion_failed", str(exc)) from exc
    report(1.0)
    return facts


def _write(reader: FrameReader, out, source: str, start_ms: int, end_ms: int | None, picture, audio_fn, report) -> FragmentFacts:
    tb_in: Fraction = reader.stream.time_base
    # Fine enough for the source's ticks and for whole milliseconds (the shift by start_ms).
    tb = Fraction(1, math.lcm(tb_in.denominator, 1000)) if tb_in.numerator == 1 else Fraction(1, 90000)
    shift: Fraction | None = None  # the first frame's time in the source (s): the fragment's 0
    end = Fraction(end_ms, 1000) if end_ms is not None else None
    total = None
    stream = sound = None
    held: av.VideoFrame | None = None  # encoded once the next frame's time (its duration) is known
    held_at = Fraction(0)
    natural = Fraction(1, 25)  # a frame's duration when nothing else tells
    durations: dict[int, int] = {}
    count = 0
    next_report = 0.01
    for frame in reader.frames_from(start_ms):
        if shift is None:
            shift = reader.ms_of(frame) / 1000
            total = float(end - shift) if end is not None else None
        at = reader.ms_of(frame) / 1000 - shift  # seconds in the fragment
        if end is not None and at + shift >= end:
            break
        if stream is None:
            rate = reader.stream.average_rate or reader.stream.guessed_rate or 25
            rotation = round((frame.rotation or 0) / 90) % 4 * 90
            stream = add_h264_stream(out, frame.width - frame.width % 2, frame.height - frame.height % 2, tb, rate, rotation)
            sound = _SoundTrack.of(out, source, shift, end, audio_fn)
        if held is not None:
            natural = at - held_at
            _encode(out, stream, held, held_at, at - held_at, tb, durations)
            count += 1
        if sound is not None:
            sound.write_until(at)
        held = picture(count, round(at * 1000), frame) if picture is not None else frame
        held_at = at
        if total and float(at) / total >= next_report:
            report(min(float(at) / total, 1.0))
            next_report = float(at) / total + 0.01
    if held is None or stream is None or shift is None:
        raise MediaError("undecodable", "no frame in the span")
    # The last frame lasts until the end of the span, or as long as the source shows it.
    own = Fraction(held.duration) * tb_in if held.duration else natural
    last = min(end - shift - held_at, own) if end is not None else own
    _encode(out, stream, held, held_at, max(last, tb), tb, durations)
    count += 1
    _mux(out, stream.encode(None), durations)
    if sound is not None:
        sound.finish(held_at + max(last, tb))
    return FragmentFacts(frame_count=count, duration_ms=round((held_at + max(last, tb)) * 1000), source_start_ms=float(shift * 1000))


def _encode(out, stream, frame: av.VideoFrame, at: Fraction, duration: Fraction, tb: Fraction, durations: dict[int, int]) -> None:
    if frame.format.name != "yuv420p" or frame.width != stream.width or frame.height != stream.height:
        frame = frame.reformat(stream.width, stream.height, format="yuv420p")
    frame.pts, frame.time_base = round(at / tb), tb
    # x264 leaves packet durations at 0; MP4 takes the last sample's duration from its packet.
    durations[frame.pts] = max(1, round(duration / tb))
    _mux(out, stream.encode(frame), durations)


def _mux(out, packets, durations: dict[int, int]) -> None:
    for packet in packets:
        packet.duration = durations.pop(packet.pts, 0)
        out.mux(packet)


class _SoundTrack:
    """The span's audio, held in memory (fragments are minutes long at most) and written in step with
    the pictures so the file interleaves them."""

    def __init__(self, out, samples: np.ndarray, rate: int, layout: str) -> None:
        self.samples, self.rate, self.layout = samples, rate, layout
        self.writer = AacWriter(out, rate, layout)
        self.position = 0

    @classmethod
    def of(cls, out, source: str, start: Fraction, end: Fraction | None, audio_fn: AudioFn | None) -> _SoundTrack | None:
        found = _read_audio(source, start, end)
        if found is None:
            return None
        samples, rate, layout = found
        if audio_fn is not None:
            samples = audio_fn(samples, rate)
        return cls(out, samples, rate, layout)

    def write_until(self, seconds: Fraction, final: bool = False) -> None:
        upto = min(self.samples.shape[1], math.floor(seconds * self.rate))
        while self.position < upto:
            piece = np.ascontiguousarray(self.samples[:, self.position : min(upto, self.position + _AUDIO_CHUNK)])
            frame = av.AudioFrame.from_ndarray(piece, format="fltp", layout=self.layout)
            frame.sample_rate = self.rate
            self.writer.write(frame)
            self.position += piece.shape[1]

    def finish(self, seconds: Fraction) -> None:
        self.samples = _fit(self.samples, math.floor(seconds * self.rate))
        self.write_until(seconds)
        self.writer.finish()
