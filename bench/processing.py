"""Benchmark: from the end of an upload to a playable file, vib against a plain ffmpeg remux.

The clip is like a phone recording: 10 minutes (default) of 1280x720, 30 fps H.264 at about 6 Mbit/s
(a moving, grainy picture, a keyframe a second, no B-frames, as phones record) with 48 kHz AAC audio,
and the moov index at the end of the file. A 10 s stretch is encoded once and its packets repeated
with shifted timestamps, so making a 450 MB file takes seconds. Cached in bench/.cache/.

  (i)   ffmpeg -y -v error -i clip -c copy -movflags +faststart out.mp4
  (ii)  vib: vib.media.probe.probe(clip), then vib.media.playable.make_playable(clip, out, facts)

Each is run --repeat times (default 3), interleaved, and the medians are compared (target: vib <= 2x
ffmpeg). Then, unless --no-transcode, a 60 s 720p HEVC/AAC clip goes through vib's path (a transcode to
H.264) and through the equivalent ffmpeg command, to report the transcode speed as x realtime.

    PYTHONPATH=. python bench/processing.py [--minutes 10] [--repeat 3] [--no-transcode] [--check]
"""

from __future__ import annotations

import argparse
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

import av
import numpy as np
from thumbnails import CACHE, cached_clip  # bench/ is on sys.path when this file is run as a script

from vib.media.playable import make_playable, needs_transcoding
from vib.media.probe import probe
from vib.media.synth import ClipSpec, write_samples

FFMPEG = shutil.which("ffmpeg")
MAX_RATIO = 2.0


def top_level_boxes(path: Path) -> list[str]:
    """The MP4 file's top-level box types in order (to show where moov is)."""
    boxes = []
    with open(path, "rb") as f:
        while header := f.read(8):
            size, kind = struct.unpack(">I4s", header)
            if size == 1:
                size = struct.unpack(">Q", f.read(8))[0] - 8
            boxes.append(kind.decode("latin-1"))
            if size == 0:
                break
            f.seek(size - 8, 1)
    return boxes


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def ffmpeg(*args: str) -> None:
    subprocess.run([FFMPEG, "-y", "-v", "error", *args], check=True)


def vib_path(src: Path, dst: Path) -> tuple[float, float]:
    """Seconds spent in probe and in make_playable."""
    started = time.perf_counter()
    facts = probe(src)
    probed = time.perf_counter()
    make_playable(str(src), str(dst), facts)
    return probed - started, time.perf_counter() - probed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-transcode", action="store_true")
    parser.add_argument("--check", action="store_true", help="exit 1 when vib is over 2x ffmpeg")
    args = parser.parse_args()
    if FFMPEG is None:
        print("no ffmpeg binary on PATH: nothing to compare against")
        return 1

    clip = phone_like_clip(args.minutes)
    print(f"{clip.name}: {clip.stat().st_size / 1e6:.1f} MB, boxes {top_level_boxes(clip)}")
    work = Path(tempfile.mkdtemp(prefix="vib-bench-"))
    try:
        ffmpeg_s, probe_s, playable_s = [], [], []
        for _ in range(args.repeat):
            ffmpeg_s.append(timed(lambda: ffmpeg("-i", str(clip), "-c", "copy", "-movflags", "+faststart", str(work / "ffmpeg.mp4"))))
            p, m = vib_path(clip, work / "vib.mp4")
            probe_s.append(p)
            playable_s.append(m)
        vib_s = [p + m for p, m in zip(probe_s, playable_s, strict=True)]
        out_facts = probe(work / "vib.mp4")
        print(
            f"vib output: boxes {top_level_boxes(work / 'vib.mp4')}, {out_facts.frame_count} frames, "
            f"{out_facts.video_codec}/{out_facts.audio_codec}, {out_facts.duration_ms} ms"
        )

        ratio = median(vib_s) / median(ffmpeg_s)
        print(f"\nremux of {args.minutes:g} min 720p H.264/AAC (moov at the end), median of {args.repeat}:")
        print(f"  (i)  ffmpeg -c copy +faststart      {median(ffmpeg_s):7.2f} s   runs {fmt(ffmpeg_s)}")
        print(f"  (ii) vib probe + make_playable      {median(vib_s):7.2f} s   runs {fmt(vib_s)}")
        print(f"         of which probe               {median(probe_s):7.2f} s   runs {fmt(probe_s)}")
        print(f"         of which make_playable       {median(playable_s):7.2f} s   runs {fmt(playable_s)}")
        print(
            f"  ratio vib / ffmpeg                  {ratio:7.2f}x  (target <= {MAX_RATIO:g}x): "
            + ("PASS" if ratio <= MAX_RATIO else "FAIL")
        )

        if not args.no_transcode:
            transcode(work)
    finally:
        shutil.rmtree(work)
    return 1 if args.check and ratio > MAX_RATIO else 0


