"""The second factor in a real browser: a new supervisor sets up an authenticator app at the first
log-in (the code computed with pyotp from the key the page shows), keeps the recovery codes, logs out,
and logs in again with a code from the app, then with a recovery code. The pages pass axe-core's
WCAG 2.1 AA checks and fit a phone's 375 px."""

from __future__ import annotations

import time

import pyotp

from tests.browser.conftest import accessibility_violations
from tests.browser.test_upload_and_play import log_in, snap
from vib.accounts.operations import add_user
from vib.core import db


def fits_a_phone(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def log_in_with_password(page, live_server):
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill("sam@example.org")
    page.get_by_label("Password").fill("a long password")
    page.get_by_role("button", name="Log in").click()


def test_a_supervisor_sets_up_the_app_and_logs_in_with_its_codes(app, people, live_server, browser):
    app.config["VIB_DEFAULT_LOCALE"] = "en"
    with app.app_context():
        add_user(db.session(), "sam@example.org", ["supervisor"], name="Sam", password="a long password")
        db.session().commit()
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="en-GB")
    page = context.new_page()
    try:
        log_in_with_password(page, live_server)
        page.wait_for_url("**/login/enrol")
        assert page.locator(".qr svg").is_visible() and fits_a_phone(page)
        assert accessibility_violations(page) == []
        snap(page, "security-1-enrol")
        secret = page.locator("code.secret").inner_text().strip()
        totp = pyotp.TOTP(secret)
        page.get_by_label("Code from the app").fill(totp.now())
        page.get_by_role("button", name="Confirm").click()
        codes = page.locator(".recovery-codes code").all_inner_texts()
        snap(page, "security-2-recovery-codes")
        assert len(codes) == 10 and accessibility_violations(page) == [] and fits_a_phone(page)
        page.get_by_role("link", name="I have kept them: continue").click()
        page.wait_for_url("**/cases")

        page.get_by_role("button", name="Log out").click()
        page.wait_for_url("**/login")
        log_in_with_password(page, live_server)
        page.wait_for_url("**/login/code")
        assert accessibility_violations(page) == []
        page.get_by_label("The six-digit code from your authenticator app").fill(totp.at(time.time() + 30))  # the next code
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/cases")

        page.get_by_role("button", name="Log out").click()
        log_in_with_password(page, live_server)
        page.get_by_label("The six-digit code from your authenticator app").fill(codes[0])
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/cases")
        assert "9 are left" in page.locator("main").inner_text()

        page.goto(f"{live_server}/account")
        assert "9 recovery codes are left" in page.locator("#second-factor").inner_text()
        assert accessibility_violations(page) == [] and fits_a_phone(page)
        snap(page, "security-3-account")
    finally:
        context.close()


def test_the_page_warns_before_an_idle_log_out_and_the_person_stays(app, people, live_server, page):
    app.config.update(VIB_DEFAULT_LOCALE="en", VIB_IDLE_MINUTES=1)  # the warning is due a minute before: at once
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")
    warning = page.get_by_role("alertdialog")
    warning.wait_for(state="visible")
    assert "logged out in a minute" in warning.inner_text()
    assert page.evaluate("() => document.activeElement.textContent") == "Stay logged in"  # the focus is on the way out
    assert accessibility_violations(page) == []
    with page.expect_response("**/api/session") as asked:
        page.keyboard.press("Enter")
    assert asked.value.ok
