"""The frame a worker sees is the frame vib codes: in a real browser, on constant- and variable-frame-
rate video, upright and rotated. Every test clip paints its frame index into its pixels, so at each
stop the test reads the index off the <video> element as it is on screen, presses a code key, and
checks that the moment the server stored starts at that same frame (in the frames list and in the
thumbnail the server cuts there), and that the page's time and frame counter say so too."""

from __future__ import annotations

import base64
import math
import time

import cv2
import numpy as np
import pytest

from tests.browser.test_coding import format_time, open_coding, poll, timeline_x
from tests.browser.test_upload_and_play import log_in, snap
from tests.conftest import wait_for_jobs
from vib.media.synth import read_index

INITIATIVE = "bc.initiatief"  # key i: a point moment at the frame on screen
CLIPS = ["vfr.mp4", "cfr.mp4", "rotated.mp4", "hevc.mov"]

# Counts the frames the browser presents (requestVideoFrameCallback fires once a new frame has been
# handed to the compositor, also after a seek while paused) and keeps the last one's mediaTime.
WATCH_FRAMES = """() => {
  const video = document.querySelector('.coding video');
  const watch = { presented: 0, mediaTime: null };
  const onFrame = (now, metadata) => {
    watch.presented += 1;
    watch.mediaTime = metadata.mediaTime;
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
  window.frameWatch = watch;
}"""

# Where the <video> element is in the viewport, where the picture is inside it (object-fit: contain
# letterboxes it) relative to its border box, and the player's state.
VIDEO_STATE = """() => {
  const video = document.querySelector('.coding video');
  const box = video.getBoundingClientRect();
  const style = getComputedStyle(video);
  const px = (name) => parseFloat(style[name]) || 0;
  const left = px('borderLeftWidth') + px('paddingLeft');
  const top = px('borderTopWidth') + px('paddingTop');
  const width = box.width - left - px('borderRightWidth') - px('paddingRight');
  const height = box.height - top - px('borderBottomWidth') - px('paddingBottom');
  const scale = Math.min(width / video.videoWidth, height / video.videoHeight);
  return {
    element: { x: box.left, y: box.top, width: box.width, height: box.height },
    picture: { x: left + (width - video.videoWidth * scale) / 2, y: top + (height - video.videoHeight * scale) / 2,
               width: video.videoWidth * scale, height: video.videoHeight * scale },
    seeking: video.seeking, readyState: video.readyState, paused: video.paused,
    currentMs: video.currentTime * 1000, presented: window.frameWatch.presented,
    mediaMs: window.frameWatch.mediaTime === null ? null : window.frameWatch.mediaTime * 1000,
    timeNow: document.querySelector('.time-now').textContent,
    frameNow: document.querySelector('.frame-now').textContent,
  };
}"""


@pytest.fixture(params=CLIPS)
def clip(request, app, api, case, videos):
    """An uploaded, processed clip of `worker`, one per test clip (frame i shows index i)."""
    response = api("worker").upload(case["id"], videos[request.param])
    assert response.status_code == 201, response.json
    wait_for_jobs(app)
    made = api("worker").get(f"/api/clips/{response.json['id']}").json
    assert made["status"] == "ready", made
    return made


DRAW_VIDEO = """() => {
  const video = document.querySelector('.coding video');
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext('2d').drawImage(video, 0, 0);
  return canvas.toDataURL('image/png');
}"""


def shown_index(page, state):
    """The frame index in the picture the <video> element shows now, read from a screenshot of it."""
    png = page.screenshot(clip=picture_on_screen(page, state))
    index = read_index(cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR))
    assert index is not None, f"no upright frame index in the picture on screen ({state})"
    return index


def picture_on_screen(page, state):
    """The whole pixels of the viewport that show the picture: the part of a screenshot of the element
    (Playwright's, from the pixel its box starts in) inside the letterbox. A screenshot of just these
    pixels has the same ones in half the time: Playwright's element screenshot first waits for the
    element to hold still (two animation frames) and encodes the letterbox too."""
    element, picture = state["element"], state["picture"]
    x, y = math.floor(element["x"]) + round(picture["x"]), math.floor(element["y"]) + round(picture["y"])
    width, height = round(picture["width"]), round(picture["height"])
    viewport = page.viewport_size
    assert 0 <= x and 0 <= y and x + width <= viewport["width"] and y + height <= viewport["height"], f"the video is out of view: {state}"
    return {"x": x, "y": y, "width": width, "height": height}


