"""The privacy lifecycle in a real browser: the worker withdraws a consent on the case page and sees
the clip's deletion date, records the consent again and sees the deletion cancelled, then closes the
case and sees the dates the retention policy gives; the admin's retention page. Each page passes
axe-core's WCAG 2.1 AA checks."""

from __future__ import annotations

from datetime import date, timedelta

from babel.dates import format_date

from tests.browser.conftest import accessibility_violations
from tests.browser.test_upload_and_play import log_in, snap
from tests.days import organisation_today
from vib.privacy.operations import add_months


def long_date(day: date) -> str:
    return format_date(day, "long", locale="en")  # as the pages show it in English


def deletion_notice(page, live_server, clip_id) -> tuple[str, str]:
    page.goto(f"{live_server}/clips/{clip_id}")
    notice = page.locator("#deletion [data-delete-after]")
    return notice.get_attribute("data-delete-after"), notice.inner_text()


def test_withdrawing_and_giving_consent_again_and_closing_the_case_show_the_dates(app, people, case, ready_clip, live_server, page):
    app.config["VIB_DEFAULT_LOCALE"] = "en"
    clip_id, today = ready_clip["id"], organisation_today()
    page.on("dialog", lambda dialog: dialog.accept())  # "Withdraw the consent of …?", "Close this case?"
    log_in(page, live_server, "worker@example.org")
    page.wait_for_url("**/cases")

    on, text = deletion_notice(page, live_server, clip_id)
    assert on == add_months(today, 12).isoformat() and "longest time a clip is kept" in text
    assert accessibility_violations(page) == []

    # Withdraw the father's consent for analysis on the case page.
    page.goto(f"{live_server}/cases/{case['id']}")
    page.get_by_role("button", name="Withdraw consent of father for Analysis by the worker").click()
    page.wait_for_url(f"**/cases/{case['id']}#consent")
    # the grace period ends a week from now; the pages give its day where the organisation is
    in_a_week = organisation_today() + timedelta(days=7)
    assert f"will be deleted on {long_date(in_a_week)}" in page.locator("#privacy").inner_text()
    assert accessibility_violations(page) == []
    on, text = deletion_notice(page, live_server, clip_id)
    assert on == in_a_week.isoformat() and "consent for analysis was withdrawn" in text and long_date(in_a_week) in text
    snap(page, "privacy-1-withdrawn")

    # Record it again: the deletion is cancelled.
    page.goto(f"{live_server}/cases/{case['id']}")
    form = page.locator("form.consent-form")
    form.locator("input[name=person]").fill("father")
    form.locator("select[name=role]").select_option("parent")
    form.get_by_label("Analysis by the worker").check()
    form.get_by_role("button", name="Record consent").click()
    page.wait_for_url(f"**/cases/{case['id']}#consent")
    assert "will be deleted on" not in page.locator("#privacy").inner_text()
    assert deletion_notice(page, live_server, clip_id)[0] == add_months(today, 12).isoformat()

    # Close the case today: its clips go two months from now.
    page.goto(f"{live_server}/cases/{case['id']}")
    page.get_by_role("button", name="Close the case").click()
    page.wait_for_url(f"**/cases/{case['id']}#trajectory")
    assert f"closed on {long_date(today)}" in page.locator("#trajectory").inner_text()
    assert page.get_by_role("button", name="Reopen the case").is_visible()
    assert accessibility_violations(page) == []
    snap(page, "privacy-2-closed")
    on, text = deletion_notice(page, live_server, clip_id)
    assert on == add_months(today, 2).isoformat() and "after the case closed" in text


def test_the_admin_sets_the_retention_policy_on_its_page(app, people, ready_clip, live_server, page):
    app.config["VIB_DEFAULT_LOCALE"] = "en"
    log_in(page, live_server, "admin@example.org")
    page.wait_for_url("**/admin/users")
    page.get_by_role("link", name="Retention").click()
    page.get_by_label("Longest time a clip is kept, in months after upload").fill("6")
    page.get_by_role("button", name="Save").click()
    assert "The retention policy is saved." in page.locator("main").inner_text()
    assert page.get_by_label("Longest time a clip is kept, in months after upload").input_value() == "6"
    assert accessibility_violations(page) == []
    snap(page, "privacy-3-retention")
