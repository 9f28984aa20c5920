"""A worker does a coding exercise in a real browser: the coding page on a published library fragment,
coded by keyboard alone, then the comparison with the trainer's reference, which passes axe and reads
at 375 px."""

from __future__ import annotations

from tests.browser.conftest import accessibility_violations
from tests.browser.test_coding import poll
from tests.browser.test_upload_and_play import log_in, snap, wait_until
from tests.library.conftest import consent, make_fragment


def test_a_worker_codes_a_fragment_by_keyboard_and_compares(app, api, people, live_server, page, case, ready_clip, tmp_path):
    consent(api, case["id"], ["training"])
    fragment = make_fragment(app, ready_clip["id"], people["worker"].id, people["trainer"].id, tmp_path)
    for start in (200, 1000, 1600):  # the trainer's reference: three initiatives
        assert (
            api("trainer").post(f"/api/fragments/{fragment}/moments", json={"start_ms": start, "code": "bc.initiatief"}).status_code == 201
        )

    log_in(page, live_server, "other_worker@example.org")
    page.goto(f"{live_server}/library/fragments/{fragment}/exercise")
    assert "Code this fragment, then compare." in page.inner_text("main")
    wait_until(page, "document.querySelector('.coding')?.dataset.ready === 'true'")
    wait_until(page, "document.querySelector('.coding video').readyState >= 2")
    assert page.locator(".moment-list li").count() == 0  # blind: the reference is not shown

    # by keyboard: five frames forward, mark an initiative; then a second later, another
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("i")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("i")
    wait_until(page, "document.querySelector('.save-status').dataset.state === 'saved'")
    saved = poll(lambda: (r := api("other_worker").get(f"/api/fragments/{fragment}/moments").json) and len(r) == 2 and r)
    assert [m["code"] for m in saved] == ["bc.initiatief", "bc.initiatief"]
    assert [m["start_ms"] for m in saved] == [200, 1200]  # frames of 40 ms: 5 forward; then a second on

    page.get_by_role("link", name="Compare with the trainer").click()
    page.wait_for_url(f"**/library/fragments/{fragment}/comparison")
    text = page.inner_text("main")
    assert "You found 2 of the 3 Initiative moments the trainer marked." in text
    assert "missed" in text and "found" in text
    wait_until(page, "document.querySelectorAll('.lane-markers .marker[data-placed]').length === 5")
    snap(page, "exercise-comparison")
    assert accessibility_violations(page) == []

    # the page is read by keyboard: the tables' scroll areas and the links take the focus in turn
    focused = set()
    for _ in range(30):
        page.keyboard.press("Tab")
        focused.add(
            page.evaluate("() => document.activeElement.className + ':' + (document.activeElement.textContent || '').trim().slice(0, 20)")
        )
    assert any("table-scroll" in f for f in focused)

    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    snap(page, "exercise-comparison-375")
    assert accessibility_violations(page) == []
