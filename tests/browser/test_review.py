"""The review screen in a real browser: filter the cards (the URL keeps the filters), play a moment from
its card, and print what the filters show, without the video."""

from __future__ import annotations

from tests.browser.test_upload_and_play import SCREENSHOTS, log_in, snap, wait_until
from tests.conftest import wait_for_jobs

VIDEO = "document.querySelector('.review-player video')"


def add(worker, clip, **fields):
    response = worker.post(f"/api/clips/{clip['id']}/moments", json=fields)
    assert response.status_code == 201, response.json
    return response.json


def count_text(page):
    return page.locator(".moment-count").inner_text()


def wait_for_count(page, text):
    wait_until(page, f"document.querySelector('.moment-count').textContent === {text!r}", timeout=5)


def visible_cards(page):
    return [card for card in page.locator(".moment-card").all() if card.is_visible()]


def test_the_worker_filters_plays_and_prints_the_moments(app, api, ready_clip, live_server, page):
    worker = api("worker")
    point = add(worker, ready_clip, start_ms=400, code="bc.initiatief", note="She looks up and starts to tell.", tags=["better_than_usual"])
    span = add(worker, ready_clip, start_ms=1200, end_ms=2400, code="bc.ontvangen", note='Nods: "ja".', tags=["learning_question"])
    add(worker, ready_clip, start_ms=2000, end_ms=3000, code="bc.beurt.jij", actor="other")
    add(worker, ready_clip, start_ms=3200, code="bc.initiatief", note="<b>not bold</b>")
    wait_for_jobs(app)
    url = f"{live_server}/clips/{ready_clip['id']}/review"

    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    page.goto(url)
    assert count_text(page) == "4 of 4 moments"
    assert page.locator(".moment-card >> text=<b>not bold</b>").count() == 1  # a note stays text
    wait_until(page, f"{VIDEO}.readyState >= 1")
    snap(page, "review-1-all")

    # Filters: instant, counted, kept in the URL.
    page.select_option("select[name=actor]", "client")
    assert count_text(page) == "2 of 4 moments"
    assert len(visible_cards(page)) == 2
    assert page.url.endswith("?actor=client")
    page.reload()
    assert page.locator("select[name=actor]").input_value() == "client"
    assert count_text(page) == "2 of 4 moments"
    page.select_option("select[name=actor]", "")
    page.select_option("select[name=code]", "bc.beurt")  # a code takes in the codes under it
    assert count_text(page) == "1 of 4 moments"
    page.select_option("select[name=code]", "")
    page.select_option("select[name=tag]", "learning_question")
    assert count_text(page) == "1 of 4 moments" and "tag=learning_question" in page.url
    page.click(".review-filters button:has-text('Show all')")
    wait_for_count(page, "4 of 4 moments")
    assert "?" not in page.url

    # A span plays from its start and stops at its end.
    page.click(f"#moment-{span['id']} .moment-text .note")
    at = page.evaluate(f"{VIDEO}.currentTime")
    assert 1.2 <= at < 1.7, at
    wait_until(page, f"{VIDEO}.paused && Math.abs({VIDEO}.currentTime - 2.4) < 0.01", timeout=15)
    assert "playing" in page.locator(f"#moment-{span['id']}").get_attribute("class")
    # A point plays on from its moment (its play button does the same as the card).
    page.click(f"#moment-{point['id']} button.play")
    at = page.evaluate(f"{VIDEO}.currentTime")
    assert 0.4 <= at < 0.9, at
    wait_until(page, f"!{VIDEO}.paused && {VIDEO}.currentTime > 0.5", timeout=15)
    assert page.locator(".now-playing").inner_text() == "Playing from 0:00.400"
    page.evaluate(f"{VIDEO}.pause()")
    snap(page, "review-2-playing")

    # Print: the stills of what the filters show are loaded first, then the print dialog opens.
    page.select_option("select[name=actor]", "client")
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    page.click("button.print-button")
    wait_until(page, "document.body.dataset.printed === 'yes'")
    shown = page.locator(".moment-card:not([hidden]) img")
    assert shown.count() == 2
    assert all(img.evaluate("i => i.complete && i.naturalWidth === 320 && i.loading === 'eager'") for img in shown.all())

    page.emulate_media(media="print")
    assert not page.locator(".review-player").is_visible()
    assert not page.locator(".review-filters").is_visible()
    assert not page.locator("button.print-button").is_visible()
    assert not page.locator(f"#moment-{span['id']}").is_visible()  # filtered out: not printed
    assert len(visible_cards(page)) == 2
    assert page.locator(".print-only.case-code").inner_text() == "2026-017"
    assert page.locator(".review-stats").is_visible()
    if SCREENSHOTS:
        page.pdf(path=str(SCREENSHOTS / "review-print.pdf"), format="A4")
    snap(page, "review-3-print")


def test_moments_for_analysis_only_are_on_screen_but_never_printed(app, api, ready_clip, live_server, page):
    worker = api("worker")
    received = add(worker, ready_clip, start_ms=400, code="bc.initiatief")
    missed = add(worker, ready_clip, start_ms=1600, code="bc.gemist")
    wait_for_jobs(app)
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    page.goto(f"{live_server}/clips/{ready_clip['id']}/review")
    assert page.locator(f"#moment-{missed['id']}").is_visible()
    assert page.locator(".analysis-only-note").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(f"#moment-{missed['id']}").is_visible()
    assert page.locator(f"#moment-{received['id']}").is_visible()
