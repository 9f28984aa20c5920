"""Supervision in a real browser: the worker asks a named supervisor for a review from the clip's page;
the supervisor follows the notification, adds a strength on the worker's moment with a sentence
starter (and sees the advisory hint while typing a fault word, which does not stop the save), and
sends it; the worker sees it in the timeline's feedback lane and in the moment list, and answers
with a next learning goal."""

from __future__ import annotations

import re

from tests.browser.test_coding import canvas_colour, lane_y, poll, timeline_x, wait_saved
from tests.browser.test_upload_and_play import log_in, snap, wait_until
from tests.conftest import consent_to_supervision

STRENGTH_COLOUR = "#2e7d4f"  # KIND_COLOURS.strength in js/feedback-store.js


def new_page(browser, problems):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console", lambda message: message.type == "error" and "Content Security Policy" in message.text and problems.append(message.text)
    )
    page.on("dialog", lambda dialog: dialog.accept())  # "Send the feedback to …?"
    return page


def wait_ready(page):
    wait_until(page, "document.querySelector('.coding')?.dataset.ready === 'true'")
    wait_until(page, "document.querySelector('.coding video').readyState >= 2")


def feedback_lane_y(page):
    lanes = page.locator(".lanes li:not(.feedback-lane, .sound-lane, .suggestion-lane)").count()
    box = page.locator(".timeline canvas").bounding_box()
    return box["y"] + 20 + 24 * lanes + 4 + 4  # RULER, LANE (timeline.js); inside the marker's bubble


def test_worker_asks_supervisor_writes_a_strength_with_a_starter_sends_and_worker_answers(
    app, api, people, case, ready_clip, certified, live_server, page, browser
):
    clip_id = ready_clip["id"]
    consent_to_supervision(api, case)
    moment = api("worker").post(f"/api/clips/{clip_id}/moments", json={"start_ms": 1200, "end_ms": 2000, "code": "bc.ontvangen"}).json
    page.on("dialog", lambda dialog: dialog.accept())

    # The worker asks from the clip's page.
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    page.goto(f"{live_server}/clips/{clip_id}")
    page.select_option(".ask-review select[name=supervisor]", label="Supervisor")
    page.fill(".ask-review textarea[name=question]", "Look at how I receive what he says.")
    page.click(".ask-review button[type=submit]")
    page.wait_for_url(re.compile(r".*/reviews/\d+$"))
    review_url = page.url
    review_id = int(review_url.rsplit("/", 1)[1])
    assert page.locator(".review-state").inner_text() == "Requested"
    assert "Look at how I receive what he says." in page.locator(".review-question").inner_text()
    snap(page, "supervision-1-asked")

    # The supervisor sees the badge and follows the notification to the review page.
    problems = []
    sup = new_page(browser, problems)
    log_in(sup, live_server, "supervisor@example.org")
    sup.wait_for_url("**/cases")
    assert sup.locator(".notifications-link .badge").inner_text() == "1"
    sup.click(".notifications-link")
    sup.click("ul.notifications li.unread a")
    sup.wait_for_url(review_url)
    wait_ready(sup)
    assert sup.locator(".review-state").inner_text() == "In review"
    assert sup.locator(".notifications-link .badge").count() == 0

    # A strength on the worker's moment, with a sentence starter.
    sup.locator(".moment-list li").first.click()
    assert "Receiving" in sup.locator(".compose-anchor .anchor-text").inner_text()
    assert sup.locator(".feedback-compose input[name=kind][value=strength]").is_checked()
    sup.locator(".feedback-compose .starters button", has_text="I see that you").click()
    text = sup.locator(".feedback-compose textarea[name=text]")
    assert text.input_value() == "I see that you "
    sup.keyboard.type("should")  # a fault word: the hint shows, advisory
    wait_until(sup, "!document.querySelector('.feedback-compose .language-hint').hidden")
    assert "should" in sup.locator(".feedback-compose .language-hint").inner_text()
    for _ in "should":
        sup.keyboard.press("Backspace")
    sup.keyboard.type("wait until he has finished, and then you nod.")
    wait_until(sup, "document.querySelector('.feedback-compose .language-hint').hidden")
    sup.click(".feedback-compose button[type=submit]")
    wait_until(sup, "document.querySelectorAll('.feedback-items li').length === 1")
    item = sup.locator(".feedback-items li").first
    assert "Draft" in item.inner_text() and "I see that you wait until he has finished" in item.inner_text()
    saved = api("supervisor").get(f"/api/reviews/{review_id}").json["feedback"]
    assert [(f["kind"], f["moment_id"], f["draft"]) for f in saved] == [("strength", moment["id"], True)]
    assert api("worker").get(f"/api/reviews/{review_id}").json["feedback"] == []  # a draft is not the worker's yet
    snap(sup, "supervision-2-draft")

    with sup.expect_navigation():  # sent: the page shows the review as it now is
        sup.click("[data-action=send]")
    wait_ready(sup)
    assert sup.locator(".review-state").inner_text() == "Feedback sent"
    assert sup.locator(".feedback-compose").count() == 0
    assert not problems, problems

    # The worker: the badge, the marker in the feedback lane, the line under the moment, and an answer.
    page.goto(review_url)
    wait_ready(page)
    assert page.locator(".notifications-link .badge").count() == 0  # opening the review read it
    assert page.locator(".lanes .feedback-lane").is_visible()
    x = timeline_x(page, moment["start_ms"])
    assert canvas_colour(page, x, feedback_lane_y(page)) == STRENGTH_COLOUR
    row = page.locator(".moment-list li").first
    assert "Strength: I see that you wait until he has finished" in row.inner_text()
    assert "I see that you wait until he has finished, and then you nod." in page.locator(".feedback-items li").first.inner_text()

    # Clicking the marker selects the moment it is anchored on.
    page.mouse.click(x, feedback_lane_y(page))
    wait_until(page, "document.querySelector('.moment-list li.selected') !== null")
    assert "Supervisor" in page.locator(".moment-panel .panel-feedback").inner_text()

    page.fill(".overall-answer textarea[name=text]", "Thank you: I had not seen that I nod.")
    page.fill(".overall-answer input[name=next_goal]", "Wait for him more often.")
    page.click(".overall-answer button[type=submit]")
    wait_until(page, "document.querySelectorAll('.overall-answers .answer').length === 1")
    wait_until(page, "document.querySelector('.review-state').textContent.trim() === 'Answered'")
    assert page.locator(".next-goal .goal-text").inner_text() == "Wait for him more often."
    review = poll(lambda: (r := api("worker").get(f"/api/reviews/{review_id}").json)["state"] == "answered" and r)
    assert review["next_learning_goal"] == "Wait for him more often."
    assert [a["text"] for a in review["answers"]] == ["Thank you: I had not seen that I nod."]
    snap(page, "supervision-3-answered")

    # The coding page shows the feedback in its lane too.
    page.goto(f"{live_server}/clips/{clip_id}/coding")
    wait_ready(page)
    assert canvas_colour(page, timeline_x(page, moment["start_ms"]), feedback_lane_y(page)) == STRENGTH_COLOUR
    assert not problems, problems


