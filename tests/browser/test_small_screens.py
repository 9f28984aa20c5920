"""Small screens in a real browser: at 320 px no page a worker, a supervisor, a trainer or an admin can
reach scrolls sideways; at 375 px (a phone) the pages a worker uses on the way pass axe and do not
scroll sideways either, and the coding page says that it wants a larger screen and offers the review
screen."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, accessibility_violations
from tests.browser.test_upload_and_play import log_in, snap, wait_until
from tests.library.conftest import in_review, published, training_clip  # noqa: F401 (fixtures)
from tests.meetings.conftest import INITIATIVE, cycle_clips, meeting  # noqa: F401 (fixtures)

NARROW = {"width": 320, "height": 640}
SCROLL_WIDTH = "document.documentElement.scrollWidth"
# The elements that reach past the right edge of the window while their parent does not (where a
# page's overflow starts), for the failure message.
OVERFLOWING = """() => {
  const edge = document.documentElement.clientWidth;
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    [...el.classList].map((c) => '.' + c).join('');
  const scrolls = (el) => el.closest('.table-scroll, .tiles') !== null;  // clipped by a box of its own
  return [...document.querySelectorAll('body *')]
    .filter((el) => !scrolls(el) && el.getBoundingClientRect().right > edge + 0.5 && el.parentElement.getBoundingClientRect().right <= edge + 0.5)
    .slice(0, 6).map((el) => describe(el.parentElement) + ' > ' + describe(el) + ' ' + Math.round(el.getBoundingClientRect().right));
}"""


@pytest.fixture
def everything(app, api, people, case, cycle_clips, meeting, review, published):  # noqa: F811
    """A case with clips in three cycles (coded), a meeting of two items, a review asked of the
    supervisor (which notifies them), a published fragment in a collection; the paths of the pages."""
    first, _, third = cycle_clips
    for clip_id in (first, third):
        moment = next(m for m in api("worker").get(f"/api/clips/{clip_id}/moments").json if m["code"] == INITIATIVE)
        r = api("worker").post(f"/api/meetings/{meeting['id']}/items", json={"clip_id": clip_id, "moment_id": moment["id"]})
        assert r.status_code == 201, r.json
    collection = api("trainer").post("/api/collections", json={"title": "Week 2: waiting", "description": "For the new coders."}).json
    r = api("trainer").post(f"/api/collections/{collection['id']}/items", json={"fragment_id": published["id"], "note": "Count."})
    assert r.status_code == 201, r.json
    case_id = case["id"]
    library = ["/library", f"/library/fragments/{published['id']}", "/library/collections", f"/library/collections/{collection['id']}"]
    return {
        "worker": [
            "/cases",
            f"/cases/{case_id}",
            f"/clips/{first}",
            f"/clips/{first}/coding",
            f"/clips/{first}/review",
            "/reviews",
            f"/reviews/{review['id']}",
            "/notifications",
            "/account",
            *library,
            f"/library/fragments/{published['id']}/exercise",
            f"/library/fragments/{published['id']}/comparison",
            f"/meetings/{meeting['id']}",
            f"/meetings/{meeting['id']}/present",
        ],
        "supervisor": ["/cases", "/reviews", f"/reviews/{review['id']}", "/notifications", "/account", *library[:2]],
        "trainer": ["/cases", "/notifications", "/account", *library],
        "admin": [
            "/cases",
            "/notifications",
            "/account",
            "/admin/users",
            f"/admin/users/{people['worker'].id}",
            "/admin/audit",
            "/admin/retention",
            "/admin/jobs",
        ],
    }


def settled(page) -> None:
    """Wait for what the page's scripts draw (the coding page's timeline, a player's metadata)."""
    page.wait_for_load_state("load")
    if page.locator(".coding").count():
        wait_until(page, "document.querySelector('.coding').dataset.ready === 'true'")


TOP_BAR_OUTSIDE = """() => [...document.querySelectorAll('.topbar a, .topbar button')]
  .filter((el) => { const box = el.getBoundingClientRect(); return box.left < 0 || box.right > document.documentElement.clientWidth; })
  .map((el) => el.textContent.trim())"""


