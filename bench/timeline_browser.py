"""Benchmark: is the coding page smooth with 2,000 moments on a 60-minute clip? (a real browser)

A throw-away vib (temporary VIB_HOME, SQLite, inline jobs) gets a worker, a case with consent for
analysis and, uploaded and processed through the API as any upload, the same 60-minute synthetic clip
twice (vib.media.synth; 320x180, 25 fps H.264 with AAC, a keyframe every 10 s; made once and cached in
bench/.cache/): one clip stays empty, the other gets N moments (default 2,000) spread over the hour
with the fixed-seed mix of codes, actors, spans, notes and tags of bench/moments_api.py, through
vib.coding.operations.create_moment. The batch thumbnail job each change starts is switched off, also
for the moments the browser makes (it would compete for the CPU with the browser).

The app is served by werkzeug in a thread; headless Chromium (Debian's, /usr/bin/chromium, driven by
Playwright) logs in and, in each round, opens the coding page of the empty clip and of the coded one
(so both are measured under the same load of this shared machine), and measures:

  load        from navigation start: the moments JSON received, the page ready (data-ready: the list
              counts its N moments, checked; it puts only the rows in view in the page) and the timeline drawn (end of its first canvas redraw)
  playback    10 s at 1x and at 2x from minute 20, at the opening (whole-clip) zoom: frames presented
              (requestVideoFrameCallback metadata.presentedFrames, and the number of callbacks the
              page got), dropped frames (getVideoPlaybackQuality), main-thread long tasks (> 50 ms,
              PerformanceObserver 'longtask'): number, total and longest
  hotkey      a code key (i) at eight places of the clip, paused, and four times while playing: from
              the key's event (keyup when playing: a tap while playing is marked on release) to the new
              row in the list, to the next frame after it, and to the timeline's canvas redrawn; the
              new moment is deleted again (Delete) so N stays
  zoom/scroll a redraw of the whole clip (Esc, five times: it unselects, which redraws), the zoom-in
              key (=) 8 times from there (key to redrawn, and the redraw's own time), then scrolling
              across the whole hour at that zoom, one view per frame (each redraw's time, the frame
              intervals, long tasks)

The redraws are found without changing vib: an init script wraps requestAnimationFrame and marks the
callbacks that clear the timeline's canvas (Timeline.draw starts with clearRect); their duration is
the script time of one redraw (drawing on a software canvas is recorded, the pixels are made later on
the raster thread: the frame intervals show what the whole frame cost). A redraw reads the view's
width, so when the page's layout is out of date it includes bringing it up to date: the first redraw
after loading lays out the whole moment list.

The page's Content-Security-Policy forbids eval, so nothing waits with page.wait_for_function: Python
polls page.evaluate (which the DevTools protocol runs outside the policy).

    PYTHONPATH=. python bench/timeline_browser.py [--moments 2000] [--rounds 3] [--seconds 10]

Medians over the rounds are printed as a table (figure, 0 moments, N moments, ratio). The exit code is
1 only when the run is broken (no browser, a page error, a count that does not match), never for
slowness.
"""

from __future__ import annotations

import argparse
import logging
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from statistics import median

from moments_api import SEED, create_moments, make_app, make_worker_and_case, moment_fields  # bench/ is sys.path[0]
from thumbnails import cached_clip

from vib.clips.models import Clip
from vib.core import db
from vib.media.synth import ClipSpec

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
EMAIL, PASSWORD = "worker@example.org", "correct horse battery"  # made by moments_api.make_worker_and_case
CLIP = ClipSpec(seconds=3600, fps=25, width=320, height=180, gop=250, preset="veryfast", audio=True)
PLAY_FROM_S = 1200  # minute 20
HOTKEY = "i"  # bc.initiatief: a point, actor client
HOTKEY_AT_S = [300, 700, 1100, 1500, 1900, 2400, 2900, 3300]
HOTKEY_PLAYING = 4
ZOOM_STEPS = 8

