"""A worker in a real browser: log in, create a case, record consent, upload, watch it process, play."""

import os
import threading
import time
from pathlib import Path

from tests.conftest import PASSWORD, RECOVERY_CODES
from tests.days import organisation_today
from vib.clips import operations

SCREENSHOTS = Path(os.environ.get("VIB_SCREENSHOTS", "")) if os.environ.get("VIB_SCREENSHOTS") else None


def snap(page, name):
    if SCREENSHOTS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def wait_until(page, expression, timeout=30.0):
    """Poll a JavaScript expression from the test (page.wait_for_function evaluates its predicate
    inside the page, which vib's Content-Security-Policy rightly forbids)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(f"() => Boolean({expression})"):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.02)


def log_in(page, live_server, email):
    """Both steps of the log-in, as a person types them (the second with one of their recovery codes)."""
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/login/code")
    page.fill("input[name=code]", RECOVERY_CODES[email].pop())
    page.click("button[type=submit]")


def test_worker_uploads_a_clip_and_plays_it_with_a_filmstrip(app, people, live_server, page, videos, monkeypatch):
    app.config["VIB_DEFAULT_LOCALE"] = "en"
    original = operations.make_playable
    processing_seen = threading.Event()

    def held_make_playable(*args, **kwargs):
        processing_seen.wait(30)  # the page shows the processing state until the test has seen it
        return original(*args, **kwargs)

    app.config["VIB_JOB_ISOLATION"] = False  # the replacement works in this process only
    monkeypatch.setattr(operations, "make_playable", held_make_playable)
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    page.fill("input[name=code]", "2026-044")
    page.fill("textarea[name=learning_question]", "How do I wait until the mother looks up?")
    page.click("text=Create case")
    page.wait_for_url("**/cases/*")
    assert page.locator(".notice").inner_text().startswith("Record the consent")
    snap(page, "1-case-without-consent")

    page.fill("input[name=person]", "mother")
    page.select_option("select[name=role]", "parent")
    page.check("input[name=purposes][value=analysis]")
    page.fill("input[name=date]", organisation_today().isoformat())
    page.click("button:has-text('Record consent')")
    page.wait_for_selector("form.upload")
    page.wait_for_load_state("load")  # the confirmation is the page's script: a click before it ran would not ask
    assert "mother" in page.locator("table.consent").inner_text()
    page.once("dialog", lambda dialog: dialog.dismiss())  # withdrawing asks first; say no
    page.click("table.consent button:has-text('withdraw')")
    assert "Analysis by the worker" in page.locator("table.consent").inner_text()

    page.set_input_files("input[type=file]", str(videos["vp9.webm"]))
    page.fill("input[name=title]", "Third home visit")
    page.click("form.upload button[type=submit]")
    page.wait_for_selector(".upload-status:has-text('Making it playable')")  # same page, no reload
    snap(page, "2-processing")
    processing_seen.set()
    page.wait_for_url("**/clips/*")  # opens the clip once it is ready
    page.evaluate("window.sameDocument = true")
    page.wait_for_selector(".player video", timeout=60_000)  # the page follows processing by itself
    assert page.evaluate("window.sameDocument") is True, "the page should switch to the player without a reload"
    wait_until(page, "document.querySelector('.player video').readyState >= 2")
    page.wait_for_selector(".filmstrip .tile", timeout=30_000)
    assert page.locator(".filmstrip .tile").count() > 3

    page.locator(".filmstrip").scroll_into_view_if_needed()
    strip = page.locator(".filmstrip").bounding_box()
    page.mouse.move(strip["x"] + strip["width"] * 0.5, strip["y"] + strip["height"] / 2)
    assert page.locator(".filmstrip .preview").is_visible()
    assert page.locator(".filmstrip .preview .time").inner_text().startswith("0:01")
    snap(page, "3-player-filmstrip-hover")
    page.mouse.click(strip["x"] + strip["width"] * 0.5, strip["y"] + strip["height"] / 2)
    wait_until(page, "Math.abs(document.querySelector('.player video').currentTime - 1.5) < 0.1")

    page.goto(f"{live_server}/cases")
    page.click("text=2026-044")
    assert page.locator(".clip-card .status").inner_text() == "Ready"
    wait_until(page, "document.querySelector('.clip-card img.poster').complete")
    assert page.locator(".clip-card img.poster").evaluate("img => img.naturalWidth") == 320
    snap(page, "4-case-with-clip")


def test_a_refused_upload_shows_why_in_the_page(app, people, live_server, page, videos, case):
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    page.goto(f"{live_server}/cases/{case['id']}")
    page.set_input_files("input[type=file]", str(videos["tone.m4a"]))
    page.click("form.upload button[type=submit]")
    page.wait_for_selector(".upload-status.error")
    assert "only sound" in page.locator(".upload-status").inner_text()
    snap(page, "5-refused-upload")
