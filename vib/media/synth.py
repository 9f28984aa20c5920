"""Synthetic clips for tests, benchmarks and the demo: every frame carries its own index.

The upright picture is a 5 x 5 grid of black and white cells. The top-left corner cell is always
white and the other three corners black, so a reader can tell whether a picture is upright; the
21 inner cells hold the frame index in binary. The pattern survives scaling and JPEG compression.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

GRID = 5
_CORNERS = [(0, 0), (0, GRID - 1), (GRID - 1, 0), (GRID - 1, GRID - 1)]
_BIT_CELLS = [(r, c) for r in range(GRID) for c in range(GRID) if (r, c) not in _CORNERS]


def paint_index(index: int, width: int, height: int) -> np.ndarray:
    """An upright BGR picture that encodes `index`."""
    cells = np.zeros((GRID, GRID), dtype=np.uint8)
    cells[0, 0] = 255
    for bit, (r, c) in enumerate(_BIT_CELLS):
        if index >> bit & 1:
            cells[r, c] = 255
    rows = np.arange(height) * GRID // height
    cols = np.arange(width) * GRID // width
    return cv2.cvtColor(np.ascontiguousarray(cells[rows][:, cols]), cv2.COLOR_GRAY2BGR)


def read_index(image: np.ndarray) -> int | None:
    """The index painted into an upright picture, or None when the picture is not upright."""
    if image.ndim == 3:
        image = image.mean(axis=2)
    height, width = image.shape

    def cell(r: int, c: int) -> bool:
        y, x = int((r + 0.5) * height / GRID), int((c + 0.5) * width / GRID)
        return image[y, x] > 127

    if not cell(0, 0) or any(cell(r, c) for r, c in _CORNERS[1:]):
        return None
    return sum(1 << bit for bit, (r, c) in enumerate(_BIT_CELLS) if cell(r, c))


@dataclass(frozen=True)
class ClipSpec:
    seconds: float = 2.0
    fps: int = 25
    width: int = 320
    height: int = 240
    codec: str = "libx264"
    gop: int | None = None  # frames between keyframes; None: the encoder's default
    variable_frame_rate: bool = False
    rotation: int = 0  # display rotation in degrees, counter-clockwise, as PyAV reports it
    audio: bool = False
    audio_codec: str = "aac"
    faststart: bool = True
    preset: str = "veryfast"
    creation_time: str | None = None  # the container's creation_time tag, as cameras write it (ISO 8601)


def frame_times(spec: ClipSpec) -> list[Fraction]:
    """Presentation times (seconds) of every frame the clip will hold."""
    if not spec.variable_frame_rate:
        count = round(spec.seconds * spec.fps)
        return [Fraction(i, spec.fps) for i in range(count)]
    # Phone-like variable rate: durations wander between 1/60 s and 1/10 s, reproducibly.
    rng = np.random.default_rng(7)
    times, t = [], Fraction(0)
    while t < spec.seconds:
        times.append(t)
        t += Fraction(int(rng.integers(1500, 9000)), 90000)
    return times


def make_clip(path: str | Path, spec: ClipSpec = ClipSpec()) -> list[Fraction]:
    """Write a clip whose frame i shows index i; returns the frames' presentation times."""
    path = Path(path)
    times = frame_times(spec)
    options = {"movflags": "faststart"} if spec.faststart and path.suffix in (".mp4", ".mov") else {}
    with av.open(str(path), "w", options=options) as out:
        if spec.creation_time:
            out.metadata["creation_time"] = spec.creation_time
        video = out.add_stream(spec.codec, rate=spec.fps)
        stored_w, stored_h = (spec.height, spec.width) if spec.rotation % 180 else (spec.width, spec.height)
        video.width, video.height = stored_w, stored_h
        video.pix_fmt = "yuvj420p" if spec.codec == "mjpeg" else "yuv420p"
        video.time_base = Fraction(1, 90000) if spec.variable_frame_rate else Fraction(1, spec.fps)
        video.codec_context.time_base = video.time_base
        video.options = _encoder_options(spec)
        if spec.rotation:
            video.set_display_rotation(spec.rotation)
        audio = _add_audio(out, spec) if spec.audio else None
        turns = round(spec.rotation / 90) % 4
        for i, t in enumerate(times):
            upright = paint_index(i, spec.width, spec.height)
            stored = np.ascontiguousarray(np.rot90(upright, -turns))
            frame = av.VideoFrame.from_ndarray(stored, format="bgr24")
            frame.pts = int(t / video.time_base)
            frame.time_base = video.time_base
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        if audio is not None:
            _write_tone(out, audio, spec.seconds)
    return times