# Installed before any of the page's scripts run (Page.addScriptToEvaluateOnNewDocument is not
# subject to the page's CSP).
INIT_SCRIPT = r"""
(() => {
  const B = window.__bench = { longtasks: [], draws: [], keys: [], readyAt: null, rowsAtReady: null };
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) B.longtasks.push([e.startTime, e.duration]);
    }).observe({ type: "longtask", buffered: true });
  } catch (e) { B.noLongtasks = String(e); }
  // A redraw of the timeline is a requestAnimationFrame callback that clears its canvas.
  let cleared = false;
  const clearRect = CanvasRenderingContext2D.prototype.clearRect;
  CanvasRenderingContext2D.prototype.clearRect = function (...args) {
    if (this.canvas.closest && this.canvas.closest(".timeline")) cleared = true;
    return clearRect.apply(this, args);
  };
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (callback) => raf((timestamp) => {
    cleared = false;
    const started = performance.now();
    try { callback(timestamp); } finally {
      if (cleared) B.draws.push([started, performance.now() - started]);
      cleared = false;
    }
  });
  for (const type of ["keydown", "keyup"]) {
    window.addEventListener(type, (e) => B.keys.push({ type, key: e.key, t: e.timeStamp }), true);
  }
  new MutationObserver(() => {
    const root = document.querySelector(".coding");
    if (B.readyAt === null && root && root.dataset.ready === "true") {
      B.readyAt = performance.now();
      B.rowsAtReady = Number(document.querySelector(".moment-count").textContent);
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-ready"] });
})();
"""


# -- the app ----------------------------------------------------------------------------------------


def set_up(home: Path, moments: int):
    """A vib with two processed copies of the hour clip: (app, empty clip id, coded clip id)."""
    clip_path = cached_clip("timeline", CLIP)
    app = make_app(home, f"sqlite:///{home.parent / 'vib.sqlite3'}")  # also switches the thumbnail job off
    worker_id, case_id, token = make_worker_and_case(app)
    client = app.test_client(use_cookies=False)
    auth = {"Authorization": f"Bearer {token}"}
    ids = []
    for title in ("No moments", f"{moments} moments"):
        started = time.perf_counter()
        with open(clip_path, "rb") as f:
            made = client.post(
                "/api/clips",
                headers=auth,
                content_type="multipart/form-data",
                data={"file": (f, "visit.mp4"), "case_id": str(case_id), "title": title},
            )
        assert made.status_code == 201, made.json
        clip = client.get(f"/api/clips/{made.json['id']}", headers=auth).json
        assert clip["status"] == "ready", clip
        frames = client.get(f"/api/clips/{clip['id']}/frames", headers=auth)  # measured once, then kept
        assert frames.status_code == 200 and len(frames.json["times_ms"]) == round(CLIP.seconds * CLIP.fps), frames.status_code
        print(f"uploaded and processed clip {clip['id']} ({title}): {time.perf_counter() - started:.1f} s", flush=True)
        ids.append(clip["id"])
    with app.app_context():
        duration = db.session().get(Clip, ids[1]).duration_ms
    seconds = create_moments(app, ids[1], worker_id, moment_fields(random.Random(SEED), moments, duration - 40))
    listed = client.get(f"/api/clips/{ids[1]}/moments", headers=auth).json
    assert len(listed) == moments, len(listed)
    print(f"{moments} moments created in {seconds:.1f} s", flush=True)
    return app, ids[0], ids[1]


def serve(app):
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


# -- page helpers ----------------------------------------------------------------------------------


class Broken(Exception):
    """The run cannot be trusted (not: the page is slow)."""


def wait_for(page, function: str, timeout: float = 30.0, what: str = ""):
    """Poll a page function ("() => ...") until it returns something truthy; return that."""
    deadline = time.monotonic() + timeout
    while not (result := page.evaluate(function)):
        if time.monotonic() > deadline:
            raise Broken(f"timed out waiting for {what or function}")
        time.sleep(0.05)
    return result


def long_tasks(page, start: float, end: float) -> dict:
    time.sleep(0.3)  # observers report a little later
    tasks = page.evaluate("([a, b]) => window.__bench.longtasks.filter(([t]) => t >= a && t < b)", [start, end])
    return {"count": len(tasks), "total": sum(d for _, d in tasks), "max": max((d for _, d in tasks), default=0.0)}


def seek(page, seconds: float) -> None:
    page.evaluate("(s) => { document.querySelector('.coding video').currentTime = s; }", seconds)
    there = (
        "() => { const v = document.querySelector('.coding video');"
        f" return !v.seeking && v.readyState >= 2 && Math.abs(v.currentTime - {seconds}) < 0.5; }}"
    )
    wait_for(page, there, what=f"a seek to {seconds} s")


