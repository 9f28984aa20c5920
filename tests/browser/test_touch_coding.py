"""Coding on a tablet by touch alone (issue 17): a palette of codes, a tap marks the frame on screen,
press-and-hold while playing marks a span, a swipe on the filmstrip scrubs, and play, frame steps and
undo are buttons, in landscape (1024x768) and portrait (768x1024)."""

import time

import pytest

from tests.browser.conftest import accessibility_violations
from tests.browser.test_coding import INITIATIVE, RECEIVING, moments, open_coding, poll, wait_saved
from tests.browser.test_upload_and_play import log_in, snap, wait_until

TABLETS = {"landscape": {"width": 1024, "height": 768}, "portrait": {"width": 768, "height": 1024}}


@pytest.fixture(params=sorted(TABLETS))
def tablet(request, browser):
    """A page on a touch screen (touch events, a coarse pointer, no mouse) of a tablet's size."""
    context = browser.new_context(viewport=TABLETS[request.param], has_touch=True, is_mobile=True, locale="en-GB")
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.name = request.param
    yield page
    context.close()
    assert not problems, problems


def centre(page, selector):
    """Where to touch an element, in the viewport (scrolled into view first, as a finger would)."""
    page.locator(selector).scroll_into_view_if_needed()
    box = page.locator(selector).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def touch(cdp, kind, points):
    cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y} for x, y in points]})


def count_mouse_events(page):
    page.evaluate(
        """() => { window.mouseEvents = 0;
                   for (const type of ['mousedown', 'mouseup']) document.addEventListener(type, (e) => {
                     if (!e.sourceCapabilities?.firesTouchEvents) window.mouseEvents += 1; }, true); }"""
    )


def test_a_worker_codes_a_clip_by_touch_alone(api, live_server, tablet, ready_clip):
    page = tablet
    clip_id = ready_clip["id"]
    frames = api("worker").get(f"/api/clips/{clip_id}/frames").json["times_ms"]
    log_in(page, live_server, "worker@example.org")
    open_coding(page, live_server, clip_id)
    count_mouse_events(page)
    cdp = page.context.new_cdp_session(page)

    palette = page.locator(".touch-palette")
    assert palette.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    initiative = f'.touch-palette button[data-code="{INITIATIVE}"]'
    assert page.locator(initiative).bounding_box()["height"] >= 44  # a finger's size (WCAG 2.5.5)

    # Paused: five frame steps by button, then a tap on a code marks that frame.
    for _ in range(5):
        page.tap('.transport [data-transport="forward"]')
    wait_until(page, f"Math.abs(document.querySelector('.coding video').currentTime * 1000 - {frames[5]}) < 1")
    page.tap(initiative)
    point = poll(lambda: [m for m in moments(api, clip_id) if m["code"] == INITIATIVE])
    assert [(m["start_ms"], m["end_ms"]) for m in point] == [(frames[5], None)]

    # Playing: a code held for most of a second marks a span from the press to the release.
    page.tap('.transport [data-transport="play"]')
    wait_until(page, "!document.querySelector('.coding video').paused")
    touch(cdp, "touchStart", [centre(page, f'.touch-palette button[data-code="{RECEIVING}"]')])
    time.sleep(0.8)
    touch(cdp, "touchEnd", [])
    page.tap('.transport [data-transport="play"]')  # pause
    span = poll(lambda: [m for m in moments(api, clip_id) if m["code"] == RECEIVING])
    assert len(span) == 1 and span[0]["end_ms"] is not None and span[0]["end_ms"] - span[0]["start_ms"] >= 400

    # Undo is a button: the span goes again.
    page.tap('.touch-palette [data-palette="undo"]')
    wait_saved(page)
    poll(lambda: not [m for m in moments(api, clip_id) if m["code"] == RECEIVING])

    # A swipe along the filmstrip scrubs the video to where the finger stops.
    page.locator(".coding .filmstrip").scroll_into_view_if_needed()
    strip = page.locator(".coding .filmstrip").bounding_box()
    y = strip["y"] + strip["height"] / 2
    xs = [strip["x"] + strip["width"] * f for f in (0.1, 0.3, 0.5, 0.7, 0.8)]
    touch(cdp, "touchStart", [(xs[0], y)])
    for x in xs[1:]:
        touch(cdp, "touchMove", [(x, y)])
        time.sleep(0.05)
    touch(cdp, "touchEnd", [])
    target_ms = 0.8 * ready_clip["duration_ms"]
    wait_until(page, f"Math.abs(document.querySelector('.coding video').currentTime * 1000 - {target_ms}) < 60")

    assert page.evaluate("window.mouseEvents") == 0
    snap(page, f"touch-coding-{page.name}")
    assert accessibility_violations(page) == []


def test_with_a_mouse_and_keyboard_the_palette_stays_out_of_the_way(live_server, page, ready_clip):
    log_in(page, live_server, "worker@example.org")
    open_coding(page, live_server, ready_clip["id"])
    assert page.locator(".touch-palette").is_hidden()
