"""Benchmark: thumbnails at many times of a long clip, vib's batch extraction against the usual ways.

For a synthetic 1280x720, 25 fps clip (default 10 minutes, a keyframe every 8 s, B-frames on), encoded
once with libx264 and once with libx265 and cached in bench/.cache/, this takes 320 px JPEG thumbnails
at N times spread over the clip (evenly spaced with random jitter, fixed seed) in four ways:

  vib     vib.media.frames.map_frames + vib.media.thumbs.thumbnail: the times sorted and walked forward,
          seeking only across keyframes, in two contiguous stretches decoded in parallel
  (a)     OpenCV: cv2.VideoCapture, set CAP_PROP_POS_MSEC then read(), once per thumbnail
  (b)     one `ffmpeg -ss t -i clip -frames:v 1` process per thumbnail (skipped without ffmpeg)
  (c)     decode the whole file once with PyAV and keep the frame on screen at each time

and prints wall-clock and CPU seconds (medians of --repeat rounds in which the methods take turns),
their ratios to (c), and how many thumbnails are frame-exact: every frame paints its index
(vib.media.synth), which is read back from the decoded JPEG and compared with the frame on screen at t,
i.e. the last frame whose presentation time is <= t. All methods get the same times. CPU seconds
(this process and its ffmpeg children) are less disturbed by a busy machine than wall-clock ones.

Targets (the issue's): every vib thumbnail frame-exact; at 100 thumbnails vib takes at most 0.35x the
whole-file decode; vib is faster than (a) and (b) at every count.

    PYTHONPATH=. python bench/thumbnails.py [--minutes 10] [--counts 20,100] [--codecs h264,hevc]
                                            [--repeat 1] [--check]

Exit code 0 unless --check is given and a target is missed.
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import os
import resource
import shutil
import subprocess
import sys
import time
from fractions import Fraction
from math import floor
from pathlib import Path
from statistics import median

import av
import cv2
import numpy as np

from vib.media import synth, thumbs
from vib.media.frames import map_frames
from vib.media.synth import ClipSpec

CACHE = Path(__file__).resolve().parent / ".cache"
ENCODERS = {"h264": "libx264", "hevc": "libx265"}
THUMB_WIDTH = 320
MAX_RATIO_AT_100 = 0.35
FFMPEG = shutil.which("ffmpeg")


# -- clips ----------------------------------------------------------------------------------------


def cached_clip(name: str, spec: ClipSpec) -> Path:
    """The clip for `spec`, made on first use and kept in bench/.cache/ (named by the spec)."""
    digest = hashlib.sha1(repr(spec).encode()).hexdigest()[:10]
    path = CACHE / f"{name}-{digest}.mp4"
    if not path.exists():
        CACHE.mkdir(exist_ok=True)
        partial = path.with_name(path.stem + ".partial.mp4")
        print(f"generating {path.name}: {spec.seconds:.0f} s {spec.width}x{spec.height} {spec.codec} ...", flush=True)
        started = time.perf_counter()
        synth.make_clip(partial, spec)
        partial.replace(path)
        print(f"  done in {time.perf_counter() - started:.0f} s ({path.stat().st_size / 1e6:.1f} MB)", flush=True)
    path.read_bytes()  # into the page cache, so the first method timed does not pay for the disk
    return path


def clip_spec(codec: str, minutes: float) -> ClipSpec:
    # superfast keeps B-frames (ultrafast drops them) and encodes 720p at ~150 fps (x264) / ~100 fps (x265).
    return ClipSpec(seconds=minutes * 60, fps=25, width=1280, height=720, codec=ENCODERS[codec], gop=200, preset="superfast")


def spread_times(count: int, duration_ms: int, seed: int = 20240) -> list[int]:
    """`count` distinct times (ms), one in each of `count` equal slots, jittered within the slot."""
    rng = np.random.default_rng(seed + count)
    slot = duration_ms / count
    return sorted({int((k + 0.5 + rng.uniform(-0.4, 0.4)) * slot) for k in range(count)})


# -- the methods: each returns {t_ms: JPEG bytes} --------------------------------------------------


def jpeg(image: np.ndarray) -> bytes:
    return thumbs.encode_jpeg(thumbs.resize_to_width(image, THUMB_WIDTH))


def by_vib(path: Path, times: list[int]) -> dict[int, bytes]:
    # The same call vib.clips.operations.thumbnails makes for a batch.
    return map_frames(str(path), times, lambda frame: thumbs.thumbnail(frame, THUMB_WIDTH))


def by_opencv_seek(path: Path, times: list[int]) -> dict[int, bytes]:
    capture, out = cv2.VideoCapture(str(path)), {}
    for t in times:
        capture.set(cv2.CAP_PROP_POS_MSEC, t)
        ok, image = capture.read()
        out[t] = jpeg(image) if ok else b""
    capture.release()
    return out


def by_ffmpeg_process(path: Path, times: list[int]) -> dict[int, bytes]:
    out = {}
    for t in times:
        command = [
            FFMPEG,
            "-v",
            "error",
            "-ss",
            f"{t / 1000:.3f}",
            "-i",
            str(path),
            "-frames:v",
            "1",
            "-vf",
            f"scale={THUMB_WIDTH}:-2",
            "-q:v",
            "3",
            "-f",
            "image2pipe",
            "-c:v",
            "mjpeg",
            "pipe:1",
        ]
        out[t] = subprocess.run(command, capture_output=True, check=True).stdout
    return out


def by_whole_decode(path: Path, times: list[int]) -> dict[int, bytes]:
    out, pending = {}, list(times)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        start, tb = stream.start_time or 0, stream.time_base
        targets = [start + floor(Fraction(t, 1000) / tb) for t in pending]
        held = None
        for frame in container.decode(stream):
            while pending and frame.pts > targets[0]:  # `held` is on screen at pending[0]
                out[pending.pop(0)] = thumbs.thumbnail(frame if held is None else held, THUMB_WIDTH)
                targets.pop(0)
            if not pending:
                break
            held = frame
        for t in pending:  # after the last frame: it stays on screen
            out[t] = thumbs.thumbnail(held, THUMB_WIDTH)
    return out


METHODS = {  # run in this order in every round
    "c": ("(c) whole-file decode", by_whole_decode),
    "vib": ("vib map_frames + thumbnail", by_vib),
    "a": ("(a) OpenCV seek per thumb", by_opencv_seek),
    "b": ("(b) ffmpeg process per thumb", by_ffmpeg_process),
}


def exact_count(thumbnails: dict[int, bytes], frame_times: list[Fraction]) -> tuple[int, list[str]]:
    """How many thumbnails show the frame on screen at their time, and a few misses for the report."""
    exact, misses = 0, []
    for t, data in sorted(thumbnails.items()):
        expected = bisect.bisect_right(frame_times, Fraction(t, 1000)) - 1
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) if data else None
        got = synth.read_index(image) if image is not None else None
        if got == expected:
            exact += 1
        elif len(misses) < 3:
            misses.append(f"t={t}ms want {expected} got {got}")
    return exact, misses


# -- the run --------------------------------------------------------------------------------------


def cpu_seconds() -> float:
    """User + system time of this process (all threads) and of its finished children (ffmpeg)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def measure(methods: dict, path: Path, times: list[int], frame_times: list[Fraction], repeat: int) -> dict:
    """{key: (median wall s, median CPU s, exact count, misses)}; the methods take turns each round."""
    walls, cpus, exact = {k: [] for k in methods}, {k: [] for k in methods}, {}
    for _ in range(repeat):
        for key, (_, method) in methods.items():
            wall, cpu = time.perf_counter(), cpu_seconds()
            thumbnails = method(path, times)
            walls[key].append(time.perf_counter() - wall)
            cpus[key].append(cpu_seconds() - cpu)
            exact[key] = exact_count(thumbnails, frame_times)
    return {k: (median(walls[k]), median(cpus[k]), *exact[k]) for k in methods}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--counts", default="20,100", help="thumbnail counts, comma-separated")
    parser.add_argument("--codecs", default="h264,hevc", help=",".join(ENCODERS))
    parser.add_argument("--repeat", type=int, default=1, help="rounds per measurement; medians are reported")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    counts = [int(c) for c in args.counts.split(",")]
    if FFMPEG is None:
        print("note: no ffmpeg binary on PATH, method (b) is skipped")
    methods = {key: value for key, value in METHODS.items() if key != "b" or FFMPEG}
    print(
        f"PyAV {av.__version__}, OpenCV {cv2.__version__}, ffmpeg CLI {FFMPEG or 'none'}, "
        f"{os.cpu_count()} CPUs, {args.repeat} round(s) per measurement (median)"
    )

    header = f"{'codec':5} {'n':>4}  {'method':30} {'wall s':>8} {'vs (c)':>7} {'CPU s':>8} {'vs (c)':>7}  exact"
    print(header)
    failures, lines = [], []
    for codec in args.codecs.split(","):
        spec = clip_spec(codec, args.minutes)
        path = cached_clip(f"thumbs-{codec}", spec)
        frame_times = synth.frame_times(spec)
        for count in counts:
            times = spread_times(count, int(len(frame_times) * 1000 / spec.fps))
            n = len(times)
            results = measure(methods, path, times, frame_times, args.repeat)
            whole_wall, whole_cpu = results["c"][:2]
            for key, (wall, cpu, exact, misses) in results.items():
                lines.append(
                    f"{codec:5} {n:4}  {methods[key][0]:30} {wall:8.2f} {wall / whole_wall:6.2f}x "
                    f"{cpu:8.2f} {cpu / whole_cpu:6.2f}x  {exact:3}/{n}" + (f"  e.g. {'; '.join(misses)}" if misses else "")
                )
                print(lines[-1], flush=True)
            vib_wall, _, vib_exact, _ = results["vib"]
            if vib_exact != n:
                failures.append(f"{codec} n={n}: vib frame-exact {vib_exact}/{n}")
            if count == 100 and vib_wall > MAX_RATIO_AT_100 * whole_wall:
                failures.append(
                    f"{codec} n=100: vib takes {vib_wall / whole_wall:.2f}x the whole-file decode (target <= {MAX_RATIO_AT_100}x)"
                )
            for other in ("a", "b"):
                if other in results and vib_wall >= results[other][0]:
                    failures.append(f"{codec} n={n}: vib ({vib_wall:.2f} s) not faster than ({other}) ({results[other][0]:.2f} s)")

    print("\n" + header)
    print("\n".join(line.split("  e.g.")[0] for line in lines))
    if 100 not in counts:
        print("note: the 0.35x target is defined at 100 thumbnails, which this run did not measure")
    print(
        "\nPASS: every vib thumbnail frame-exact, <= 0.35x whole-file decode at 100, faster than (a) and (b)"
        if not failures
        else "\nFAIL:\n  " + "\n  ".join(failures)
    )
    return 1 if failures and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
