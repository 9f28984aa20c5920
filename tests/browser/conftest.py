"""A live vib server and headless Chromium (Debian's, driven by Playwright; nothing is downloaded)."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

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


AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def accessibility_violations(page) -> list[dict]:
    """What axe-core finds against WCAG 2.1 A and AA on the page as it is now. axe is evaluated
    through the DevTools protocol, which the page's Content-Security-Policy does not govern."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    return page.evaluate(
        """async (tags) => {
          const result = await axe.run(document, { runOnly: { type: 'tag', values: tags } });
          return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                                                 nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
        }""",
        WCAG_21_AA,
    )


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
