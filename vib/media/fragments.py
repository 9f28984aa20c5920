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

`burn_caption` marks a downloaded fragment: a line of text (organisation, user, date) on a dark box in
the bottom-left corner of every frame. Only the pictures are re-encoded; times and audio packets are
copied as they are.
"""

from __future__ import annotations

import math
import unicodedata
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
_BLUR_SMOOTH = 8  # pixels a cell while the cells' seams are smoothed
_AUDIO_CHUNK = 4096
# A burnt-in caption: its letters this fraction of the picture's (upright) height, on a box that keeps
# this much of the picture's brightness under it.
CAPTION_HEIGHT = 0.035
_CAPTION_SHOW_THROUGH = 0.25
_CAPTION_FONT = cv2.FONT_HERSHEY_SIMPLEX
_CAPTION_FONT_PX = 22  # the height of a capital at font scale 1

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


def burn_caption(source: str, target: str, text: str, progress: Progress | None = None) -> FragmentFacts:
    """Write `source` (an MP4 fragment) to `target` with `text` burnt into the bottom-left corner of
    every frame: light letters on a semi-opaque dark box, sized to the picture's height, readable the
    way the player shows the picture (rotation kept as metadata).

    Every frame keeps its timestamp and duration, so the frame count and the timing are the source's;
    the audio packets are copied, not re-encoded. Characters a Hershey font lacks are transliterated
    or dropped (`caption_ascii`). MediaError when the source cannot be read or the target written.
    """
    line = caption_ascii(text)
    report = progress or (lambda fraction: None)
    try:
        with av.open(str(source)) as container:
            if not container.streams.video:
                raise MediaError("not_video", "no video stream")
            video_in = container.streams.video[0]
            first = next(container.decode(video_in), None)
            if first is None:
                raise MediaError("undecodable", "no frame decoded")
            rotation = round((first.rotation or 0) / 90) % 4 * 90
        with av.open(str(source)) as container, open_mp4(target) as out:
            facts = _burn(container, out, line, rotation, report)
    except av.FFmpegError as exc:
        raise MediaError("conversion_failed", str(exc)) from exc
    report(1.0)
    return facts


def _burn(container, out, line: str, rotation: int, report: Progress) -> FragmentFacts:
    video_in = container.streams.video[0]
    video_in.thread_type = "AUTO"
    audio_in = container.streams.audio[0] if container.streams.audio else None
    tb: Fraction = video_in.time_base
    width, height = video_in.codec_context.width, video_in.codec_context.height
    width, height = width - width % 2, height - height % 2
    stream = add_h264_stream(out, width, height, tb, video_in.average_rate or video_in.guessed_rate or 25, rotation)
    audio_out = out.add_stream_from_template(audio_in) if audio_in is not None else None
    caption = _Caption(line, width, height, rotation // 90)
    total = float(video_in.duration * tb) if video_in.duration else None
    start = video_in.start_time or 0
    durations: dict[int, int] = {}  # pts -> the source packet's duration (x264 leaves them at 0)
    count, first_pts, end_pts, next_report = 0, None, 0, 0.01
    for packet in container.demux([s for s in (video_in, audio_in) if s is not None]):
        if packet.stream is audio_in:
            if packet.dts is not None:  # not the demuxer's flush packet
                packet.stream = audio_out
                out.mux(packet)
            continue
        if packet.pts is not None:
            durations[packet.pts] = packet.duration or 0
        for frame in packet.decode():
            if frame.pts is None:
                continue
            picture = caption.burn(frame)
            picture.pts, picture.time_base = frame.pts, tb
            _mux(out, stream.encode(picture), durations)
            count += 1
            first_pts = frame.pts if first_pts is None else min(first_pts, frame.pts)
            end_pts = max(end_pts, frame.pts + (durations.get(frame.pts) or 1))
            if total and (frame.pts - start) * float(tb) / total >= next_report:
                next_report = (frame.pts - start) * float(tb) / total + 0.01
                report(min(next_report, 1.0))
    _mux(out, stream.encode(None), durations)
    if first_pts is None:
        raise MediaError("undecodable", "no frame decoded")
    return FragmentFacts(frame_count=count, duration_ms=round((end_pts - first_pts) * tb * 1000), source_start_ms=0.0)


def caption_ascii(text: str) -> str:
    """`text` in the characters OpenCV's Hershey fonts can draw (printable ASCII): letters lose their
    accents ("ë" -> "e", "ß" -> "ss"), a middle dot or dash becomes "-", and whatever has no ASCII form
    (CJK, emoji) is dropped. putText would draw "?" for each byte of such a character, not the letter."""
    text = text.translate(_CAPTION_ASCII)
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    kept = "".join(c if c.isprintable() else " " for c in kept)
    return " ".join(kept.encode("ascii", "ignore").decode("ascii").split())


_CAPTION_ASCII = str.maketrans(
    {
        "\u00b7": "-",  # middle dot
        "\u2022": "-",  # bullet
        "\u2013": "-",
        "\u2014": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00df": "ss",
        "\u00e6": "ae",
        "\u00c6": "AE",
        "\u0153": "oe",
        "\u0152": "OE",
        "\u00f8": "o",
        "\u00d8": "O",
        "\u0142": "l",
        "\u0141": "L",
        "\u0111": "d",
        "\u0110": "D",
        "\u00f0": "d",
        "\u00fe": "th",
        "\u0131": "i",
    }
)


class _Caption:
    """The line drawn into yuv420p pictures of one size: letters and box in the upright picture's
    bottom-left corner, drawn on the planes directly (no conversion to RGB and back, so the rest of
    the picture leaves exactly as it came)."""

    def __init__(self, line: str, width: int, height: int, turns: int) -> None:
        self.line, self.width, self.height, self.turns = line, width, height, turns
        up_w, up_h = (height, width) if turns % 2 else (width, height)
        letters = max(8.0, up_h * CAPTION_HEIGHT)
        edge = max(2, round(up_h * 0.02))
        scale = letters / _CAPTION_FONT_PX
        self.thickness = max(1, round(scale * 1.6))
        (text_w, _), _ = cv2.getTextSize(line or " ", _CAPTION_FONT, scale, self.thickness)
        pad = max(2, round(letters * 0.4))
        room = up_w - 2 * edge - 2 * pad
        if text_w > room > 0:  # a long line on a narrow picture: smaller letters, never cut off
            scale *= room / text_w
            letters *= room / text_w
            self.thickness = max(1, round(scale * 1.6))
            pad = max(2, round(letters * 0.4))
        (text_w, text_h), baseline = cv2.getTextSize(line or " ", _CAPTION_FONT, scale, self.thickness)
        self.scale = scale
        box_w = min(up_w - edge, text_w + 2 * pad)
        box_h = min(up_h - edge, text_h + baseline + 2 * pad)
        # The box in upright pixels (even, so the half-size chroma planes cover it exactly).
        self.x0, self.y1 = edge - edge % 2, up_h - edge + edge % 2
        self.x1 = min(up_w, self.x0 + box_w + box_w % 2)
        self.y0 = max(0, self.y1 - box_h - box_h % 2)
        self.origin = (pad, (self.y1 - self.y0) - pad - baseline)

    @property
    def box(self) -> tuple[float, float, float, float]:
        """The box as fractions of the upright picture (x, y, w, h)."""
        up_w, up_h = (self.height, self.width) if self.turns % 2 else (self.width, self.height)
        return self.x0 / up_w, self.y0 / up_h, (self.x1 - self.x0) / up_w, (self.y1 - self.y0) / up_h

    def burn(self, frame: av.VideoFrame) -> av.VideoFrame:
        pts, time_base = frame.pts, frame.time_base
        if frame.format.name != "yuv420p" or frame.width != self.width or frame.height != self.height:
            frame = frame.reformat(self.width, self.height, format="yuv420p")
        frame, luma, chroma = _writable_planes(frame)
        # Views of the planes turned upright: the box is cut, drawn and written back through them.
        up = np.rot90(luma, self.turns)
        area = up[self.y0 : self.y1, self.x0 : self.x1]
        patch = np.ascontiguousarray(area * _CAPTION_SHOW_THROUGH + 16 * (1 - _CAPTION_SHOW_THROUGH), dtype=np.uint8)
        cv2.putText(patch, self.line, self.origin, _CAPTION_FONT, self.scale, 235, self.thickness, cv2.LINE_AA)
        area[...] = patch
        for plane in chroma:  # the box is grey: colour fades toward neutral as brightness does
            part = np.rot90(plane, self.turns)[self.y0 // 2 : self.y1 // 2, self.x0 // 2 : self.x1 // 2]
            part[...] = (part * _CAPTION_SHOW_THROUGH + 128 * (1 - _CAPTION_SHOW_THROUGH)).astype(np.uint8)
        frame.pts, frame.time_base = pts, time_base
        return frame


# -- pictures -------------------------------------------------------------------------------------


def blur_frame(frame: av.VideoFrame, boxes: Iterable[tuple[float, float, float, float]]) -> av.VideoFrame:
    """The frame (as yuv420p) with every box (x, y, w, h as fractions of the upright picture) destroyed
    by blurring. The planes are blurred where they are stored, in place: no conversion to RGB and back,
    no copy of the rest of the picture (the frame passed in may be the one returned, changed)."""
    pts, time_base = frame.pts, frame.time_base
    frame, luma, chroma = _writable_planes(frame)
    height, width = luma.shape
    turns = round((frame.rotation or 0) / 90) % 4
    for box in boxes:
        x, y, w, h = _stored_box(box, turns)
        x0, y0 = max(0, math.floor(x * width / 2) * 2), max(0, math.floor(y * height / 2) * 2)
        x1, y1 = min(width, math.ceil((x + w) * width / 2) * 2), min(height, math.ceil((y + h) * height / 2) * 2)
        if x1 - x0 >= 4 and y1 - y0 >= 4:
            luma[y0:y1, x0:x1] = blur_area(luma[y0:y1, x0:x1])
            for plane in chroma:
                plane[y0 // 2 : y1 // 2, x0 // 2 : x1 // 2] = blur_area(plane[y0 // 2 : y1 // 2, x0 // 2 : x1 // 2])
    frame.pts, frame.time_base = pts, time_base
    return frame


def blur_area(area: np.ndarray) -> np.ndarray:
    """Shrink to a few cells, enlarge again smoothly, then a Gaussian over the cells' seams.

    The Gaussian (a sigma of half a cell) runs at _BLUR_SMOOTH pixels a cell, not at full size: the
    picture holds nothing finer than a cell by then, so the result is the same, at a fraction of the
    work of a Gaussian hundreds of pixels wide."""
    height, width = area.shape[:2]
    scale = _BLUR_CELLS / max(width, height)
    cells = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = cv2.resize(area, cells, interpolation=cv2.INTER_AREA)
    if max(width, height) <= _BLUR_CELLS * _BLUR_SMOOTH:
        mid_size, sigma = (width, height), max(width, height) / _BLUR_CELLS / 2
    else:
        ratio = _BLUR_CELLS * _BLUR_SMOOTH / max(width, height)
        mid_size, sigma = (max(1, round(width * ratio)), max(1, round(height * ratio))), _BLUR_SMOOTH / 2
    mid = cv2.resize(small, mid_size, interpolation=cv2.INTER_LINEAR)
    mid = cv2.GaussianBlur(mid, (0, 0), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_REPLICATE)
    return mid if mid_size == (width, height) else cv2.resize(mid, (width, height), interpolation=cv2.INTER_LINEAR)


def _writable_planes(frame: av.VideoFrame) -> tuple[av.VideoFrame, np.ndarray, list[np.ndarray]]:
    """The frame as yuv420p of even size, made writable (FFmpeg copies its pixels first when the
    decoder still refers to them), with numpy views of its Y plane and of its U and V planes: what is
    written to them is in the frame, without converting or copying the whole picture."""
    if frame.format.name != "yuv420p" or frame.width % 2 or frame.height % 2:
        frame = frame.reformat(frame.width - frame.width % 2, frame.height - frame.height % 2, format="yuv420p")
    frame.make_writable()
    luma, u, v = (np.frombuffer(p, np.uint8).reshape(p.height, p.line_size)[:, : p.width] for p in frame.planes)
    return frame, luma, [u, v]


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
