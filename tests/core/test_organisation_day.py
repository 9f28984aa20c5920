"""Days are the organisation's (VIB_TIMEZONE, Amsterdam here): between 23:00 and 24:00 UTC it is already
tomorrow there, and what a worker enters as today is accepted as today."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import upload_and_process


@pytest.fixture
def late_evening(monkeypatch):
    """The clock at 23:30 UTC today: 00:30 (winter) or 01:30 (summer) tomorrow in Amsterdam. Returns
    Amsterdam's day."""
    now = datetime.now(UTC).replace(hour=23, minute=30, second=0, microsecond=0)
    monkeypatch.setattr("vib.core.days.utcnow", lambda: now)
    return now.date() + timedelta(days=1)


def test_a_case_closes_on_the_organisations_day_not_utcs(api, case, late_evening):
    closed = api("worker").post(f"/api/cases/{case['id']}/close")
    assert closed.status_code == 200 and closed.json["closed_on"] == late_evening.isoformat()


def test_the_organisations_today_is_not_in_the_future_and_its_tomorrow_is(api, case, late_evening):
    worker, url = api("worker"), f"/api/cases/{case['id']}"
    tomorrow = worker.post(f"{url}/close", json={"closed_on": (late_evening + timedelta(days=1)).isoformat()})
    assert tomorrow.status_code == 422 and "future" in tomorrow.json["error"]
    consent = {"person": "aunt", "role": "other", "purposes": ["analysis"], "date": late_evening.isoformat()}
    assert worker.post(f"{url}/consents", json=consent).status_code in (200, 201)
    assert worker.post(f"{url}/close", json={"closed_on": late_evening.isoformat()}).status_code == 200


def test_a_clip_without_a_recording_date_is_recorded_on_the_organisations_day(app, api, case, videos, late_evening):
    clip = upload_and_process(app, api("worker"), case["id"], videos["cfr.mp4"])
    assert clip["recorded_on"] == late_evening.isoformat()
    moved = api("worker").patch(f"/api/clips/{clip['id']}", json={"recorded_on": late_evening.isoformat()})
    assert moved.status_code == 200
