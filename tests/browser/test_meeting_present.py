"""A worker presents a progress meeting in a real browser, with the keyboard only: the question, the
progress across cycles, then each item playing its clip from the pre-roll and holding the frame at the
end of the post-roll, the next item already loaded; back, the talking point hidden and shown, stills
instead of video, full screen and out, and Esc back to the meeting's page. axe on every kind of slide.
An empty meeting says so; the handout opens from the meeting."""

from __future__ import annotations

import base64
from datetime import timedelta

import cv2
import numpy as np
import pytest

from tests.browser.conftest import accessibility_violations
from tests.browser.test_upload_and_play import log_in, snap, wait_until
from tests.conftest import copy_processed_clip
from tests.days import organisation_today
from vib.media.synth import read_index

INITIATIVE, RECEPTION = "bc.initiatief", "bc.ontvangen"
FRAME_S = 0.04  # the test clip: 4 s at 25 frames a second, frame i shows index i

SHOWN = "document.querySelector('.slide:not([hidden])')"
ON_SCREEN = "document.querySelector('.stage video.on-screen')"

# Every time a player starts: which element, its source and where it starts.
WATCH_STARTS = """() => {
  window.starts = [];
  const videos = [...document.querySelectorAll('.stage video')];
  videos.forEach((video, element) => video.addEventListener('playing', () =>
    window.starts.push({ element, src: video.currentSrc, t: video.currentTime })));
}"""

DRAW_ON_SCREEN = """() => {
  const video = document.querySelector('.stage video.on-screen');
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext('2d').drawImage(video, 0, 0);
  return canvas.toDataURL('image/png');
}"""


def held_index(page) -> int | None:
    """The frame index in the picture the player on screen holds."""
    png = base64.b64decode(page.evaluate(DRAW_ON_SCREEN).split(",", 1)[1])
    return read_index(cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR))


def code(api, clip_id, start_ms, code_id) -> dict:
    made = api("worker").post(f"/api/clips/{clip_id}/moments", json={"start_ms": start_ms, "code": code_id})
    assert made.status_code == 201, made.json
    return made.json


def new_meeting(api, case) -> dict:
    made = api("worker").post(
        f"/api/cases/{case['id']}/meetings",
        json={"date": organisation_today().isoformat(), "question": "What helps the father keep talking?"},
    )
    assert made.status_code == 201, made.json
    return made.json


@pytest.fixture
def presented(app, api, people, case, ready_clip, processed_clip, review):
    """Three clips of the case in three cycles, coded; the supervisor's feedback on the first; a meeting
    of three items (the first two from a moment, the third a span without one, to the clip's end)."""
    worker = api("worker")
    today = organisation_today()
    first = ready_clip["id"]
    clip_fields = {"title": "First visit", "cycle": 1, "recorded_on": (today - timedelta(days=60)).isoformat()}
    assert worker.patch(f"/api/clips/{first}", json=clip_fields).status_code == 200
    second = copy_processed_clip(
        app, people, case["id"], processed_clip, title="Second visit", cycle=2, recorded_on=today - timedelta(days=30)
    )
    third = copy_processed_clip(app, people, case["id"], processed_clip, title="Third visit", cycle=3, recorded_on=today)
    initiative = code(api, first, 1000, INITIATIVE)
    code(api, first, 1400, RECEPTION)
    reception = code(api, second, 1200, RECEPTION)
    code(api, second, 1000, INITIATIVE)
    code(api, third, 2000, INITIATIVE)
    code(api, third, 2400, RECEPTION)
    supervisor = api("supervisor")
    feedback = supervisor.post(
        f"/api/reviews/{review['id']}/feedback", json={"kind": "strength", "text": "You wait until he looks up.", "start_ms": 1200}
    )
    assert feedback.status_code == 201, feedback.json
    assert supervisor.post(f"/api/reviews/{review['id']}/send").status_code == 200

    meeting = new_meeting(api, case)
    spans = [
        {"clip_id": first, "moment_id": initiative["id"], "start_ms": 1000, "end_ms": 2000, "pre_roll_ms": 600, "post_roll_ms": 400,
         "talking_point": "Here I wait for him."},
        {"clip_id": second, "moment_id": reception["id"], "start_ms": 1200, "end_ms": 2000, "pre_roll_ms": 400, "post_roll_ms": 800,
         "talking_point": "I name what he does."},
        {"clip_id": third, "start_ms": 2000, "end_ms": 3600, "pre_roll_ms": 1000, "post_roll_ms": 400, "talking_point": "He starts himself."},
    ]  # fmt: skip
    for span in spans:
        made = worker.post(f"/api/meetings/{meeting['id']}/items", json=span)
        assert made.status_code == 201, made.json
    meeting = worker.get(f"/api/meetings/{meeting['id']}").json
    items = meeting["items"]
    assert [(i["play_from_ms"], i["play_to_ms"]) for i in items] == [(400, 2400), (800, 2800), (1000, 4000)]
    assert items[0]["feedback"] and items[0]["moment"]["code"] == INITIATIVE and items[2]["moment"] is None
    return meeting