SEGMENT_SECONDS, FPS, WIDTH, HEIGHT, VIDEO_BITRATE = 10, 30, 1280, 720, 6_000_000


def phone_like_clip(minutes: float) -> Path:
    path = CACHE / f"processing-phone-{minutes:g}min.mp4"
    if not path.exists():
        CACHE.mkdir(exist_ok=True)
        segment = CACHE / "processing-phone-segment.mp4"
        if not segment.exists():
            _encode_segment(segment)
        partial = path.with_name(path.stem + ".partial.mp4")
        _repeat(segment, partial, round(minutes * 60 / SEGMENT_SECONDS))
        partial.replace(path)
    path.read_bytes()  # into the page cache, so neither side pays for the disk
    return path


def _encode_segment(path: Path) -> None:
    rng = np.random.default_rng(1)
    texture = rng.integers(0, 256, (HEIGHT, WIDTH * 2, 3), dtype=np.uint8)
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        video.bit_rate = VIDEO_BITRATE
        video.options = {"preset": "veryfast", "g": str(FPS), "bf": "0"}
        audio = out.add_stream("aac", rate=48000)
        audio.layout = "mono"
        for i in range(SEGMENT_SECONDS * FPS):
            picture = np.ascontiguousarray(texture[:, i * 4 : i * 4 + WIDTH])  # a slow pan over grain
            picture[(i * 7) % HEIGHT :, :, 0] //= 2
            out.mux(video.encode(av.VideoFrame.from_ndarray(picture, format="bgr24")))
        out.mux(video.encode(None))
        t = np.arange(48000 * SEGMENT_SECONDS) / 48000
        write_samples(out, audio, (0.2 * np.sin(2 * np.pi * 220 * t) * np.sin(2 * np.pi * 3 * t)).astype(np.float32), 48000)


def _repeat(segment: Path, path: Path, times: int) -> None:
    """`times` copies of the segment's packets, one after another, moov at the end (no faststart)."""
    with av.open(str(segment)) as probe_source:
        lengths = {s.index: _stream_length(probe_source, s) for s in probe_source.streams}
    with av.open(str(segment)) as template, av.open(str(path), "w", format="mp4") as out:
        streams = {s.index: out.add_stream_from_template(s) for s in template.streams}
        for k in range(times):
            with av.open(str(segment)) as source:
                for packet in source.demux():
                    if packet.dts is None or (k and packet.pts < 0):  # AAC priming: only at the start
                        continue
                    shift = k * lengths[packet.stream.index]
                    packet.pts += shift
                    packet.dts += shift
                    packet.stream = streams[packet.stream.index]
                    out.mux(packet)


def _stream_length(container, stream) -> int:
    """The stream's length in its own time base: where the next copy starts."""
    ends = [p.pts + p.duration for p in container.demux(stream) if p.pts is not None and p.duration]
    container.seek(0)
    return max(ends) - (stream.start_time or 0)


def transcode(work: Path) -> None:
    spec = ClipSpec(seconds=60, fps=25, width=1280, height=720, codec="libx265", audio=True, preset="superfast")
    clip = cached_clip("processing-hevc-aac-60s", spec)
    facts = probe(clip)
    assert needs_transcoding(facts)
    p, m = vib_path(clip, work / "vib-transcoded.mp4")
    ff = timed(
        lambda: ffmpeg(
            "-i",
            str(clip),
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "23",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "copy",
            "-movflags",
            "+faststart",
            str(work / "ff-transcoded.mp4"),
        )
    )
    print("\ntranscode of 60 s 720p25 HEVC/AAC to H.264 (x264 veryfast crf 23), one run each:")
    print(f"  vib probe + make_playable           {p + m:7.2f} s   {60 / (p + m):5.1f}x realtime  (probe {p:.2f} s)")
    print(f"  ffmpeg CLI, same settings           {ff:7.2f} s   {60 / ff:5.1f}x realtime   ratio vib/ffmpeg {(p + m) / ff:.2f}x")


def fmt(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    sys.exit(main())
