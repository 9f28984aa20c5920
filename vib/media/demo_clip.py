"""The demo clip: two drawn figures taking turns in a conversation, with tones for their voices.

Generated with PyAV and OpenCV, so no recording of a real person is ever shipped.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from vib.media.synth import write_samples

WIDTH, HEIGHT, FPS, RATE = 640, 360, 25, 48000
# (speaker, seconds): 0 is the worker on the left, 1 the parent on the right.
TURNS = [(0, 3.0), (1, 4.5), (0, 2.0), (1, 5.0), (0, 3.5), (1, 2.5), (0, 2.5), (1, 4.0), (0, 3.0), (1, 3.0)]
VOICES = (165.0, 240.0)  # Hz
COLOURS = ((170, 110, 40), (60, 140, 230))  # BGR: blue-ish worker, orange-ish parent
SKIN = (150, 180, 225)


def _background() -> np.ndarray:
    image = np.full((HEIGHT, WIDTH, 3), (235, 228, 220), dtype=np.uint8)
    image[250:, :] = (200, 205, 210)  # floor
    cv2.rectangle(image, (250, 215), (390, 232), (95, 120, 150), -1)  # table top
    cv2.rectangle(image, (262, 232), (272, 300), (80, 100, 125), -1)
    cv2.rectangle(image, (368, 232), (378, 300), (80, 100, 125), -1)
    cv2.rectangle(image, (470, 40), (600, 130), (210, 200, 185), -1)  # a window
    cv2.rectangle(image, (470, 40), (600, 130), (160, 150, 140), 3)
    return image


def _schedule() -> list[tuple[int, float, float]]:
    spans, t = [], 0.0
    for speaker, length in TURNS:
        spans.append((speaker, t, t + length))
        t += length
    return spans


def _speaker_at(spans, t: float) -> tuple[int, float]:
    for speaker, start, end in spans:
        if start <= t < end:
            return speaker, t - start
    return -1, 0.0


def _syllables(t: float) -> float:
    """Loudness of speech at t seconds into a turn: syllables at about 4 per second."""
    return max(0.0, np.sin(2 * np.pi * 4.2 * t)) * (0.6 + 0.4 * np.sin(2 * np.pi * 0.7 * t) ** 2)


def _draw_person(image, x: int, colour, speaking: bool, loudness: float, nod: float, facing: int) -> None:
    head_y = 120 + int(6 * nod)
    cv2.ellipse(image, (x, 250), (55, 85), 0, 180, 360, colour, -1)  # shoulders and body
    cv2.rectangle(image, (x - 55, 250), (x + 55, 330), colour, -1)
    cv2.circle(image, (x, head_y), 38, SKIN, -1)
    eye_x = x + 12 * facing
    cv2.circle(image, (eye_x - 8, head_y - 8), 4, (40, 40, 40), -1)
    cv2.circle(image, (eye_x + 10, head_y - 8), 4, (40, 40, 40), -1)
    mouth_h = 2 + int(10 * loudness) if speaking else 2
    cv2.ellipse(image, (x + 10 * facing, head_y + 16), (10, mouth_h), 0, 0, 360, (60, 60, 150), -1)


def make_demo_clip(path: str | Path) -> None:
    spans = _schedule()
    seconds = spans[-1][2]
    background = _background()
    with av.open(str(path), "w", options={"movflags": "+faststart"}) as out:
        video = out.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        video.options = {"preset": "veryfast", "crf": "23", "g": str(FPS * 2)}
        audio = out.add_stream("aac", rate=RATE)
        audio.layout = "mono"
        for i in range(int(seconds * FPS)):
            t = i / FPS
            speaker, into = _speaker_at(spans, t)
            image = background.copy()
            for person, x, facing in ((0, 190, 1), (1, 450, -1)):
                speaking = person == speaker
                # The listener nods now and then: receiving the other's initiative.
                nod = 0.0 if speaking else max(0.0, np.sin(2 * np.pi * 0.9 * into)) ** 8
                _draw_person(image, x, COLOURS[person], speaking, _syllables(into), nod, facing)
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            frame.pts = i
            frame.time_base = Fraction(1, FPS)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        write_samples(out, audio, _voices(spans, seconds), RATE)


def _voices(spans, seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    samples = np.zeros_like(t, dtype=np.float32)
    for speaker, start, end in spans:
        part = (t >= start) & (t < end)
        local = t[part] - start
        envelope = np.maximum(0, np.sin(2 * np.pi * 4.2 * local)) * (0.6 + 0.4 * np.sin(2 * np.pi * 0.7 * local) ** 2)
        pitch = VOICES[speaker] * (1 + 0.05 * np.sin(2 * np.pi * 1.3 * local))
        phase = 2 * np.pi * np.cumsum(pitch) / RATE
        tone = np.sin(phase) + 0.4 * np.sin(2 * phase) + 0.2 * np.sin(3 * phase)
        samples[part] = (0.15 * envelope * tone).astype(np.float32)
    return samples
