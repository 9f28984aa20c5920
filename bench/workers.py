"""Benchmark: processing throughput of 1 against 2 `vib worker` processes.

For each worker count, a fresh vib: PostgreSQL (database bench_workers, its public schema dropped and
made again), Redis (database 11, FLUSHDB), a new VIB_HOME (media folder), and `vib serve` (waitress,
one process; with Redis its jobs go to the queues). A worker with a case (consent for analysis)
uploads --clips clips (each the same cached file, uploaded anew) while no worker runs, so every
processing job waits in the queue. Then N `vib worker` processes start, and the clock runs until
every clip is `ready` and its filmstrip made (GET /api/clips/<id>, polled every 0.5 s). It reports
the time to the last clip (from starting the workers, so a worker's start-up of a second or two is
included), clips ready per minute, and the ratio of 2 workers to 1.

The clip is like an iPhone recording that vib must transcode: HEVC (x265) with AAC audio, 30 fps,
a keyframe a second, the index at the end, 640x360 by default (--size 1280x720 for more work), made
once by vib.media.synth and cached in bench/.cache/. With --codec h264 it is an Android-like H.264
file that vib only remuxes (then the filmstrip's decoding is most of the work).

    PYTHONPATH=. python bench/workers.py [--clips 10] [--seconds 120] [--size 640x360]
        [--codec hevc|h264] [--workers 1,2] [--repeat 1] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path
from statistics import median

from thumbnails import CACHE, cached_clip  # bench/ is on sys.path when this file is run as a script
from vibstack import Api, Processes, add_worker, free_port, reset_postgres, reset_redis, stack, vib, vib_env, wait_until_up

from vib.media.synth import ClipSpec

ENCODERS = {"hevc": "libx265", "h264": "libx264"}
PIECE = 8 * 1024 * 1024 - 64 * 1024


def clip_spec(seconds: float, size: str, codec: str) -> ClipSpec:
    width, height = (int(v) for v in size.split("x"))
    return ClipSpec(
        seconds=seconds,
        fps=30,
        width=width,
        height=height,
        codec=ENCODERS[codec],
        gop=30,
        audio=True,
        faststart=False,
        preset="superfast",
    )


def watch(api: Api, ids: list[int], started: float, timeout: float, processes: Processes) -> tuple[dict, dict]:
    """Poll the clips until all are ready with a filmstrip (made or failed): when each became ready,
    and when its filmstrip was done, in seconds since `started`."""
    ready: dict[int, float] = {}
    done: dict[int, float] = {}
    while len(done) < len(ids):
        processes.check_alive()
        for clip_id in ids:
            if clip_id in done:
                continue
            clip = api.clip(clip_id)
            now = time.monotonic() - started
            if clip["status"] == "failed":
                raise RuntimeError(f"clip {clip_id} failed: {clip['error']}")
            if clip["status"] == "ready":
                ready.setdefault(clip_id, now)
                if clip["filmstrip_ready"] or clip["filmstrip_failed"]:
                    done[clip_id] = now
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"only {len(done)} of {len(ids)} clips done after {timeout:.0f} s")
        time.sleep(0.5)
    return ready, done


def one_run(workers: int, clips: int, clip: Path, timeout: float) -> dict:
    with stack(f"vib-workers-{workers}-") as (home, processes):
        env = vib_env(home, reset_postgres("bench_workers"), reset_redis(11))
        vib(env, "init")
        token = add_worker(env, "bench-worker@bench.vib", "bench-workers-password-staple")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        processes.start("serve", env, "serve", "--port", str(port))
        wait_until_up(base, processes)
        api = Api(base, token)
        case_id = api.case_with_consent("BENCH-W")
        started = time.monotonic()
        ids = []
        for i in range(clips):
            upload = api.upload_small if clip.stat().st_size < PIECE else api.upload_tus
            ids.append(upload(case_id, clip, f"Home visit {i + 1}"))
        waiting = sum(api.clip(i)["status"] == "processing" for i in ids)
        print(f"  {workers} worker(s): {clips} clips uploaded in {time.monotonic() - started:.1f} s, {waiting} waiting", flush=True)
        load_before = os.getloadavg()[0]
        started = time.monotonic()
        for n in range(workers):
            processes.start(f"worker-{n + 1}", env, "worker")
        ready, done = watch(api, ids, started, timeout, processes)
        seconds = max(done.values())  # to within a poll (0.5 s) of the last filmstrip
        processes.check_alive()
        facts = api.clip(ids[0])
        return {
            "workers": workers,
            "clips": clips,
            "seconds_all_ready": round(max(ready.values()), 1),
            "seconds_all_done": round(seconds, 1),
            "first_done": round(min(done.values()), 1),
            "clips_per_minute": round(clips / seconds * 60, 2),
            "video_codec": facts["video_codec"],
            "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clips", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=120, help="length of each clip")
    parser.add_argument("--size", default="640x360")
    parser.add_argument("--codec", choices=sorted(ENCODERS), default="hevc", help="hevc: vib transcodes; h264: vib remuxes")
    parser.add_argument("--workers", default="1,2", help="the worker counts to compare, in this order")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for the clips of one run")
    parser.add_argument("--repeat", type=int, default=1, help="rounds; the order alternates (1,2 then 2,1), medians are compared")
    parser.add_argument("--quick", action="store_true", help="3 clips of 20 s")
    args = parser.parse_args()
    if args.quick:
        args.clips, args.seconds = 3, 20
    spec = clip_spec(args.seconds, args.size, args.codec)
    clip = cached_clip(f"workers-{args.codec}", spec)
    what = f"{args.clips} clips of {args.seconds:.0f} s, {spec.width}x{spec.height} {spec.fps} fps {args.codec.upper()}/AAC ({clip.stat().st_size / 1e6:.1f} MB each)"
    print(what, flush=True)
    for number in (signal.SIGINT, signal.SIGTERM):  # both stop the run, and `finally` stops the processes
        signal.signal(number, signal.default_int_handler)
    counts = [int(n) for n in args.workers.split(",")]
    order = [n for r in range(args.repeat) for n in (counts if r % 2 == 0 else counts[::-1])]  # 1,2,2,1,...
    runs = [one_run(n, args.clips, clip, args.timeout) for n in order]
    lines = [
        f"{what}, {time.strftime('%Y-%m-%d %H:%M')}; vib probed the source as {runs[0]['video_codec']}",
        "",
        "| run | workers | all ready (s) | all ready + filmstrips (s) | clips/min | first clip done (s) | load avg before / after |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for k, r in enumerate(runs, 1):
        lines.append(
            f"| {k} | {r['workers']} | {r['seconds_all_ready']} | {r['seconds_all_done']} | {r['clips_per_minute']} | {r['first_done']} | "
            f"{r['load_average_1min'][0]} / {r['load_average_1min'][1]} |"
        )
    rates = {n: median(r["clips_per_minute"] for r in runs if r["workers"] == n) for n in counts}
    lines += [""] + [f"{n} worker(s): {rates[n]:.2f} clips per minute (median of {args.repeat})" for n in counts]
    if len(counts) >= 2:
        lines.append(f"{counts[-1]} workers / {counts[0]}: {rates[counts[-1]] / rates[counts[0]]:.2f}x the clips per minute")
    table = "\n".join(lines)
    print("\n" + table)
    CACHE.mkdir(exist_ok=True)
    out = CACHE / f"workers-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"what": what, "runs": runs, "markdown": table}, indent=2))
    print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted: every process started here is stopped", file=sys.stderr)
        sys.exit(130)
