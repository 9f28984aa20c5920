"""Small generated videos for the tests (no binaries in the repository)."""

from __future__ import annotations

import os
from pathlib import Path

import av
import numpy as np

from vib.media.audio import SAMPLE_RATE, read_speech_audio
from vib.media.synth import ClipSpec, make_clip, paint_index, write_samples

SPECS = {
    "cfr.mp4": ClipSpec(seconds=4, audio=True, gop=25),
    "vfr.mp4": ClipSpec(seconds=4, variable_frame_rate=True, gop=20),
    "rotated.mp4": ClipSpec(seconds=2, rotation=-90),  # an iPhone portrait recording
    "upside_down.mp4": ClipSpec(seconds=2, rotation=180),
    "hevc.mov": ClipSpec(seconds=3, codec="libx265", rotation=90, gop=30),
    "vp9.webm": ClipSpec(seconds=3, codec="libvpx-vp9", audio=True, audio_codec="libopus", gop=30),
    "mjpeg.avi": ClipSpec(seconds=2, codec="mjpeg"),
    "long_gop.mp4": ClipSpec(seconds=12, gop=50),
    "phone.mp4": ClipSpec(seconds=3, audio=True, faststart=False),  # index at the end, as phones write
    "wide.mp4": ClipSpec(seconds=1, width=2000, height=240),
    "old_phone.3gp": ClipSpec(seconds=2, codec="mpeg4", audio=True, width=176, height=144),
    "camcorder.ts": ClipSpec(seconds=3, audio=True, gop=25),
    "flash.flv": ClipSpec(seconds=3, audio=True, gop=25),
}


def build(folder: Path) -> dict[str, Path]:
    """Every test video, plus the bad inputs; returns name -> path."""
    paths: dict[str, Path] = {}
    for name, spec in SPECS.items():
        paths[name] = folder / name
        make_clip(paths[name], spec)
    paths["empty.mp4"] = folder / "empty.mp4"
    paths["empty.mp4"].write_bytes(b"")
    paths["random.mp4"] = folder / "random.mp4"
    paths["random.mp4"].write_bytes(np.random.default_rng(3).bytes(200_000))
    paths["letter.mp4"] = folder / "letter.mp4"
    paths["letter.mp4"].write_text("Dear family,\n" * 500)
    paths["tone.m4a"] = folder / "tone.m4a"
    _write_tone(paths["tone.m4a"])
    paths["conversation.mp4"] = folder / "conversation.mp4"
    _write_conversation(paths["conversation.mp4"])
    data = paths["cfr.mp4"].read_bytes()
    paths["cut_off.mp4"] = folder / "cut_off.mp4"  # index at the front, pictures cut off
    paths["cut_off.mp4"].write_bytes(data[: len(data) // 2])
    phone = paths["phone.mp4"].read_bytes()
    paths["cut_off_phone.mp4"] = folder / "cut_off_phone.mp4"  # index at the end was never written
    paths["cut_off_phone.mp4"].write_bytes(phone[: len(phone) * 2 // 3])
    webm = paths["vp9.webm"].read_bytes()
    paths["cut_off.webm"] = folder / "cut_off.webm"
    paths["cut_off.webm"].write_bytes(webm[: len(webm) // 2])
    return paths


def _write_tone(path: Path) -> None:
    with av.open(str(path), "w") as out:
        stream = out.add_stream("aac", rate=48000)
        stream.layout = "mono"
        t = np.arange(48000 * 2) / 48000
        write_samples(out, stream, (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 48000)


CONVERSATION = Path(__file__).parent / "data" / "conversation.ogg"  # two synthetic voices (bench/make_conversation.py)


def _write_conversation(path: Path, fps: int = 10) -> None:
    """A small video whose sound is the synthetic conversation of tests/data (frame i shows index i)."""
    samples = read_speech_audio(CONVERSATION)
    frames = int(len(samples) / SAMPLE_RATE * fps)
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = 160, 120, "yuv420p"
        audio = out.add_stream("aac", rate=SAMPLE_RATE)
        audio.layout = "mono"
        for index in range(frames):
            frame = av.VideoFrame.from_ndarray(paint_index(index, 160, 120), format="bgr24")
            frame.pts = index
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        write_samples(out, audio, samples, SAMPLE_RATE)


def files_below(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and os.path.getsize(p) >= 0)


# Where the astronaut's face lies in ASTRONAUT_HEAD (x0, y0, x1, y1 as fractions), as CenterFace finds it.
ASTRONAUT_FACE = (41 / 170, 38 / 200, 130 / 170, 158 / 200)


def astronaut_head():
    """A real face that ships with scikit-image (NASA's portrait of Eileen Collins, public domain), BGR."""
    import cv2
    from skimage import data

    return cv2.cvtColor(np.ascontiguousarray(data.astronaut()[20:220, 140:310]), cv2.COLOR_RGB2BGR)


def face_centres(placed, spec=None) -> list[tuple[float, float] | None]:
    """The centre of the face in every frame of a make_moving_picture_clip clip (fractions), or None."""
    from vib.media.synth import MovingPictureSpec

    spec = spec or MovingPictureSpec()
    centres = []
    for where in placed:
        if where is None:
            centres.append(None)
            continue
        x, y, w, h = where
        fx, fy = (ASTRONAUT_FACE[0] + ASTRONAUT_FACE[2]) / 2, (ASTRONAUT_FACE[1] + ASTRONAUT_FACE[3]) / 2
        centres.append(((x + w * fx) / spec.width, (y + h * fy) / spec.height))
    return centres
