"""The library in a real browser: a worker proposes a moment of a clip with a real face, the trainer
reviews the face tracks, keeps the face, blurs an area, renders, publishes and adds the fragment to a
collection; another worker finds it by its code, does the coding exercise and reads the comparison,
and plays the collection. axe passes on every page,
at 1280 px and at 375 px."""

from __future__ import annotations

import pytest

from tests.browser.conftest import accessibility_violations, check_both_widths
from tests.browser.test_upload_and_play import log_in, snap, wait_until
from tests.conftest import wait_for_jobs
from tests.library.conftest import face_clip, face_video, propose, render_and_publish, training_clip  # noqa: F401 (fixtures)


def check(page, name):
    check_both_widths(page, f"library-{name}")


@pytest.fixture
def published_pair(app, api, training_clip):  # noqa: F811
    made = [
        propose(api, training_clip["id"], title=title, start_ms=start, end_ms=start + 1500)
        for title, start in (("First", 0), ("Second", 2000))
    ]
    wait_for_jobs(app)
    return [render_and_publish(app, api, m.json["id"]) for m in made]


def log_out(page):
    page.click(".topbar button:has-text('Log out')")
    page.wait_for_url("**/login*")


def propose_from_the_coding_page(api, clip, live_server, page) -> str:
    """The worker tags a moment as a library candidate and proposes it from the coding page; the
    fragment page's path."""
    # The worker tags a moment as a library candidate and proposes it from the coding page.
    moment = api("worker").post(
        f"/api/clips/{clip['id']}/moments", json={"start_ms": 0, "end_ms": 500, "code": "bc.initiatief", "tags": ["library_candidate"]}
    )
    assert moment.status_code == 201, moment.json
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    page.goto(f"{live_server}/clips/{clip['id']}/coding")
    wait_until(page, "document.querySelector('.coding')?.dataset.ready === 'true'")
    tool = page.locator("#propose-fragment")
    tool.locator("select[name=moment]").focus()
    wait_until(page, "document.querySelectorAll('#propose-fragment select[name=moment] option').length === 2")
    tool.locator("select[name=moment]").select_option(str(moment.json["id"]))
    assert "library candidate" in tool.locator("select[name=moment] option").nth(1).inner_text()
    tool.locator("input[name=pre]").fill("0")
    assert tool.locator(".span-summary").inner_text() == "The fragment: 0:00.000 to 0:02.500 (2.5 s)."
    tool.locator("input[name=title]").fill("Waiting for an answer")
    tool.locator("textarea[name=learning_points]").fill("Wait until she looks up.")
    assert tool.locator("input[name=codes][value='bc.initiatief']").is_checked()  # the moment's code
    snap(page, "library-0-propose")
    assert accessibility_violations(page) == []
    tool.locator("button[type=submit]").click()
    page.wait_for_selector("#propose-fragment .form-status:has-text('Proposed')")
    fragment_url = tool.locator(".form-status a").get_attribute("href")
    made = api("worker").get(f"/api{fragment_url.removeprefix('/library')}")
    assert made.json["codes"] == ["bc.initiatief"] and made.json["title"] == "Waiting for an answer", made.json
    log_out(page)
    return fragment_url


