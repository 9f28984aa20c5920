"""A library fragment end to end: cut, find faces, blur, on a 60 s 720p clip with a moving face.

    PYTHONPATH=. python bench/fragments.py [--seconds 60] [--every 3] [--input-width 640] [--audio disguise]
        [--faces large,small]

Two sources, each a 70 s 1280x720 25 fps clip of skimage's astronaut gliding over a textured
background, with a 440 Hz tone, made on first use and cached in bench/.cache/:
- large: the head 30 % of the picture's height (a face ~130 px tall), crossing in 35 s;
- small: the head 12 % (a face ~52 px tall), crossing in 4 s and bobbing, 35 to 120 px between two
  runs of the detector at every 3rd frame (more than its own size).
For each: each step's seconds, the total as a ratio of real time, recall (frames whose face centre a
track's box covers), frames where the face was left uncovered (its true centre outside every blurred
box, the track's box grown by the margin: goal 0) and frames where a face box was left unblurred (the
blurred picture keeps detail inside a box: goal 0).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import av
import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.videos import ASTRONAUT_FACE, astronaut_head  # noqa: E402
from vib.media.faces import FaceDetector, find_faces  # noqa: E402
from vib.media.fragments import FACE_MARGIN, cut_fragment, render_fragment  # noqa: E402
from vib.media.synth import MovingPictureSpec, make_moving_picture_clip  # noqa: E402

CACHE = Path(__file__).resolve().parent / ".cache"
START_MS = 5000


SOURCES = {
    "large": dict(picture_height=0.3),
    "small": dict(picture_height=0.12, crossing_seconds=4.0),
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--every", type=int, default=3)
    parser.add_argument("--input-width", type=int, default=640, help="pixels across the picture the detector sees")
    parser.add_argument("--audio", default="disguise", choices=["keep", "mute", "disguise"])
    parser.add_argument("--faces", default="large,small", help="which sources: large, small or both")
    args = parser.parse_args()
    print(f"fragment: {args.seconds} s of 1280x720 25 fps, detector every {args.every} frames at {args.input_width} px, audio {args.audio}")
    for name in args.faces.split(","):
        run(name, args)
    return 0


def run(name: str, args) -> None:
    spec = MovingPictureSpec(seconds=args.seconds + 10, width=1280, height=720, preset="superfast", **SOURCES[name])
    CACHE.mkdir(exist_ok=True)
    source = CACHE / (f"face_{spec.seconds:g}s_720p.mp4" if name == "large" else f"face_{name}_{spec.seconds:g}s_720p.mp4")
    placed_file = source.with_suffix(".npy")
    if not source.exists() or not placed_file.exists():
        print(f"making {source.name} ...", flush=True)
        placed = make_moving_picture_clip(source, astronaut_head(), spec)
        np.save(placed_file, np.array([p if p is not None else (-1, -1, -1, -1) for p in placed]))
    placed = np.load(placed_file)
    with tempfile.TemporaryDirectory() as folder:
        cut, out = Path(folder) / "cut.mp4", Path(folder) / "blurred.mp4"
        t0 = time.perf_counter()
        facts = cut_fragment(str(source), str(cut), START_MS, START_MS + args.seconds * 1000)
        t1 = time.perf_counter()
        tracks = find_faces(str(cut), every=args.every, detector=FaceDetector(input_width=args.input_width))
        t2 = time.perf_counter()
        render_fragment(str(cut), str(out), tracks, "all", audio=args.audio)
        t3 = time.perf_counter()
        first = round(facts.source_start_ms / 40)
        recall, uncovered, unblurred = check(out, tracks, placed[first : first + facts.frame_count], spec)
    total = t3 - t0
    print(f"-- {name} face ({source.name}), {facts.frame_count} frames")
    print(f"cut    {t1 - t0:6.1f} s")
    print(f"faces  {t2 - t1:6.1f} s  ({len(tracks)} track(s))")
    print(f"blur   {t3 - t2:6.1f} s")
    print(f"total  {total:6.1f} s = {total / args.seconds:.2f}x real time (goal < 1x)")
    print(f"recall {recall:.1%} of frames with the face have a box over its centre")
    print(f"uncovered: {uncovered} frame(s) show the face's centre outside every blurred box (goal 0)")
    print(f"unblurred face boxes: {unblurred} frame(s) (goal 0)", flush=True)


def check(path, tracks, placed, spec) -> tuple[float, int, int]:
    fx, fy = (ASTRONAUT_FACE[0] + ASTRONAUT_FACE[2]) / 2, (ASTRONAUT_FACE[1] + ASTRONAUT_FACE[3]) / 2
    visible = covered = uncovered = unblurred = 0
    m = FACE_MARGIN

    def inside(box, cx, cy, grow=0.0) -> bool:
        bx, by, bw, bh = box
        return bx - bw * grow <= cx <= bx + bw * (1 + grow) and by - bh * grow <= cy <= by + bh * (1 + grow)

    with av.open(str(path)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            x, y, w, h = placed[i]
            boxes = [t.boxes[i] for t in tracks if i in t.boxes]
            if w > 0:
                visible += 1
                cx, cy = (x + w * fx) / spec.width, (y + h * fy) / spec.height
                covered += any(inside(box, cx, cy) for box in boxes)
                uncovered += not any(inside(box, cx, cy, m) for box in boxes)
            gray = None
            for bx, by, bw, bh in boxes:
                gray = gray if gray is not None else cv2.cvtColor(frame.to_ndarray(format="bgr24"), cv2.COLOR_BGR2GRAY)
                g = m - 0.1  # the inside of the blurred (grown) box
                x0, y0 = int((bx - bw * g) * spec.width), int((by - bh * g) * spec.height)
                x1, y1 = int((bx + bw * (1 + g)) * spec.width), int((by + bh * (1 + g)) * spec.height)
                area = gray[max(0, y0) : y1, max(0, x0) : x1]
                if area.size and cv2.Laplacian(area, cv2.CV_64F).var() > 30:
                    unblurred += 1
    return covered / max(visible, 1), uncovered, unblurred


if __name__ == "__main__":
    sys.exit(main())
