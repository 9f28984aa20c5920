"""The agreement page in a real browser, by keyboard only: the supervisor goes from the review screen
to the page, compares the worker's coding with their own, and reads the figures and the paired lanes
at 1280 and at 375 px (the lanes scroll sideways inside their own region), with no WCAG 2.1 AA
violation."""

from __future__ import annotations

from tests.browser.conftest import PHONE, check_both_widths
from tests.browser.test_coding_keyboard import log_in_by_keyboard
from tests.browser.test_upload_and_play import wait_until
from tests.coding.test_agreement_api import INITIATIVE, RECEPTION, add


def active(page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement; return e.tagName.toLowerCase() + (e.name ? '[name=' + e.name + ']' : '') }"
    )


def test_the_supervisor_compares_two_codings_by_keyboard(app, api, people, ready_clip, review, live_server, page):
    clip = ready_clip["id"]
    worker, supervisor = api("worker"), api("supervisor")
    add(worker, clip, start_ms=400, code=INITIATIVE)
    add(worker, clip, start_ms=1200, end_ms=2400, code=RECEPTION)
    add(worker, clip, start_ms=3200, code=INITIATIVE)
    add(supervisor, clip, start_ms=600, code=INITIATIVE)
    add(supervisor, clip, start_ms=3000, end_ms=3500, code=RECEPTION)

    log_in_by_keyboard(page, live_server, "supervisor@example.org")
    page.goto(f"{live_server}/clips/{clip}/review")
    page.get_by_role("link", name="Compare two codings").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/clips/{clip}/agreement")

    # The form proposes the two coders: the worker as A, the supervisor as B.
    assert page.locator("select[name=a]").input_value() == str(people["worker"].id)
    assert page.locator("select[name=b]").input_value() == str(people["supervisor"].id)
    page.locator("select[name=a]").focus()
    for expected in ("select[name=b]", "input[name=tolerance_ms]", "input[name=grid_ms]", "button"):
        page.keyboard.press("Tab")
        assert active(page) == expected
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/clips/{clip}/agreement?a={people['worker'].id}&b={people['supervisor'].id}&**")

    summary = page.locator("#summary-title + p + .remarks").inner_text()
    assert "Supervisor marked 1 of the 2" in summary
    assert page.locator("table.per-code tbody tr").count() == 2
    assert page.locator("table.confusion caption").is_visible()
    lanes = page.locator("svg.agreement-lanes")
    assert lanes.get_attribute("role") == "img" and lanes.locator("title").count() >= 1
    assert lanes.locator(".pair-line").count() == 1
    assert page.locator("table.moments-table tbody tr").count() == 4  # the lanes' moments, as text
    check_both_widths(page, "agreement")

    # On a phone the lanes keep their size and scroll inside their region, by keyboard too.
    page.set_viewport_size(PHONE)
    region = page.locator(".lanes-scroll")
    assert region.evaluate("e => e.scrollWidth > e.clientWidth")
    region.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    wait_until(page, "document.querySelector('.lanes-scroll').scrollLeft > 0", timeout=5)  # it may scroll smoothly