def wait_started(page, count):
    wait_until(page, f"window.starts.length >= {count}")
    return page.evaluate("window.starts")[count - 1]


def wait_held(page, item):
    """The player on screen stopped at the end of the item's post-roll and holds the frame there."""
    wait_until(page, f"{ON_SCREEN}.paused && !{ON_SCREEN}.seeking && {ON_SCREEN}.readyState >= 2", timeout=15)
    to_s = item["play_to_ms"] / 1000
    assert page.evaluate(f"{ON_SCREEN}.currentTime") == pytest.approx(to_s, abs=FRAME_S)
    last_frame = min(round(to_s / FRAME_S), 99)  # at the clip's end: its last frame
    wait_until(page, f"{ON_SCREEN}.readyState >= 2 && !{ON_SCREEN}.seeking")
    assert held_index(page) == last_frame


def assert_plays(page, item, start):
    """A player started the item's clip at its play_from, within a frame."""
    assert start["src"].endswith(item["media_url"]), (start, item["media_url"])
    assert start["t"] == pytest.approx(item["play_from_ms"] / 1000, abs=FRAME_S), start
    assert page.evaluate(f"{ON_SCREEN}.currentSrc").endswith(item["media_url"])


def assert_accessible(page, where):
    assert accessibility_violations(page) == [], where