def test_from_proposal_to_a_collection_another_worker_finds(app, api, face_clip, live_server, page):  # noqa: F811
    fragment_url = f"{live_server}{propose_from_the_coding_page(api, face_clip, live_server, page)}"
    fragment_id = int(fragment_url.rsplit("/", 1)[1])

    # The trainer lands in the library, sees the proposal, and opens it while its faces are searched.
    log_in(page, live_server, "trainer@example.org")
    page.wait_for_url("**/library")
    assert page.locator("#to-review").get_by_text("Waiting for an answer").count() == 1
    page.goto(fragment_url)
    page.wait_for_selector("#render-form", timeout=120_000)  # the page follows the job and reloads
    wait_until(page, "document.querySelector('.fragment-player video').readyState >= 1")
    assert page.locator(".track-card").count() >= 1
    wait_until(page, "[...document.querySelectorAll('.track-card img')].every((img) => img.complete && img.naturalWidth > 0)")
    check(page, "1-review")

    # Keep the (worker's) face: untick it by keyboard.
    box = page.locator(".track-card input[name=blur_track]").first
    box.focus()
    page.keyboard.press("Space")
    assert not box.is_checked()
    # One area typed in percent, one drawn on the paused video, which is then removed by keyboard.
    page.fill("input[name=region_x]", "5")
    page.fill("input[name=region_y]", "70")
    page.fill("input[name=region_w]", "30")
    page.fill("input[name=region_h]", "20")
    page.fill("input[name=region_end]", "2")
    page.click("button.add-region")
    assert page.locator(".region-list li").count() == 1
    assert "x 5 %, y 70 %, 30 × 20 %, 0 s to 2 s" in page.locator(".region-list").inner_text()
    page.fill("input[name=region_end]", "")
    page.locator("button.draw-toggle").focus()
    page.keyboard.press("Enter")
    assert page.locator("button.draw-toggle").get_attribute("aria-pressed") == "true"
    video = page.locator(".fragment-player video").bounding_box()
    page.mouse.move(video["x"] + video["width"] * 0.6, video["y"] + video["height"] * 0.2)
    page.mouse.down()
    page.mouse.move(video["x"] + video["width"] * 0.7, video["y"] + video["height"] * 0.3, steps=5)
    page.mouse.up()
    assert page.locator(".region-list li").count() == 2
    assert page.locator(".region-layer .region-box").count() == 2
    assert page.locator("button.draw-toggle").get_attribute("aria-pressed") == "false"
    page.locator(".region-list li").nth(1).locator("button").focus()
    page.keyboard.press("Enter")
    assert page.locator(".region-list li").count() == 1
    page.check("input[name=audio][value=mute]")
    page.click("#render-form button[type=submit]")
    page.wait_for_selector(".fragment-status[data-poll]")
    page.wait_for_selector("button[data-action=publish]", timeout=120_000)

    fragment = api("trainer").get(f"/api/fragments/{fragment_id}").json
    assert fragment["audio"] == "mute" and not any(t["blurred"] for t in fragment["tracks"])
    assert fragment["regions"] == [{"x": 0.05, "y": 0.7, "w": 0.3, "h": 0.2, "start_ms": None, "end_ms": 2000}]
    page.click("button[data-action=publish]")
    page.wait_for_selector("button[data-action=unpublish]")
    check(page, "2-published")
    # The trainer's reference for the exercise: two initiatives (coding by keyboard is tested in
    # tests/browser/test_exercise.py).
    for start in (400, 1600):
        r = api("trainer").post(f"/api/fragments/{fragment_id}/moments", json={"start_ms": start, "code": "bc.initiatief"})
        assert r.status_code == 201, r.json

    # A collection for a course, then the fragment in it with a note.
    page.goto(f"{live_server}/library/collections")
    page.fill("input[name=title]", "Week 2: waiting")
    page.fill("#new-collection textarea[name=description]", "For the new coders.")
    page.click("#new-collection button[type=submit]")
    page.wait_for_url("**/library/collections/*")
    page.goto(fragment_url)
    page.select_option("#collection-form select[name=collection]", label="Week 2: waiting")
    page.fill("#collection-form textarea[name=note]", "Count how long she waits.")
    page.click("#collection-form button[type=submit]")
    page.wait_for_selector("#collection-form .form-status:has-text('Added to')")
    log_out(page)

    # Another worker finds it by its code and plays the collection.
    log_in(page, live_server, "other_worker@example.org")
    page.wait_for_url("**/cases")
    page.click(".topbar a:has-text('Library')")
    page.wait_for_url("**/library")
    page.select_option("select[name=code]", "bc.initiatief")
    page.click("form.library-search button[type=submit]")
    page.wait_for_url("**/library?*code=bc.initiatief*")
    assert page.locator(".fragment-card").count() == 1
    wait_until(page, "document.querySelector('.fragment-card img.poster')?.complete")
    check(page, "3-found-by-code")
    page.click(".fragment-card a")
    page.wait_for_url(fragment_url)
    assert "Wait until she looks up." in page.locator(".learning-points").inner_text()
    assert page.locator("#render-form, #edit-form").count() == 0
    wait_until(page, "document.querySelector('.fragment-player video').readyState >= 1")
    check(page, "4-fragment")

    # The exercise: code it blind by keyboard (an initiative 10 frames in, at 400 ms), then compare.
    page.get_by_role("link", name="Practise coding").click()
    page.wait_for_url(f"{fragment_url}/exercise")
    wait_until(page, "document.querySelector('.coding')?.dataset.ready === 'true'")
    wait_until(page, "document.querySelector('.coding video').readyState >= 2")
    assert page.locator(".moment-list li").count() == 0  # the reference stays hidden
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("i")
    wait_until(page, "document.querySelector('.save-status').dataset.state === 'saved'")
    page.get_by_role("link", name="Compare with the trainer").click()
    page.wait_for_url(f"{fragment_url}/comparison")
    assert "You found 1 of the 2 Initiative moments the trainer marked." in page.inner_text("main")
    check(page, "4-comparison")

    page.goto(f"{live_server}/library/collections")
    check(page, "5-collections")
    page.click("text=Week 2: waiting")
    assert page.locator(".playlist-item[aria-current=true] .item-title").inner_text() == "Waiting for an answer"
    assert page.locator(".now-note").inner_text() == "Count how long she waits."
    wait_until(page, "document.querySelector('.playlist video').readyState >= 1")
    check(page, "6-collection")


def test_a_trainer_orders_a_collection_by_keyboard(app, api, live_server, page, published_pair):
    collection = api("trainer").post("/api/collections", json={"title": "Turns"}).json
    for fragment in published_pair:
        r = api("trainer").post(
            f"/api/collections/{collection['id']}/items", json={"fragment_id": fragment["id"], "note": fragment["title"]}
        )
        assert r.status_code == 201, r.json
    log_in(page, live_server, "trainer@example.org")
    page.wait_for_url("**/library")
    page.goto(f"{live_server}/library/collections/{collection['id']}")
    titles = lambda: page.locator(".playlist-item .item-title").all_inner_texts()  # noqa: E731
    assert titles() == ["First", "Second"]
    page.locator(".playlist-item").nth(1).locator("button.move[data-move='-1']").focus()
    page.keyboard.press("Enter")
    wait_until(page, "document.querySelector('.playlist-item .item-title').textContent === 'Second'")
    assert titles() == ["Second", "First"]
    assert page.evaluate("document.activeElement.dataset.move") == "1"  # the up button is disabled now: focus moves down
    assert [i["fragment"]["title"] for i in api("trainer").get(f"/api/collections/{collection['id']}").json["items"]] == ["Second", "First"]
    check(page, "7-collection-editor")

    # The player goes to the next fragment when one ends.
    page.evaluate("document.querySelector('.playlist video').dispatchEvent(new Event('ended'))")
    assert page.locator(".playlist-item[aria-current=true] .item-title").inner_text() == "First"
    assert page.locator(".now-title").inner_text() == "First"

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".playlist-item").nth(0).locator("button.remove-item").click()
    wait_until(page, "document.querySelectorAll('.playlist-item').length === 1")
    assert len(api("trainer").get(f"/api/collections/{collection['id']}").json["items"]) == 1