def test_the_top_bar_wraps_at_320_px_in_both_languages(people, live_server, page):
    """Every link and button of the top bar stays on screen, in English and in (longer) Dutch."""
    page.set_viewport_size(NARROW)
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    assert page.evaluate(TOP_BAR_OUTSIDE) == []
    with page.expect_navigation():
        page.click(".topbar button[lang=nl]")
    assert page.locator("html").get_attribute("lang") == "nl"
    snap(page, "small-320-top-bar-nl")
    assert page.evaluate(TOP_BAR_OUTSIDE) == []
    assert page.evaluate(SCROLL_WIDTH) <= NARROW["width"]


@pytest.mark.parametrize("who", ["worker", "supervisor", "trainer", "admin"])
def test_no_page_scrolls_sideways_at_320_px(who, everything, live_server, page):
    page.set_viewport_size(NARROW)
    log_in(page, live_server, f"{who}@example.org")
    page.wait_for_url(lambda url: "/login" not in url)
    too_wide = {}
    for path in everything[who]:
        answer = page.goto(f"{live_server}{path}")
        assert answer.status == 200, f"{who} cannot open {path}"
        settled(page)
        snap(page, f"small-320-{who}-{path.strip('/').replace('/', '-')}")
        width = page.evaluate(SCROLL_WIDTH)
        if width > NARROW["width"]:
            too_wide[path] = (width, page.evaluate(OVERFLOWING))
    assert too_wide == {}, f"pages wider than 320 px for the {who} (scrollWidth): {too_wide}"


def test_a_workers_pages_on_a_phone(everything, live_server, page):
    """At 375 px the worker's pages do not scroll sideways and pass axe; the coding page points to the
    review screen."""
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    paths = [p for p in everything["worker"] if p not in ("/notifications", "/account", "/reviews")]
    problems = {}
    for path in paths:
        page.goto(f"{live_server}{path}")
        settled(page)
        snap(page, f"small-375-{path.strip('/').replace('/', '-')}")
        width = page.evaluate(SCROLL_WIDTH)
        violations = accessibility_violations(page)
        if width > PHONE["width"] or violations:
            problems[path] = {"scrollWidth": width, "where": page.evaluate(OVERFLOWING), "axe": violations}
    assert problems == {}, problems


def test_the_coding_page_on_a_phone_offers_the_review_screen(everything, live_server, page):
    coding = next(p for p in everything["worker"] if p.endswith("/coding"))
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    page.goto(f"{live_server}{coding}")
    settled(page)
    notice = page.locator(".small-screen-notice")
    assert notice.is_hidden()  # on a laptop the coding page is for coding
    page.set_viewport_size(PHONE)
    assert notice.is_visible()
    assert "larger screen" in notice.inner_text()
    link = notice.get_by_role("link")
    assert link.get_attribute("href") == coding.removesuffix("/coding") + "/review"
    assert accessibility_violations(page) == []
    link.click()
    page.wait_for_url("**/review")
    assert page.evaluate(SCROLL_WIDTH) <= PHONE["width"]


def test_uploading_on_a_phone_shows_its_progress_without_scrolling_sideways(app, case, live_server, page, videos):
    """The upload form with its progress bar and status, and the consent table and form, at 375 px."""
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    page.goto(f"{live_server}/cases/{case['id']}")
    page.wait_for_load_state("load")
    page.evaluate("document.querySelector('.upload-progress').hidden = false")  # as while a file goes up
    page.evaluate("document.querySelector('.upload-status').textContent = 'Uploading… 42 %'")
    page.evaluate("document.querySelector('.upload-progress progress').value = 42")
    snap(page, "small-375-upload-progress")
    assert page.evaluate(SCROLL_WIDTH) <= PHONE["width"]
    assert accessibility_violations(page) == []
    for part in ("#clips", "#consent"):
        box = page.locator(part).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], part
