"""A live vib server and headless Chromium (Debian's, driven by Playwright; nothing is downloaded)."""

from __future__ import annotations

import json
import os
import shutil
import threading

import pytest
from axe_playwright_python.sync_playwright import Axe
from werkzeug.serving import make_server

from tests.conftest import AXE_INCOMPLETE_ENV

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # It looks for the shutdown request this often (half a second by default, which each test waited).
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not shutil.which("chromium"):
        pytest.skip("Chromium is not installed (apt-get install chromium): browser tests skipped")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console", lambda message: message.type == "error" and "Content Security Policy" in message.text and problems.append(message.text)
    )
    yield page
    context.close()
    assert not problems, f"script errors or blocked content in the page: {problems}"


WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# axe-core as the axe-playwright-python package carries it; evaluated through the DevTools protocol,
# which the page's Content-Security-Policy does not govern.
AXE = Axe()
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations", "incomplete"]}


def accessibility_violations(page) -> list[dict]:
    """What axe-core finds against WCAG 2.1 A and AA on the page as it is now. What axe could not
    decide ("incomplete": contrast over an image, say) is not a failure: it is noted for the run's
    summary (tests/conftest.py), where a person looks at it."""
    results = AXE.run(page, options=AXE_OPTIONS).response
    note_incomplete(page.url, results.get("incomplete", []))
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [" ".join(n["target"]) for n in v["nodes"][:5]]}
        for v in results["violations"]
    ]


def note_incomplete(url: str, items: list[dict]) -> None:
    path = os.environ.get(AXE_INCOMPLETE_ENV)
    if not path or not items:
        return
    with open(path, "a", encoding="utf-8") as log:
        for item in items:
            row = {"id": item["id"], "help": item["help"], "url": url.split("?")[0], "nodes": len(item["nodes"])}
            log.write(json.dumps(row) + "\n")


PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}


def check_both_widths(page, name: str) -> None:
    """Screenshots at 1280 and 375 px, no WCAG 2.1 AA violation at either, and no sideways scrolling
    on a phone."""
    from tests.browser.test_upload_and_play import snap

    snap(page, name)
    assert accessibility_violations(page) == [], name
    page.set_viewport_size(PHONE)
    snap(page, f"{name}-375")
    assert accessibility_violations(page) == [], f"{name} at 375 px"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], f"{name} scrolls sideways at 375 px"
    page.set_viewport_size(DESKTOP)