def test_on_the_review_page_the_supervisor_changes_only_their_own_moments(app, api, review, ready_clip, live_server, page):
    clip_id = ready_clip["id"]
    workers = api("worker").post(f"/api/clips/{clip_id}/moments", json={"start_ms": 1000, "end_ms": 2000, "code": "bc.ontvangen"})
    assert workers.status_code == 201, workers.json
    log_in(page, live_server, "supervisor@example.org")
    page.wait_for_url("**/cases")
    page.goto(f"{live_server}/reviews/{review['id']}")
    wait_ready(page)

    # The worker's moment is shown, not changed: locked fields, no delete, Delete says why, no drag.
    page.locator(".moment-list li").first.click()
    assert "Coded by Worker" in page.locator(".moment-panel .panel-kind").inner_text()
    assert page.locator(".moment-panel select[name=code]").is_disabled()
    assert page.locator(".moment-panel textarea[name=note]").is_disabled()
    assert not page.locator(".moment-panel [data-action=delete]").is_visible()
    page.keyboard.press("Delete")
    wait_until(page, "!document.querySelector('.coding-problem').hidden")
    assert "coded by someone else" in page.locator(".coding-problem").inner_text()
    end_x = timeline_x(page, 2000)
    page.mouse.move(end_x, lane_y(page, 0))
    page.mouse.down()
    page.mouse.move(end_x + 80, lane_y(page, 0), steps=5)
    assert page.locator(".timeline-tip").is_hidden()
    page.mouse.up()
    assert page.locator(".moment-list li").count() == 1

    # A moment the supervisor codes is theirs: its fields are open and Delete removes it.
    page.keyboard.press("i")
    wait_until(page, "document.querySelectorAll('.moment-list li').length === 2")
    wait_saved(page)
    assert page.locator(".moment-panel textarea[name=note]").is_enabled()
    assert page.locator(".moment-panel [data-action=delete]").is_visible()
    mine = [m for m in api("supervisor").get(f"/api/clips/{clip_id}/moments").json if m["author"]["name"] == "Supervisor"]
    assert [m["code"] for m in mine] == ["bc.initiatief"]
    page.keyboard.press("Delete")
    wait_until(page, "document.querySelectorAll('.moment-list li').length === 1")
    wait_saved(page)
    left = api("supervisor").get(f"/api/clips/{clip_id}/moments").json
    assert [(m["id"], m["start_ms"], m["end_ms"]) for m in left] == [(workers.json["id"], 1000, 2000)]