def wait_saved(page) -> None:
    wait_for(page, "() => document.querySelector('.save-status').dataset.state === 'saved'", what="saved")


def row_count(page) -> int:
    """The moments the list counts (it puts only the rows in view in the page)."""
    return page.evaluate("() => Number(document.querySelector('.moment-list .moment-count').textContent)")


# -- the measurements ----------------------------------------------------------------------------


# When the page had its moments: the timeline's first redraw after it draws them (the page may
# become ready, its panels set up, before or after that redraw).
MOMENTS_RECEIVED = "performance.getEntriesByType('resource').find((e) => /\\/moments(\\?|$)/.test(e.name))?.responseEnd ?? Infinity"


def measure_load(page, url: str, count: int) -> dict:
    page.goto(url)
    wait_for(page, "() => window.__bench.readyAt !== null", what="the page ready")
    drawn = wait_for(
        page,
        f"() => {{ const B = window.__bench; const d = B.draws.find(([t]) => t >= ({MOMENTS_RECEIVED})); return d && d[0] + d[1]; }}",
        what="the timeline drawn",
    )
    bench = page.evaluate(
        r"""() => {
      const B = window.__bench;
      const received = MOMENTS_RECEIVED;
      return { readyAt: B.readyAt, rows: B.rowsAtReady, draw: B.draws.find(([t]) => t >= received)[1], noLongtasks: B.noLongtasks || null,
               moments: received };
    }""".replace("MOMENTS_RECEIVED", MOMENTS_RECEIVED)
    )
    if bench["noLongtasks"]:
        raise Broken(f"no long task observer in this browser: {bench['noLongtasks']}")
    if bench["rows"] != count or row_count(page) != count:
        raise Broken(f"the list counts {bench['rows']} moments when ready, {row_count(page)} now; expected {count}")
    wait_for(page, "() => document.querySelector('.coding video').readyState >= 2", what="the video loaded")
    tasks = long_tasks(page, 0, drawn)
    return {
        "moments JSON received": bench["moments"],
        "ready (list built)": bench["readyAt"],
        "timeline drawn": drawn,
        "first redraw": bench["draw"],
        "long tasks until drawn": tasks["count"],
        "long task ms until drawn": tasks["total"],
        "longest long task until drawn": tasks["max"],
        "rows in the page": page.evaluate("() => document.querySelectorAll('.moment-list li').length"),
    }


START_COUNTING = r"""() => {
  const v = document.querySelector('.coding video');
  const q = v.getVideoPlaybackQuality();
  const p = window.__bench.playback = { t0: performance.now(), media0: v.currentTime, total0: q.totalVideoFrames, dropped0: q.droppedVideoFrames,
                                        callbacks: 0, first: null, last: null, done: false };
  const onFrame = (now, meta) => {
    if (p.done) return;
    p.callbacks += 1;
    if (p.first === null) p.first = meta.presentedFrames;
    p.last = meta.presentedFrames;
    v.requestVideoFrameCallback(onFrame);
  };
  v.requestVideoFrameCallback(onFrame);
  return p.t0;
}"""

STOP_COUNTING = r"""() => {
  const v = document.querySelector('.coding video');
  const q = v.getVideoPlaybackQuality();
  const p = window.__bench.playback;
  p.done = true;
  return { t0: p.t0, t1: performance.now(), media: v.currentTime - p.media0, callbacks: p.callbacks, presented: (p.last ?? 0) - (p.first ?? 0),
           decoded: q.totalVideoFrames - p.total0, dropped: q.droppedVideoFrames - p.dropped0, playing: !v.paused };
}"""


def measure_playback(page, rate: float, seconds: float) -> dict:
    page.evaluate("(r) => { document.querySelector('.coding video').playbackRate = r; }", rate)
    if page.evaluate("() => document.querySelector('.coding video').paused"):
        page.keyboard.press("Space")
    wait_for(page, "() => { const v = document.querySelector('.coding video'); return !v.paused && v.readyState >= 3; }", what="playing")
    time.sleep(1.0)  # settle at this speed
    page.evaluate(START_COUNTING)
    time.sleep(seconds)
    got = page.evaluate(STOP_COUNTING)
    if not got["playing"] or got["media"] < seconds * rate * 0.5:
        raise Broken(f"the video did not play at {rate}x: {got}")
    tasks = long_tasks(page, got["t0"], got["t1"])
    expected = (got["t1"] - got["t0"]) / 1000 * rate * CLIP.fps
    return {
        "frames presented": got["presented"],
        "frames expected": expected,
        "frame callbacks": got["callbacks"],
        "dropped frames": got["dropped"],
        "long tasks": tasks["count"],
        "long task ms": tasks["total"],
        "longest task": tasks["max"],
    }