def held_index(page):
    """The frame index in the picture the player holds (drawn into a canvas: the video's current frame,
    upright). The screen shows it once the compositor has caught up."""
    data_url = page.evaluate(DRAW_VIDEO)
    png = base64.b64decode(data_url.split(",", 1)[1])
    return read_index(cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR))


def settle(page, presented_before, timeout=15.0):
    """Wait until the browser has presented a new frame after a seek (any frame, with presented_before
    None), the screen shows the frame the paused player holds, and it holds still; return (index on
    screen, player state). Headless Chromium's screen can lag the player by a few hundred ms after a
    pause, without a frame callback when it catches up."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        assert time.monotonic() < deadline, f"the picture did not settle (on screen, held by the player, state): {last}"
        state = page.evaluate(VIDEO_STATE)
        fresh = presented_before is None or state["presented"] > presented_before
        if state["seeking"] or state["readyState"] < 2 or not state["paused"] or not fresh:
            time.sleep(0.02)
            continue
        index, held = shown_index(page, state), held_index(page)
        last = (index, held, state)
        if index != held:
            time.sleep(0.02)
            continue
        page.evaluate(AFTER_PAINTS)  # holding still: the same frame on screen four paints later, none presented since
        again = page.evaluate(VIDEO_STATE)
        if not again["seeking"] and again["presented"] == state["presented"] and shown_index(page, again) == index == held_index(page):
            return index, again


# Resolves after the compositor has painted four more times (about 70 ms at 60 Hz): a condition to wait
# for instead of a fixed time.
AFTER_PAINTS = """() => new Promise((resolve) => {
  let left = 4;
  const next = () => (--left ? requestAnimationFrame(next) : resolve());
  requestAnimationFrame(next);
})"""


def presented(page):
    return page.evaluate("() => window.frameWatch.presented")


def moments_by_id(api, clip_id):
    response = api("worker").get(f"/api/clips/{clip_id}/moments")
    assert response.status_code == 200, response.json
    return {m["id"]: m for m in response.json}


class Coder:
    """Drives the coding page and checks every stop."""

    def __init__(self, page, api, clip, frames):
        self.page, self.api, self.clip, self.frames = page, api, clip, frames
        self.known = set(moments_by_id(api, clip["id"]))
        self.stops = []  # (how we got there, index on screen)

    def act(self, how, action, new_frame=True):
        """Do something that moves to another frame, then check the frame there; returns its index."""
        before = presented(self.page) if new_frame else None
        action()
        index, state = settle(self.page, before)
        self.check(how, index, state, media_time=new_frame)
        return index

    def check(self, how, index, state, media_time=True):
        frames, clip_id = self.frames, self.clip["id"]
        where = f"{self.clip['title']} after {how}: index {index} on screen, {state}"
        assert 0 <= index < len(frames), where
        # The page's clock and counter name the frame on screen.
        assert state["frameNow"] == f"frame {index + 1} of {len(frames)}", where
        assert state["timeNow"] == format_time(frames[index]), where
        # The browser's own account of the frame it presented last agrees (within the ms the list rounds
        # up). Not after a pause: a frame handed over as it paused may report after the snap back.
        if media_time and state["mediaMs"] is not None:
            assert frames[index] - 1 < state["mediaMs"] <= frames[index] + 0.001, where
        # Code it: the stored moment starts at that frame ...
        self.page.keyboard.press("i")
        new = poll(lambda: [m for i, m in moments_by_id(self.api, clip_id).items() if i not in self.known])
        assert len(new) == 1, (where, new)
        moment = new[0]
        self.known.add(moment["id"])
        assert (moment["code"], moment["end_ms"]) == (INITIATIVE, None), moment
        assert moment["start_ms"] in frames, (where, moment)
        assert frames.index(moment["start_ms"]) == index, (where, moment)
        # ... and so does the thumbnail the server cuts at its start.
        thumb = self.api("worker").get(f"/api/clips/{clip_id}/thumbnail?t={moment['start_ms']}&w={self.clip['width']}")
        assert thumb.status_code == 200, thumb.json
        picture = cv2.imdecode(np.frombuffer(thumb.data, np.uint8), cv2.IMREAD_COLOR)
        assert picture.shape[1] == self.clip["width"], picture.shape
        assert read_index(picture) == index, (where, moment)
        self.stops.append((how, index))


@pytest.mark.slow  # half a minute per clip: `python -m pytest -m "not slow"` skips it; CI runs it
def test_the_frame_on_screen_is_the_frame_coded_and_thumbnailed(app, api, people, live_server, page, clip):
    clip_id = clip["id"]
    frames = api("worker").get(f"/api/clips/{clip_id}/frames").json["times_ms"]
    assert frames[0] == 0 and frames == sorted(set(frames))
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    open_coding(page, live_server, clip_id)
    page.evaluate(WATCH_FRAMES)
    page.keyboard.press("k")  # paused (it starts paused; k makes sure)
    coder = Coder(page, api, clip, frames)
    keys = page.keyboard.press

    # Frame by frame through the start of the clip: index 1, 2, ... 15 in turn.
    for expected in range(1, 16):
        assert coder.act(f"→ to frame {expected}", lambda: keys("ArrowRight")) == expected
    assert coder.act("←", lambda: keys("ArrowLeft")) == 14

    # A second further, then frame steps from there.
    far = coder.act("Shift+→", lambda: keys("Shift+ArrowRight"))
    assert frames[far] <= frames[14] + 1000 < (frames[far + 1] if far + 1 < len(frames) else float("inf"))
    for step in range(1, 4):
        assert coder.act(f"→ {step} after Shift+→", lambda: keys("ArrowRight")) == far + step

    # Play, then pause: the picture stops on some frame, and that is the one coded. (The browser keeps
    # showing the last frame it presented; its currentTime is where its clock stopped, often in the
    # frame before or after.)
    def play_and_pause(seconds):
        keys("Space")
        poll(lambda: page.evaluate("() => !document.querySelector('.coding video').paused"))
        time.sleep(seconds)  # it plays for that long: what is tested is where a pause after it stops
        keys("k")

    for seconds in (0.35, 0.6, 0.5, 0.85, 0.45, 0.7):
        keys("Home")
        poll(lambda: page.evaluate("() => !document.querySelector('.coding video').seeking"))
        at = coder.act(f"playing {seconds} s and pausing", lambda: play_and_pause(seconds), new_frame=False)
        assert at > 0
        assert coder.act("→ after the pause", lambda: keys("ArrowRight")) == at + 1

    # The filmstrip: a click goes to the whole ms under the pointer; the strip keeps the focus, so
    # → and ← there move a second (currentTime ± 1 s, not a listed time).
    strip = page.locator(".filmstrip")
    strip.scroll_into_view_if_needed()
    box = strip.bounding_box()

    def click_strip(fraction):
        page.mouse.click(box["x"] + box["width"] * fraction, box["y"] + box["height"] / 2)
        page.mouse.move(1, 1)  # away, so the strip's preview does not cover the video

    for fraction in (0.62, 0.31):
        at = coder.act(f"a filmstrip click at {fraction:.0%}", lambda: click_strip(fraction))
        assert abs(frames[at] - fraction * clip["duration_ms"]) < 150, (at, fraction)
        coder.act("→ on the filmstrip (+1 s)", lambda: keys("ArrowRight"))
    page.evaluate("() => document.activeElement.blur()")  # off the strip: the coding keys step frames again

    # The timeline ruler: a click snaps to the nearest frame start.
    for ms in (0.45 * clip["duration_ms"], 0.83 * clip["duration_ms"]):
        ruler_y = page.locator(".timeline canvas").bounding_box()["y"] + 10
        at = coder.act(f"a ruler click at {ms:.0f} ms", lambda: page.mouse.click(timeline_x(page, ms), ruler_y))
        px_per_ms = float(page.locator(".timeline-content").get_attribute("data-px-per-ms"))
        closest = min(abs(t - ms) for t in frames)
        assert abs(frames[at] - ms) <= closest + 1 / px_per_ms, (at, ms)  # the nearest frame, give or take a pixel
        assert coder.act("→ after the ruler", lambda: keys("ArrowRight")) == at + 1
        assert coder.act("← after the ruler", lambda: keys("ArrowLeft")) == at
        page.keyboard.press("Escape")

    # [ (nothing selected) goes to the latest moment before the playhead: the latest earlier stop.
    page.keyboard.press("Escape")
    before = coder.stops[-1][1]
    earlier = sorted({index for _, index in coder.stops if index < before})[-1]
    assert coder.act("[", lambda: keys("[")) == earlier

    # The last frame, and one back.
    assert coder.act("End", lambda: keys("End")) == len(frames) - 1
    assert coder.act("← from the end", lambda: keys("ArrowLeft")) == len(frames) - 2
    snap(page, f"frame-exact-{clip['title']}")
    assert len(coder.stops) >= 30