def _encoder_options(spec: ClipSpec) -> dict[str, str]:
    options: dict[str, str] = {}
    if spec.codec in ("libx264", "libx265"):
        options["preset"] = spec.preset
    if spec.codec == "libx265":
        options["x265-params"] = "log-level=error"
    if spec.codec == "libvpx-vp9":
        options.update({"deadline": "realtime", "cpu-used": "8"})
    if spec.gop:
        options["g"] = str(spec.gop)
        if spec.codec == "libx264":
            options["x264-params"] = f"keyint={spec.gop}:min-keyint={spec.gop}:scenecut=0"
        if spec.codec == "libx265":
            options["x265-params"] += f":keyint={spec.gop}:min-keyint={spec.gop}:scenecut=0"
    return options


def _add_audio(out: av.container.OutputContainer, spec: ClipSpec):
    audio = out.add_stream(spec.audio_codec, rate=48000)
    audio.layout = "mono"
    return audio


def _write_tone(out, audio, seconds: float, hz: float = 440.0) -> None:
    rate = 48000
    samples = np.sin(2 * np.pi * hz * np.arange(int(seconds * rate)) / rate).astype(np.float32) * 0.2
    write_samples(out, audio, samples, rate)


def write_samples(out, audio, samples: np.ndarray, rate: int) -> None:
    """Encode mono float samples, in chunks the encoder accepts."""
    frame_size = audio.codec_context.frame_size or 1024
    fmt = audio.codec_context.format.name
    for start in range(0, len(samples), frame_size):
        chunk = samples[start : start + frame_size][None, :]  # one channel: planar and packed agree
        frame = av.AudioFrame.from_ndarray(_as_format(chunk, fmt), format=fmt, layout="mono")
        frame.sample_rate = rate
        frame.pts = start
        frame.time_base = Fraction(1, rate)
        out.mux(audio.encode(frame))
    out.mux(audio.encode(None))


def _as_format(data: np.ndarray, fmt: str) -> np.ndarray:
    if fmt.startswith("s16"):
        return (data * 32767).astype(np.int16)
    return data.astype(np.float32)


@dataclass(frozen=True)
class MovingPictureSpec:
    """A picture (a face, in the tests) gliding over a still, textured background."""

    seconds: float = 3.0
    fps: int = 25
    width: int = 320
    height: int = 240
    picture_height: float = 0.45  # of the frame's height
    visible_from: float = 0.0  # seconds; before this only the background shows
    crossing_seconds: float | None = None  # one pass across the frame; None: half the clip
    bob: float = 0.4  # up and down, as a fraction of the free height either side of the middle
    bob_seconds: float = 1.7  # the period of the bobbing
    audio: bool = True
    preset: str = "veryfast"


def make_moving_picture_clip(
    path: str | Path, picture: np.ndarray, spec: MovingPictureSpec = MovingPictureSpec()
) -> list[tuple[int, int, int, int] | None]:
    """Write a clip of `picture` (BGR) moving across the frame, left to right and back, bobbing up and
    down; returns for every frame where the picture lies (x, y, w, h in pixels), or None when hidden."""
    rng = np.random.default_rng(11)
    noise = rng.integers(0, 256, (spec.height, spec.width), dtype=np.uint8)
    background = cv2.cvtColor(cv2.GaussianBlur(noise, (0, 0), 1.2), cv2.COLOR_GRAY2BGR)
    ph = round(spec.height * spec.picture_height)
    pw = round(picture.shape[1] * ph / picture.shape[0])
    scaled = cv2.resize(picture, (pw, ph), interpolation=cv2.INTER_AREA)
    count = round(spec.seconds * spec.fps)
    placed: list[tuple[int, int, int, int] | None] = []
    with av.open(str(path), "w", options={"movflags": "faststart"}) as out:
        video = out.add_stream("libx264", rate=spec.fps)
        video.width, video.height, video.pix_fmt = spec.width, spec.height, "yuv420p"
        # A fine time base: x264's B-frames at 1/fps made the MP4 muxer refuse a picture of flat colour.
        video.time_base = Fraction(1, 90000)
        video.codec_context.time_base = video.time_base
        video.options = {"preset": spec.preset}
        audio = _add_audio(out, ClipSpec()) if spec.audio else None
        for i in range(count):
            image = background.copy()
            t = i / spec.fps
            if t >= spec.visible_from:
                crossing = spec.crossing_seconds or spec.seconds / 2
                phase = t / crossing % 2  # 0 -> 1 -> 2: there and back
                along = phase if phase <= 1 else 2 - phase
                x = round(along * (spec.width - pw))
                y = round((spec.height - ph) * (0.5 + spec.bob * np.sin(2 * np.pi * t / spec.bob_seconds)))
                image[y : y + ph, x : x + pw] = scaled
                placed.append((x, y, pw, ph))
            else:
                placed.append(None)
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            frame.pts, frame.time_base = i * 90000 // spec.fps, video.time_base
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        if audio is not None:
            _write_tone(out, audio, spec.seconds)
    return placed
