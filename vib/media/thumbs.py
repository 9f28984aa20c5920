"""Upright, resized JPEG pictures of decoded frames (OpenCV does the image work)."""

from __future__ import annotations

import av
import cv2
import numpy as np

from vib.media.frames import FrameReader

JPEG_QUALITY = 85


def upright(frame: av.VideoFrame) -> np.ndarray:
    """The frame as a BGR array, turned the way the player shows it.

    PyAV reports the display rotation counter-clockwise; np.rot90 turns counter-clockwise too, which
    matches FFmpeg's autorotation pixel for pixel.
    """
    image = frame.to_ndarray(format="bgr24")
    turns = round((frame.rotation or 0) / 90) % 4
    return np.ascontiguousarray(np.rot90(image, turns)) if turns else image


def resize_to_width(image: np.ndarray, width: int) -> np.ndarray:
    """Scale to `width` pixels wide, keeping the aspect ratio; never enlarge."""
    height, current = image.shape[:2]
    if width >= current:
        return image
    new_height = max(1, round(height * width / current))
    return cv2.resize(image, (width, new_height), interpolation=cv2.INTER_AREA)


def encode_jpeg(image: np.ndarray, quality: int = JPEG_QUALITY) -> bytes:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return data.tobytes()


def thumbnail(frame: av.VideoFrame, width: int) -> bytes:
    """An upright JPEG of the frame, `width` pixels wide (or its own width when smaller)."""
    return encode_jpeg(resize_to_width(upright(frame), width))


def poster_jpeg(path: str, at_ms: int, width: int) -> bytes:
    """A poster for a clip or fragment: an upright JPEG, `width` wide at most, of the frame on screen
    at `at_ms` (frames.py's definition: the last frame when at_ms lies beyond the end)."""
    with FrameReader(str(path)) as reader:
        [(_, frame)] = list(reader.frames_at([at_ms]))
        return thumbnail(frame, width)