HOTKEY_PROBE = r"""() => {
  const B = window.__bench;
  const probe = B.probe = { row: null, frame: null, since: performance.now() };
  const list = document.querySelector('.moment-list ol');
  const observer = new MutationObserver((records) => {
    if (!records.some((r) => r.addedNodes.length)) return;
    observer.disconnect();
    probe.row = performance.now();
    requestAnimationFrame(() => { // the frame is rendered when a task queued from its rAF runs
      const channel = new MessageChannel();
      channel.port1.onmessage = () => { probe.frame = performance.now(); };
      channel.port2.postMessage(0);
    });
  });
  observer.observe(list, { childList: true });
}"""

HOTKEY_RESULT = r"""(type) => {
  const B = window.__bench;
  const p = B.probe;
  if (p.row === null || p.frame === null) return null;
  const key = B.keys.find((k) => k.type === type && k.t >= p.since - 1);
  const draw = B.draws.find(([t]) => t >= p.row);
  if (!key || !draw) return null;
  return { row: p.row - key.t, frame: p.frame - key.t, canvas: draw[0] + draw[1] - key.t, draw: draw[1] };
}"""


def press_code_key(page, playing: bool) -> dict:
    before = row_count(page)
    page.evaluate(HOTKEY_PROBE)
    if playing:
        page.keyboard.down(HOTKEY)
        time.sleep(0.05)  # a tap: shorter than a hold (350 ms)
        page.keyboard.up(HOTKEY)
    else:
        page.keyboard.press(HOTKEY)
    got = wait_for(page, f"() => ({HOTKEY_RESULT})('{'keyup' if playing else 'keydown'}')", what="the new row and redraw")
    if row_count(page) != before + 1:
        raise Broken(f"{row_count(page)} rows after a code key, expected {before + 1}")
    wait_saved(page)
    page.keyboard.press("Delete")  # the new moment is selected: N stays as it was
    wait_for(
        page, f"() => Number(document.querySelector('.moment-list .moment-count').textContent) === {before}", what="the moment deleted"
    )
    wait_saved(page)
    return got


def measure_hotkeys(page) -> dict:
    paused, playing = [], []
    for at in HOTKEY_AT_S:
        seek(page, at)
        time.sleep(0.2)
        paused.append(press_code_key(page, playing=False))
    seek(page, PLAY_FROM_S)
    page.evaluate("() => { document.querySelector('.coding video').playbackRate = 1; }")
    page.keyboard.press("Space")
    wait_for(page, "() => !document.querySelector('.coding video').paused", what="playing")
    time.sleep(0.5)
    for _ in range(HOTKEY_PLAYING):
        playing.append(press_code_key(page, playing=True))
        time.sleep(0.3)
    page.keyboard.press("k")
    return {"paused": paused, "playing": playing}


KEY_TO_REDRAW = r"""([name, since]) => {
  const B = window.__bench;
  const key = B.keys.find((k) => k.type === 'keydown' && k.key === name && k.t >= since);
  if (!key) return null;
  const draw = B.draws.find(([t]) => t >= key.t);
  return draw ? { redrawn: draw[0] + draw[1] - key.t, draw: draw[1] } : null;
}"""

SCROLL_ACROSS = r"""async () => {
  const B = window.__bench;
  const scroller = document.querySelector('.timeline-scroll');
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  scroller.scrollLeft = 0;
  await frame(); await frame(); await frame();
  const width = scroller.clientWidth;
  const firstDraw = B.draws.length;
  const intervals = [];
  const t0 = performance.now();
  let last = await frame();
  let views = 0;
  while (scroller.scrollLeft + width < scroller.scrollWidth - 1) {
    scroller.scrollLeft += width;
    views += 1;
    const now = await frame();
    intervals.push(now - last);
    last = now;
  }
  await frame(); await frame();
  const t1 = performance.now();
  return { t0, t1, views, intervals, draws: B.draws.slice(firstDraw).map(([, d]) => d) };
}"""


