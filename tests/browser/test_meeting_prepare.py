"""Preparing a progress meeting in a real browser: the case page shows the clips by cycle with the
progress chart; the worker plans a meeting, adds moments of two cycles from the meeting page (filtered
to one code), writes a talking point, moves an item, compares before and after, and adds a moment
from the coding page. axe passes on every page, at 1280 px and at 375 px."""

from __future__ import annotations

from tests.browser.conftest import DESKTOP, check_both_widths
from tests.browser.test_upload_and_play import log_in, wait_until
from tests.meetings.conftest import cycle_clips  # noqa: F401 (fixture)


def check(page, name):
    check_both_widths(page, f"meeting-{name}")


def test_the_worker_prepares_a_meeting_from_the_case_page(api, case, cycle_clips, live_server, page):  # noqa: F811
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    page.goto(f"{live_server}/cases/{case['id']}")
    wait_until(page, "document.querySelector('.progress-chart img').naturalWidth > 0")  # the chart is drawn
    check(page, "case")

    page.fill("#meetings input[name=date]", "2026-12-15")
    page.fill("#meetings textarea[name=question]", "What helps the father keep talking?")
    page.click("#meetings button:has-text('Plan the meeting')")
    page.wait_for_url("**/meetings/*")
    meeting_path = page.url.removeprefix(live_server)

    # Only the initiatives, then one of cycle 1 and one of cycle 3, by keyboard.
    page.select_option(".moment-filters select[name=code]", "bc.initiatief")
    assert page.locator(".moment-picker li:not([hidden])").count() == 5
    page.locator(".moment-picker li:not([hidden])[data-cycle='3'] .add-moment").first.focus()
    with page.expect_navigation():  # the page shows the new list
        page.keyboard.press("Enter")
    assert page.locator(".meeting-item").count() == 1
    assert "Added to the meeting as item 1." in page.locator(".meeting-status").inner_text()
    with page.expect_navigation():
        page.locator(".moment-picker li[data-cycle='1'] .add-moment").first.click()
    assert page.locator(".meeting-item").count() == 2

    # Cycle 1 goes first; a talking point is saved.
    with page.expect_navigation():
        page.locator(".meeting-item").nth(1).locator(".move-up").click()
    assert "place 1" in page.locator(".meeting-status").inner_text()
    first = page.locator(".meeting-item").first
    assert "cycle 1" in first.locator("h3").inner_text()
    first.locator("textarea[name=talking_point]").fill("Here I talk on; see cycle 3.")
    first.locator("button[type=submit]").click()
    wait_until(page, "document.querySelector('.meeting-item .form-status').textContent !== ''")
    items = api("worker").get(f"/api/{meeting_path.strip('/')}").json["items"]
    assert [(i["cycle"], i["talking_point"]) for i in items] == [(1, "Here I talk on; see cycle 3."), (3, "")]

    # Before and after: both videos start at their items' starts.
    page.click(".play-both")
    wait_until(page, "[...document.querySelectorAll('.compare-side video')].every((v) => v.currentTime > 0)")
    starts = page.evaluate("[...document.querySelectorAll('.compare-side video')].map((v) => Number(v.dataset.start))")
    assert starts == [items[0]["start_ms"], items[1]["start_ms"]]
    check(page, "prepare")

    # From the coding page: the playhead's span, into this meeting.
    page.goto(f"{live_server}/clips/{cycle_clips[1]}/coding")
    wait_until(page, "document.querySelector('.coding')?.dataset.ready === 'true'")
    tool = page.locator("#add-to-meeting")
    tool.locator("textarea[name=talking_point]").fill("Cycle 2, not coded yet.")
    tool.locator("button[type=submit]").click()
    wait_until(page, "document.querySelector('#add-to-meeting .form-status a') !== null")
    assert len(api("worker").get(f"/api/{meeting_path.strip('/')}").json["items"]) == 3