def test_worker_presents_a_meeting_with_the_keyboard(app, api, live_server, page, presented):
    app.config["VIB_DEFAULT_LOCALE"] = "en"
    meeting, items = presented, presented["items"]
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    page.goto(f"{live_server}{meeting['present_url']}")
    page.wait_for_load_state("load")
    page.evaluate(WATCH_STARTS)

    # 1: the question, the page filling the viewport without the site's bar
    assert page.locator(".slide-question h1").inner_text() == meeting["title"]
    assert page.locator(".question-text").inner_text() == "What helps the father keep talking?"
    assert page.locator(".counter").inner_text().replace("Slide", "").strip() == "1 / 5"
    assert not page.locator(".topbar").is_visible()
    box = page.locator(".present").bounding_box()
    assert (box["width"], box["height"]) == (1280, 900)
    assert_accessible(page, "the question")
    snap(page, "present-1-question")

    # 2: the progress across the cycles; the first item's clip is loading meanwhile
    page.keyboard.press("ArrowRight")
    assert page.locator(".slide-progress").is_visible()
    assert page.locator(".slide-progress .progress-table tbody tr").count() == 3
    assert page.locator(".present-status").inner_text() == "Slide 2 of 5: Progress across cycles"
    wait_until(page, "document.querySelector('.slide-progress img').complete")
    assert page.evaluate("document.querySelector('.slide-progress img').naturalWidth") > 0  # the chart
    assert_accessible(page, "the progress")
    snap(page, "present-2-progress")

    # 3: item 1 plays from its pre-roll and holds at the end of its post-roll; item 2 waits, loaded
    page.keyboard.press("Space")
    first_start = wait_started(page, 1)
    assert_plays(page, items[0], first_start)
    label = items[0]["moment"]["code_label"]
    assert page.locator(".present-status").inner_text() == f"Item 1 of 3: {label}, cycle 1"
    shown = page.locator(".slide-item:not([hidden])")
    assert label in shown.locator(".present-chip").inner_text()
    assert shown.locator(".talking-point").inner_text() == "Here I wait for him."
    assert "You wait until he looks up." in shown.locator(".item-feedback").inner_text()
    assert "Cycle 1" in shown.locator("h2").inner_text() and "First visit" in shown.locator("h2").inner_text()
    wait_held(page, items[0])
    assert page.locator("[data-action=play] .play-label").inner_text() == "Play"
    waiting = "document.querySelector('.stage video:not(.on-screen)')"
    wait_until(page, f"{waiting}.readyState >= 2 && !{waiting}.seeking")
    assert page.evaluate(f"{waiting}.currentSrc").endswith(items[1]["media_url"])
    assert page.evaluate(f"{waiting}.preload") == "auto"
    assert page.evaluate(f"{waiting}.currentTime") == pytest.approx(items[1]["play_from_ms"] / 1000, abs=0.001)
    assert page.evaluate(f"{waiting}.paused")
    assert_accessible(page, "an item")
    snap(page, "present-3-item-1-held")

    # P plays the span again from its pre-roll
    page.keyboard.press("p")
    assert_plays(page, items[0], wait_started(page, 2))
    wait_held(page, items[0])

    # 4: → item 2, on the player that had waited with it
    page.keyboard.press("ArrowRight")
    second_start = wait_started(page, 3)
    assert second_start["element"] != first_start["element"]
    assert_plays(page, items[1], second_start)
    assert page.locator(".counter-now").inner_text() == "4"
    assert page.locator(".present-status").inner_text() == f"Item 2 of 3: {items[1]['moment']['code_label']}, cycle 2"
    page.keyboard.press("p")  # pause half-way …
    wait_until(page, f"{ON_SCREEN}.paused")
    assert page.locator("[data-action=play] .play-label").inner_text() == "Play"
    page.keyboard.press("p")  # … and on to the end
    wait_until(page, f"!{ON_SCREEN}.paused")
    assert page.locator("[data-action=play] .play-label").inner_text() == "Pause"
    wait_held(page, items[1])

    # 5: ← back to item 1, which plays again from its pre-roll
    page.keyboard.press("ArrowLeft")
    assert_plays(page, items[0], wait_started(page, 5))
    assert page.locator(".counter-now").inner_text() == "3"
    wait_held(page, items[0])

    # T hides the talking point and the codes (the video takes the room), and shows them again
    notes = page.locator(".slide-item:not([hidden]) .item-notes")
    width = page.locator(".stage video.on-screen").bounding_box()["width"]
    page.keyboard.press("t")
    assert not notes.is_visible() and not page.locator(".talking-point:visible").count()
    assert page.locator("[data-action=notes]").get_attribute("aria-pressed") == "false"
    assert page.locator(".stage video.on-screen").bounding_box()["width"] > width
    snap(page, "present-4-item-1-without-notes")
    page.keyboard.press("t")
    assert notes.is_visible() and page.locator(".slide-item:not([hidden]) .talking-point").is_visible()

    # S: the item's three stills instead of the video, and no video plays, not even with P
    page.keyboard.press("s")
    stills = page.locator(".slide-item:not([hidden]) .stills img")
    assert stills.count() == 3 and all(stills.nth(i).is_visible() for i in range(3))
    wait_until(
        page, "[...document.querySelectorAll('.slide-item:not([hidden]) .stills img')].every((i) => i.complete && i.naturalWidth > 0)"
    )
    assert not page.locator(".stage video.on-screen").is_visible()
    page.keyboard.press("p")
    assert page.evaluate("[...document.querySelectorAll('.stage video')].every((v) => v.paused)")
    assert page.locator("[data-action=stills]").get_attribute("aria-pressed") == "true"
    assert_accessible(page, "stills")
    snap(page, "present-5-stills")
    page.keyboard.press("ArrowRight")  # stills only holds for every item
    assert page.locator(".slide-item:not([hidden]) .stills img").count() == 3
    assert page.evaluate("[...document.querySelectorAll('.stage video')].every((v) => v.paused)")
    page.keyboard.press("s")
    assert page.locator(".stage video.on-screen").is_visible()

    # the last item: to the end of the clip; → on the last slide stays there
    page.keyboard.press("ArrowRight")
    assert_plays(page, items[2], wait_started(page, 6))
    assert page.locator(".present-status").inner_text() == "Item 3 of 3: Third visit, cycle 3"
    assert page.locator(".slide-item:not([hidden]) .present-chip").count() == 0
    wait_held(page, items[2])
    page.keyboard.press("ArrowRight")
    assert page.locator(".counter-now").inner_text() == "5"
    assert page.locator("[data-action=next]").get_attribute("aria-disabled") == "true"
    snap(page, "present-6-item-3-held")

    # F: the browser's full screen; Esc there only ends it, a second Esc leaves
    page.keyboard.press("f")
    wait_until(page, "document.fullscreenElement === document.documentElement", timeout=5)
    # The button follows the fullscreenchange event, which may come a moment after the element is set.
    wait_until(page, "document.querySelector('[data-action=fullscreen]').getAttribute('aria-pressed') === 'true'", timeout=5)
    page.keyboard.press("Escape")
    wait_until(page, "document.fullscreenElement === null", timeout=5)
    page.wait_for_timeout(700)
    assert page.url.endswith(meeting["present_url"])
    assert page.locator("[data-action=fullscreen]").get_attribute("aria-pressed") == "false"
    page.keyboard.press("Escape")
    page.wait_for_url(f"**{meeting['page_url']}")
    assert page.locator("h1").inner_text() == meeting["title"]


