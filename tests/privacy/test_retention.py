"""Retention: the organisation's policy, closing and reopening a case, each clip's delete-after date,
the warning 14 days before, and the purge that deletes what is due."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import wait_for_jobs
from tests.days import organisation_today
from tests.privacy.conftest import cli, clip_files, days_ago
from tests.supervision.test_notifications import smtp_server  # noqa: F401 (a fixture)
from vib.app import purge_daily
from vib.core import db
from vib.core.audit import AuditEvent
from vib.privacy.operations import add_months


def close(api, case, **body):
    return api("worker").post(f"/api/cases/{case['id']}/close", json=body) if body else api("worker").post(f"/api/cases/{case['id']}/close")


def delete_after(api, clip) -> tuple[str, str]:
    shown = api("worker").get(f"/api/clips/{clip['id']}").json
    return shown["delete_after"], shown["deletion_reason"]


def test_months_are_added_to_the_same_day_or_the_last_of_a_shorter_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 2) == date(2027, 1, 15)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


def test_a_clip_is_kept_twelve_months_at_most_and_two_after_its_case_closes(api, case, ready_clip):
    today = organisation_today()
    assert delete_after(api, ready_clip) == (add_months(today, 12).isoformat(), "retention_max")
    closed = close(api, case)
    assert closed.status_code == 200 and closed.json["closed_on"] == today.isoformat()
    assert delete_after(api, ready_clip) == (add_months(today, 2).isoformat(), "retention_closed")
    assert close(api, case).status_code == 409
    reopened = api("worker").post(f"/api/cases/{case['id']}/reopen")
    assert reopened.status_code == 200 and reopened.json["closed_on"] is None
    assert delete_after(api, ready_clip) == (add_months(today, 12).isoformat(), "retention_max")
    assert api("worker").post(f"/api/cases/{case['id']}/reopen").status_code == 409


def test_a_closed_case_takes_no_uploads(api, case, videos):
    close(api, case)
    refused = api("worker").upload(case["id"], videos["cfr.mp4"])
    assert refused.status_code == 403 and "closed" in refused.json["error"]
    assert api("worker").get(f"/api/cases/{case['id']}").json["upload_refusal"]


@pytest.mark.parametrize(
    "body, status, words",
    [
        ({"closed_on": "1 May"}, 422, "YYYY-MM-DD"),
        ({"closed_on": (organisation_today() + timedelta(days=1)).isoformat()}, 422, "future"),
        ({"closed_on": "2001-01-01"}, 422, "before it was made"),
    ],
)
def test_a_wrong_closing_date_is_refused_with_the_reason(api, case, body, status, words):
    response = close(api, case, **body)
    assert response.status_code == status and words in response.json["error"]
    assert api("worker").get(f"/api/cases/{case['id']}").json["closed_on"] is None


def test_the_purge_deletes_clips_of_cases_closed_long_enough_ago_and_clips_past_the_longest_age(app, api, case, ready_clip, uploaded_clip):
    close(api, case)
    days_ago(app, 400, clip_id=uploaded_clip["id"])  # past twelve months
    with app.app_context():  # closed three months ago (closing dates in the past are allowed)
        from vib.cases.models import Case

        db.session().get(Case, case["id"]).closed_on = organisation_today() - timedelta(days=95)
        db.session().commit()
    assert delete_after(api, ready_clip)[1] == "retention_closed"
    assert delete_after(api, uploaded_clip)[1] == "retention_max"
    dry = cli(app, "purge", "--dry-run")
    assert dry.output.count("would delete") == 2 and clip_files(app, ready_clip["id"]) and clip_files(app, uploaded_clip["id"])
    done = cli(app, "purge")
    assert done.exit_code == 0 and "retention_closed" in done.output and "retention_max" in done.output
    assert clip_files(app, ready_clip["id"]) == set() and clip_files(app, uploaded_clip["id"]) == set()
    reasons = {t["clip_id"]: t["reason"] for t in api("worker").get(f"/api/cases/{case['id']}/deleted-clips").json}
    assert reasons == {ready_clip["id"]: "retention_closed", uploaded_clip["id"]: "retention_max"}
    with app.app_context():
        purges = db.session().scalars(select(AuditEvent).where(AuditEvent.action == "privacy.purge")).all()
        assert [(p.role, p.detail) for p in purges] == [("cli", "deleted=2")]  # the dry run is not a purge


def test_the_owner_is_warned_once_fourteen_days_before_in_vib_and_by_mail(app, api, case, ready_clip, smtp_server):  # noqa: F811
    port, received = smtp_server
    mail = {"VIB_SMTP_HOST": "127.0.0.1", "VIB_SMTP_PORT": str(port), "VIB_BASE_URL": "https://vib.example.org"}
    days_ago(app, 365 - 10, clip_id=ready_clip["id"])  # twelve months are up in about ten days
    due_on = delete_after(api, ready_clip)[0]
    assert cli(app, "purge", **mail).output.count("deleted clip") == 0
    assert cli(app, "purge", **mail).exit_code == 0  # a second purge warns no more
    warnings = [n for n in api("worker").get("/api/notifications").json if n["kind"] == "clip_deletion_due"]
    assert len(warnings) == 1 and warnings[0]["url"] == f"/clips/{ready_clip['id']}"
    assert date.fromisoformat(due_on).strftime("%Y") in warnings[0]["text"]
    for _ in range(50):
        if received:
            break
        time.sleep(0.1)
    [mail] = received
    assert mail["To"] == "worker@example.org" and f"https://vib.example.org/clips/{ready_clip['id']}" in mail.get_payload()
    assert "2026-017" not in mail.get_payload() and ready_clip["title"] not in mail.get_payload()


def test_the_policy_is_set_by_an_admin_within_its_limits(app, api, ready_clip):
    assert api("admin").get("/api/policy").json == {"clip_months_after_close": 2, "clip_max_months": 12, "fragment_months": 60}
    changed = api("admin").put("/api/policy", json={"clip_max_months": 6})
    assert changed.status_code == 200 and changed.json["clip_max_months"] == 6
    assert delete_after(api, ready_clip)[0] == add_months(organisation_today(), 6).isoformat()
    for body in ({"clip_max_months": 0}, {"clip_max_months": 121}, {"fragment_months": 61}, {"clip_months_after_close": "3"}, {"years": 1}):
        refused = api("admin").put("/api/policy", json=body)
        assert refused.status_code == 422 and refused.json["error"], body
    assert api("admin").get("/api/policy").json["clip_max_months"] == 6
    for who in ("worker", "supervisor", "trainer"):
        assert api(who).put("/api/policy", json={"clip_max_months": 1}).status_code == 404
    with app.app_context():
        [row] = db.session().scalars(select(AuditEvent).where(AuditEvent.action == "policy.set")).all()
        assert row.detail == "clip_months_after_close=2 clip_max_months=6 fragment_months=60"


def test_the_policy_on_the_command_line(app):
    shown = cli(app, "policy", "show")
    assert shown.exit_code == 0 and "clip_months_after_close = 2" in shown.output
    changed = cli(app, "policy", "set", "--clip-months-after-close", "3", "--fragment-months", "48")
    assert changed.exit_code == 0 and "clip_months_after_close = 3" in changed.output and "fragment_months = 48" in changed.output
    refused = cli(app, "policy", "set", "--fragment-months", "61")
    assert refused.exit_code != 0 and "from 1 to 60" in refused.output
    assert "fragment_months = 48" in cli(app, "policy", "show").output


def test_the_admin_retention_page_saves_the_policy_and_lists_what_is_due(app, api, browser_login, ready_clip):
    admin = browser_login("admin")
    page = admin.get("/admin/retention").get_data(as_text=True)
    assert 'value="12"' in page and "No clip is due for deletion." in page
    days_ago(app, 400, clip_id=ready_clip["id"])
    refused = admin.post(
        "/admin/retention", data={"clip_months_after_close": "2", "clip_max_months": "0", "fragment_months": "60", "csrf_token": admin.csrf}
    )
    assert refused.status_code == 422 and "from 1 to 120" in refused.get_data(as_text=True)
    saved = admin.post(
        "/admin/retention",
        data={"clip_months_after_close": "2", "clip_max_months": "24", "fragment_months": "60", "csrf_token": admin.csrf},
    )
    assert saved.status_code == 302
    assert "No clip is due for deletion." in admin.get("/admin/retention").get_data(as_text=True)  # 400 days < 24 months
    admin.post(
        "/admin/retention",
        data={"clip_months_after_close": "2", "clip_max_months": "12", "fragment_months": "60", "csrf_token": admin.csrf},
    )
    assert "1 clip will be deleted at the next daily purge." in admin.get("/admin/retention").get_data(as_text=True)


def test_closing_and_reopening_on_the_case_page(browser_login, case, ready_clip):
    client = browser_login("worker")
    closed = client.post(f"/cases/{case['id']}/close", data={"closed_on": organisation_today().isoformat(), "csrf_token": client.csrf})
    assert closed.status_code == 302
    page = client.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert "This case was closed on" in page and "Reopen the case" in page and "reopen it to upload" in page
    client.post(f"/cases/{case['id']}/reopen", data={"csrf_token": client.csrf})
    assert "Close the case" in client.get(f"/cases/{case['id']}").get_data(as_text=True)


def test_vib_serve_purges_by_itself_at_start_and_then_daily(app, api, ready_clip):
    days_ago(app, 400, clip_id=ready_clip["id"])
    stop = purge_daily(app)  # as `vib serve` starts it
    try:
        deadline = time.monotonic() + 30
        while clip_files(app, ready_clip["id"]) and time.monotonic() < deadline:
            time.sleep(0.05)
        wait_for_jobs(app)
    finally:
        stop.set()
    assert clip_files(app, ready_clip["id"]) == set()
    assert api("worker").get(f"/api/clips/{ready_clip['id']}").status_code == 404
