"""Suggestions from the sound on the coding page: the loudness and suggestion lanes under the timeline,
the voices named once, N and Shift+N walking the suggestions (the video goes to each), code keys
accepting two of them as moments on the frames, X dismissing one for good; and a clip without sound
saying so. The suggestions are the hand-made analysis of tests/sound.py (a voice A from 0.21 s to
1.39 s, a pause, a voice B from 2.89 s to 3.8 s, a turn at each start)."""

from tests.browser.conftest import accessibility_violations
from tests.browser.test_coding import INITIATIVE, RECEIVING, moments, open_coding, poll, wait_saved
from tests.browser.test_upload_and_play import log_in, snap, wait_until
from tests.conftest import copy_processed_clip
from tests.sound import store_sound
from vib.clips.models import Clip
from vib.coding import suggestions
from vib.core import db

VIDEO_MS = "Math.round(document.querySelector('.coding video').currentTime * 1000)"
STATUS = ".sound-panel .sound-status"


def status(page) -> str:
    return page.locator(STATUS).inner_text()


def press_until(page, key: str, expected: str) -> None:
    page.keyboard.press(key)
    wait_until(page, f"document.querySelector('{STATUS}').textContent.includes({expected!r})")


def test_the_worker_walks_the_suggestions_with_n_accepts_two_with_code_keys_and_dismisses_one(app, api, live_server, page, ready_clip):
    clip_id = ready_clip["id"]
    store_sound(app, clip_id)
    log_in(page, live_server, "worker@example.org")
    open_coding(page, live_server, clip_id)
    wait_until(page, "document.querySelector('.sound-panel').dataset.state === 'done'")
    assert "5 of 5 suggestions open" in status(page)
    assert page.locator(".lanes .sound-lane").is_visible() and page.locator(".lanes .suggestion-lane").is_visible()
    assert accessibility_violations(page) == []

    # The owner says who the voices are, once: the legend and what N says name them.
    page.select_option(".voices-form select[name=A]", "worker")
    wait_until(page, "document.querySelector('.voices-status').textContent.startsWith('Saved')")
    page.select_option(".voices-form select[name=B]", "client")
    wait_until(page, "document.querySelector('.legend-b').textContent.includes('Client')")
    assert api("worker").get(f"/api/clips/{clip_id}/audio/envelope").json["voices"] == {"A": "worker", "B": "client"}

    # N: the first suggestion, the worker's speech; the video stands on its frame (210 ms is shown by
    # the frame from 200 ms). The code key i makes it a moment of that span, actor the worker.
    page.evaluate("document.activeElement.blur()")
    press_until(page, "n", "Suggestion 1 of 5: speech of voice A (Worker), 0:00.200–0:01.360")  # on the frames
    wait_until(page, f"{VIDEO_MS} === 200")
    snap(page, "suggestions-1-speech")
    page.keyboard.press("i")
    wait_until(page, "document.querySelectorAll('.moment-list li').length === 1")
    wait_saved(page)
    [first] = poll(lambda: moments(api, clip_id))
    assert (first["start_ms"], first["end_ms"], first["code"], first["actor"]) == (200, 1360, INITIATIVE, "worker")

    # N: the turn at the same start; X dismisses it. N, N: past the pause to the client's speech,
    # which o (Receiving) accepts.
    press_until(page, "n", "Suggestion 2 of 5: turn to voice A (Worker)")
    page.keyboard.press("x")
    wait_until(page, f"document.querySelector('{STATUS}').textContent.startsWith('Suggestion dismissed')")
    press_until(page, "n", "Suggestion 3 of 5: pause")
    wait_until(page, f"{VIDEO_MS} === 1360")
    press_until(page, "n", "Suggestion 4 of 5: speech of voice B (Client), 0:02.880–0:03.800")
    page.keyboard.press("o")
    wait_until(page, "document.querySelectorAll('.moment-list li').length === 2")
    wait_saved(page)
    second = poll(lambda: [m for m in moments(api, clip_id) if m["code"] == RECEIVING])[0]
    assert (second["start_ms"], second["end_ms"], second["actor"]) == (2880, 3800, "client")
    snap(page, "suggestions-2-accepted")

    # Shift+N goes back, past what was answered: to the pause.
    press_until(page, "Shift+N", "Suggestion 3 of 5: pause")

    # Moving away from a suggestion (a frame step) gives the code keys back their usual meaning.
    page.keyboard.press("ArrowRight")
    wait_until(page, f"{VIDEO_MS} === 1400")
    page.keyboard.press("i")
    wait_until(page, "document.querySelectorAll('.moment-list li').length === 3")
    wait_saved(page)
    assert sorted((m["start_ms"], m["end_ms"]) for m in moments(api, clip_id))[1] == (1400, None)

    # What was answered stays answered: the page again, two of five open (the pause, the client's turn).
    open_coding(page, live_server, clip_id)
    wait_until(page, f"document.querySelector('{STATUS}').textContent.includes('2 of 5 suggestions open')")
    states = [s["state"] for s in api("worker").get(f"/api/clips/{clip_id}/suggestions").json]
    assert states == ["accepted", "dismissed", "open", "accepted", "open"]

    # With the mouse: a click on the pause in the suggestions lane goes to it, as N would.
    box = page.locator(".timeline canvas").bounding_box()
    px_per_ms = float(page.locator(".timeline-content").get_attribute("data-px-per-ms"))
    actors = page.locator(".lanes li:not(.feedback-lane, .sound-lane, .suggestion-lane)").count()
    suggestion_lane_middle = 20 + 24 * (actors + 1) + 12  # RULER, LANE (timeline.js); under the sound lane
    page.mouse.click(box["x"] + 2100 * px_per_ms, box["y"] + suggestion_lane_middle)
    wait_until(page, f"document.querySelector('{STATUS}').textContent.includes('Suggestion 3 of 5: pause')")
    wait_until(page, f"{VIDEO_MS} === 1360")


def test_a_clip_without_sound_says_there_are_no_suggestions(app, api, people, live_server, page, case, processed_clip):
    clip_id = copy_processed_clip(app, people, case["id"], processed_clip)
    with app.app_context():
        session = db.session()
        suggestions.store_analysis(session, session.get(Clip, clip_id), None, None)
        session.commit()
    log_in(page, live_server, "worker@example.org")
    open_coding(page, live_server, clip_id)
    wait_until(page, "document.querySelector('.sound-panel').dataset.state === 'no_audio'")
    assert status(page) == "This clip has no sound, so there are no suggestions."
    assert page.locator(".voices-form").is_hidden()
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("n")  # nothing to walk: nothing happens
    page.keyboard.press("i")  # and the code key marks the frame on screen as always
    wait_until(page, "document.querySelectorAll('.moment-list li').length === 1")
    assert accessibility_violations(page) == []