def measure_zoom_and_scroll(page) -> dict:
    seek(page, PLAY_FROM_S)
    wait_for(page, "() => document.querySelector('[data-zoom=out]').disabled", what="the whole clip in view")  # still fitted
    time.sleep(0.3)

    def redraw_after(key: str) -> dict:
        since = page.evaluate("() => performance.now()")
        page.keyboard.press(key)
        got = wait_for(page, f"() => ({KEY_TO_REDRAW})(['{key}', {since}])", what=f"a redraw after {key}")
        time.sleep(0.25)
        return got

    whole = [redraw_after("Escape") for _ in range(5)]
    steps = [redraw_after("=") for _ in range(ZOOM_STEPS)]
    ratio = page.evaluate("() => Number(document.querySelector('.timeline-content').dataset.pxPerMs)")
    scroll = page.evaluate(SCROLL_ACROSS)
    if scroll["views"] < 50 or len(scroll["draws"]) < scroll["views"] * 0.9:
        raise Broken(f"scrolling across drew {len(scroll['draws'])} times for {scroll['views']} views (zoom {ratio} px/ms)")
    tasks = long_tasks(page, scroll["t0"], scroll["t1"])
    intervals = sorted(scroll["intervals"])
    draws = sorted(scroll["draws"])
    return {
        "zoom key to redrawn": median(s["redrawn"] for s in steps),
        "zoom redraw, slowest": max(s["draw"] for s in steps),
        "whole clip redraw": median(w["draw"] for w in whole),
        "views": scroll["views"],
        "scroll redraw median": median(draws),
        "scroll redraw p95": percentile(draws, 0.95),
        "scroll redraw max": draws[-1],
        "scroll frame median": median(intervals),
        "scroll frame p95": percentile(intervals, 0.95),
        "scroll frame max": intervals[-1],
        "scroll frames > 50 ms": sum(i > 50 for i in intervals),
        "scroll long tasks": tasks["count"],
        "scroll long task ms": tasks["total"],
    }


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def one_round(context, base: str, clip_id: int, count: int, seconds: float) -> dict:
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: m.type == "error" and "Content Security Policy" in m.text and problems.append(m.text))
    try:
        result = {"load": measure_load(page, f"{base}/clips/{clip_id}/coding", count)}
        seek(page, PLAY_FROM_S)
        result["play 1x"] = measure_playback(page, 1, seconds)
        result["play 2x"] = measure_playback(page, 2, seconds)
        page.keyboard.press("k")
        result["hotkeys"] = measure_hotkeys(page)
        result["zoom"] = measure_zoom_and_scroll(page)
        if problems:
            raise Broken(f"errors in the page: {problems}")
        return result
    finally:
        page.close()


# -- report ----------------------------------------------------------------------------------------


