"""The upload form in a real browser speaks tus (tus-js-client): a clip goes up in pieces and the page
opens it; a reload half-way and the same file chosen again go on where the upload stopped, on a phone's
width, and the page with its progress has no accessibility violations."""

from __future__ import annotations

import time

from sqlalchemy import select

from tests.browser.conftest import accessibility_violations
from tests.browser.test_upload_and_play import SCREENSHOTS, log_in, wait_until
from vib.clips.models import Clip, UploadSession
from vib.core import db


def tus_requests(page) -> list[tuple[str, int | None]]:
    """Every tus request the page makes, as (method, Upload-Offset)."""
    seen = []

    def note(request):
        if "/api/tus" in request.url:
            offset = request.headers.get("upload-offset")
            seen.append((request.method, int(offset) if offset is not None else None))

    page.on("request", note)
    return seen


def wait_for_a_failed_piece(page, failed, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not failed:
        assert time.monotonic() < deadline, "no piece failed"
        page.wait_for_timeout(20)


def stored_original(app) -> bytes:
    with app.app_context():
        clip = db.session().scalars(select(Clip)).one()
        return (app.config["VIB_MEDIA_DIR"] / clip.original_key).read_bytes()


def test_a_clip_goes_up_in_pieces_and_the_page_opens_it(app, people, case, live_server, page, videos):
    app.config["VIB_UPLOAD_PIECE_BYTES"] = 16 * 1024
    data = videos["cfr.mp4"].read_bytes()
    seen = tus_requests(page)
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    page.goto(f"{live_server}/cases/{case['id']}")
    page.set_input_files("input[type=file]", str(videos["cfr.mp4"]))
    page.fill("input[name=title]", "Fourth home visit")
    page.click("form.upload button[type=submit]")
    page.wait_for_url("**/clips/*", timeout=60_000)
    assert page.locator("h1").inner_text() == "Fourth home visit"
    assert [method for method, _ in seen] == ["POST", "PATCH", "PATCH", "PATCH"]  # pieces of 16 KB
    assert [offset for _, offset in seen[1:]] == [0, 16 * 1024, 32 * 1024]
    assert stored_original(app) == data


def test_a_reloaded_page_goes_on_where_the_upload_stopped(app, people, case, live_server, page, videos, tmp_path):
    piece = 4096
    app.config["VIB_UPLOAD_PIECE_BYTES"] = piece
    data = videos["cfr.mp4"].read_bytes()
    page.set_viewport_size({"width": 375, "height": 800})  # phones upload
    seen = tus_requests(page)
    failed = []
    page.on("requestfailed", lambda request: request.method == "PATCH" and failed.append(request))
    let_through = {"PATCH": 4}

    def connection(route):  # the first pieces arrive; then the connection is gone
        if route.request.method == "PATCH":
            if let_through["PATCH"] <= 0:
                return route.abort()
            let_through["PATCH"] -= 1
        route.continue_()

    page.route("**/api/tus/*", connection)
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    page.goto(f"{live_server}/cases/{case['id']}")
    page.set_input_files("input[type=file]", str(videos["cfr.mp4"]))
    page.click("form.upload button[type=submit]")
    wait_until(page, "document.querySelector('.upload-status').textContent.startsWith('Uploading')")
    wait_for_a_failed_piece(page, failed)
    assert page.locator(".upload-progress").is_visible()
    assert "choose the same file again" in page.locator(".upload-progress").inner_text().lower()
    assert accessibility_violations(page) == []
    shot = (SCREENSHOTS or tmp_path) / "6-upload-in-progress-375.png"
    page.screenshot(path=str(shot), full_page=True)
    with app.app_context():
        assert db.session().scalar(select(UploadSession.received_bytes)) == 4 * piece

    page.reload()  # the worker reloads, chooses the same file again and uploads
    before_reload = len(seen)
    failed.clear()
    let_through["PATCH"] = 1
    page.set_input_files("input[type=file]", str(videos["cfr.mp4"]))
    page.click("form.upload button[type=submit]")
    wait_for_a_failed_piece(page, failed)  # one more piece, then the connection breaks again: the page says what goes on
    assert page.locator(".upload-status").inner_text().startswith("Continuing where the upload stopped")
    page.unroute("**/api/tus/*", connection)  # and comes back: tus-js-client retries by itself
    page.wait_for_url("**/clips/*", timeout=60_000)

    after = seen[before_reload:]
    assert [method for method, _ in seen].count("POST") == 1  # one upload, never begun again
    assert after[0] == ("HEAD", None)  # it asked where the upload stands
    assert [offset for method, offset in after if method == "PATCH"][0] == 4 * piece  # and went on from there
    assert stored_original(app) == data


def test_a_refused_upload_is_forgotten_by_the_browser(app, people, case, live_server, page, videos):
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    page.goto(f"{live_server}/cases/{case['id']}")
    page.set_input_files("input[type=file]", str(videos["letter.mp4"]))
    page.click("form.upload button[type=submit]")
    page.wait_for_selector(".upload-status.error")
    assert "not a video" in page.locator(".upload-status").inner_text()
    # Nothing to go on with: the browser keeps no trace of it (a stored upload would name its case).
    wait_until(page, "Object.keys(localStorage).filter((key) => key.startsWith('tus::')).length === 0")
    with app.app_context():
        assert db.session().scalars(select(UploadSession)).all() == []