def test_the_buttons_do_what_the_keys_do(app, api, live_server, page, presented):
    """For a mouse or a touch screen: the same slides and toggles from the bar of buttons."""
    app.config["VIB_DEFAULT_LOCALE"] = "en"
    meeting, items = presented, presented["items"]
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    page.goto(f"{live_server}{meeting['present_url']}")
    page.wait_for_load_state("load")
    page.evaluate(WATCH_STARTS)
    assert page.locator("[data-action=previous]").get_attribute("aria-disabled") == "true"
    page.click("[data-action=next]")
    page.click("[data-action=next]")
    assert_plays(page, items[0], wait_started(page, 1))
    page.click("[data-action=play]")
    wait_until(page, f"{ON_SCREEN}.paused")
    page.click("[data-action=notes]")
    assert not page.locator(".slide-item:not([hidden]) .item-notes").is_visible()
    page.click("[data-action=stills]")
    assert page.locator(".slide-item:not([hidden]) .stills img").count() == 3
    page.keyboard.press("Space")  # after a click Space goes on, it does not press the button again
    assert page.locator(".counter-now").inner_text() == "4"
    assert page.locator("[data-action=stills]").get_attribute("aria-pressed") == "true"
    page.keyboard.press("ArrowLeft")
    page.focus("[data-action=stills]")  # a button pressed from the keyboard keeps the focus, and Space presses it
    page.keyboard.press("Enter")
    assert page.locator("[data-action=stills]").get_attribute("aria-pressed") == "false"
    page.keyboard.press("Space")
    assert page.locator("[data-action=stills]").get_attribute("aria-pressed") == "true"
    assert page.evaluate("document.activeElement.dataset.action") == "stills"
    assert page.locator(".counter-now").inner_text() == "3"
    page.click("[data-action=previous]")
    assert page.locator(".slide-progress").is_visible()
    page.click("[data-action=leave]")
    page.wait_for_url(f"**{meeting['page_url']}")


def test_an_empty_meeting_has_its_question_its_progress_and_says_it_has_no_items(app, api, live_server, page, case, ready_clip):
    app.config["VIB_DEFAULT_LOCALE"] = "en"
    meeting = new_meeting(api, case)
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    page.goto(f"{live_server}{meeting['present_url']}")
    page.wait_for_load_state("load")
    page.keyboard.press("ArrowRight")
    assert page.locator(".slide-progress").is_visible()
    page.keyboard.press("ArrowRight")
    assert page.locator(".slide-none h2").inner_text() == "This meeting has no items yet"
    assert page.locator(".counter").inner_text().replace("Slide", "").strip() == "3 / 3"
    assert page.locator(".present-status").inner_text() == "Slide 3 of 3: This meeting has no items yet"
    assert page.locator("[data-action=play]").get_attribute("aria-disabled") == "true"
    assert page.evaluate("[...document.querySelectorAll('.stage video')].every((v) => !v.currentSrc)")
    assert_accessible(page, "an empty meeting")
    snap(page, "present-7-no-items")
    page.keyboard.press("Escape")
    page.wait_for_url(f"**{meeting['page_url']}")


def test_the_handout_opens_from_the_meeting(app, api, live_server, page, presented):
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    handout = page.request.get(f"{live_server}/api/meetings/{presented['id']}/handout.pdf")
    assert handout.status == 200
    assert handout.headers["content-type"] == "application/pdf"
    assert handout.body().startswith(b"%PDF")