def rows_of(rounds: list[dict]) -> list[tuple[str, float, str]]:
    """(figure, median value, unit) for one clip, over its rounds."""

    def med(path):
        values = []
        for r in rounds:
            value = r
            for part in path:
                value = value[part]
            values.append(value)
        return median(values)

    def events(kind, field, of=median):
        return of(e[field] for r in rounds for e in r["hotkeys"][kind])

    out = [
        ("load: moments JSON received", med(("load", "moments JSON received")), "ms"),
        ("load: page ready, list built", med(("load", "ready (list built)")), "ms"),
        ("load: timeline drawn", med(("load", "timeline drawn")), "ms"),
        ("load: first redraw (script)", med(("load", "first redraw")), "ms"),
        ("load: long tasks until drawn", med(("load", "long task ms until drawn")), "ms"),
        ("load: longest long task until drawn", med(("load", "longest long task until drawn")), "ms"),
        ("load: list rows in the page", med(("load", "rows in the page")), ""),
    ]
    for rate in ("1x", "2x"):
        key = f"play {rate}"
        out += [
            (f"play {rate}: frames presented (of ~{med((key, 'frames expected')):.0f})", med((key, "frames presented")), ""),
            (f"play {rate}: frame callbacks", med((key, "frame callbacks")), ""),
            (f"play {rate}: dropped frames", med((key, "dropped frames")), ""),
            (f"play {rate}: long tasks", med((key, "long tasks")), ""),
            (f"play {rate}: long tasks, total", med((key, "long task ms")), "ms"),
            (f"play {rate}: longest task", med((key, "longest task")), "ms"),
        ]
    out += [
        ("hotkey, paused: key to row in list", events("paused", "row"), "ms"),
        ("hotkey, paused: key to next frame", events("paused", "frame"), "ms"),
        ("hotkey, paused: key to next frame, slowest", events("paused", "frame", max), "ms"),
        ("hotkey, paused: key to canvas redrawn", events("paused", "canvas"), "ms"),
        ("hotkey, playing: key up to row in list", events("playing", "row"), "ms"),
        ("hotkey, playing: key up to next frame", events("playing", "frame"), "ms"),
        ("hotkey, playing: key up to next frame, slowest", events("playing", "frame", max), "ms"),
        ("hotkey, playing: key up to canvas redrawn", events("playing", "canvas"), "ms"),
        ("zoom: key to redrawn (8 steps, median)", med(("zoom", "zoom key to redrawn")), "ms"),
        ("redraw of the whole clip (Esc; script)", med(("zoom", "whole clip redraw")), "ms"),
        ("zoom: slowest of the 8 redraws (script)", med(("zoom", "zoom redraw, slowest")), "ms"),
        ("scroll across: redraw median (script)", med(("zoom", "scroll redraw median")), "ms"),
        ("scroll across: redraw p95 (script)", med(("zoom", "scroll redraw p95")), "ms"),
        ("scroll across: redraw max (script)", med(("zoom", "scroll redraw max")), "ms"),
        ("scroll across: frame interval median", med(("zoom", "scroll frame median")), "ms"),
        ("scroll across: frame interval p95", med(("zoom", "scroll frame p95")), "ms"),
        ("scroll across: frames > 50 ms", med(("zoom", "scroll frames > 50 ms")), ""),
        ("scroll across: long tasks, total", med(("zoom", "scroll long task ms")), "ms"),
    ]
    return out


def print_table(empty: list[dict], coded: list[dict], count: int, views: float) -> None:
    print(f"\nmedians of {len(empty)} round(s); the scroll crosses the hour in {views:.0f} views, one per frame\n")
    head = f"{count:,} moments"
    print(f"{'figure':48} {'0 moments':>10} {head:>14} {'ratio':>7}")
    for (name, a, unit), (_, b, _) in zip(rows_of(empty), rows_of(coded), strict=True):
        ratio = f"{b / a:.2f}" if a >= 0.5 else "-"
        fmt = (lambda v, unit=unit: f"{v:.1f} {unit}") if unit else (lambda v: f"{v:.0f}")
        print(f"{name:48} {fmt(a):>10} {fmt(b):>14} {ratio:>7}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moments", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3, help="rounds; each opens the empty clip, then the coded one")
    parser.add_argument("--seconds", type=float, default=10, help="playback measured at each speed")
    parser.add_argument("--verbose", action="store_true", help="print every round's figures")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"no Chromium at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 1
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("playwright is not installed (pip install -e '.[test]')", file=sys.stderr)
        return 1

    with tempfile.TemporaryDirectory(prefix="vib-bench-") as tmp:
        app, empty_id, coded_id = set_up(Path(tmp) / "home", args.moments)
        server, base = serve(app)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM,
                    args=[
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--no-first-run",
                    ],
                )
                context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
                context.add_init_script(INIT_SCRIPT)
                page = context.new_page()
                page.goto(f"{base}/login")
                page.fill("input[name=email]", EMAIL)
                page.fill("input[name=password]", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url("**/cases")
                for clip_id in (empty_id, coded_id):  # untimed: scripts and styles into the cache
                    page.goto(f"{base}/clips/{clip_id}/coding")
                    wait_for(page, "() => window.__bench.readyAt !== null", what="the page ready")
                page.close()
                results = {0: [], args.moments: []}
                for n in range(args.rounds):
                    for clip_id, count in ((empty_id, 0), (coded_id, args.moments)):
                        started = time.perf_counter()
                        results[count].append(one_round(context, base, clip_id, count, args.seconds))
                        print(f"round {n + 1}, {count} moments: {time.perf_counter() - started:.0f} s", flush=True)
                        if args.verbose:
                            print(results[count][-1], flush=True)
                browser.close()
        except Broken as exc:
            print(f"broken run: {exc}", file=sys.stderr)
            return 1
        finally:
            server.shutdown()
            with app.app_context():
                db.engine().dispose()
    print_table(results[0], results[args.moments], args.moments, median(r["zoom"]["views"] for r in results[args.moments]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
