"""Supervisors are reminded, once a day's work, that their certificate runs out: 90, 30 and 7 days
before, and the day after it did (then workers can no longer ask them for reviews)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from vib.accounts.certificates import certify
from vib.accounts.models import User
from vib.core import db, jobs
from vib.supervision.models import Notification
from vib.supervision.notifications import certificate_notices, text

TODAY = date(2026, 12, 2)


def certificate_ending(app, people, who: str, days_from_today: int) -> None:
    with app.app_context(), db.unit_of_work() as session:
        certify(
            session,
            session.get(User, people[who].id),
            "AIT-1",
            "AIT",
            TODAY + timedelta(days=days_from_today),
            today=TODAY - timedelta(days=800),
        )


def reminders(app, people, who: str) -> list[str]:
    with app.app_context():
        rows = db.session().query(Notification).filter_by(user_id=people[who].id).order_by(Notification.id).all()
        return [f"{row.kind} {row.on_date.isoformat()}" for row in rows]


def run(app) -> int:
    with app.app_context(), db.unit_of_work():
        return certificate_notices(0, today=TODAY)


@pytest.mark.parametrize(
    "days, kind", [(90, "certificate_expiring"), (30, "certificate_expiring"), (7, "certificate_expiring"), (-1, "certificate_expired")]
)
def test_a_supervisor_is_reminded_on_the_reminder_days(app, people, days, kind):
    certificate_ending(app, people, "supervisor", days)
    assert run(app) == 1
    assert reminders(app, people, "supervisor") == [f"{kind} {(TODAY + timedelta(days=days)).isoformat()}"]
    assert reminders(app, people, "other_supervisor") == []


@pytest.mark.parametrize("days", [91, 31, 8, 6, 0, -2, 400])
def test_no_reminder_on_the_other_days(app, people, days):
    certificate_ending(app, people, "supervisor", days)
    assert run(app) == 0
    assert reminders(app, people, "supervisor") == []


def test_the_reminder_says_the_date_and_what_to_do(app, people):
    certificate_ending(app, people, "supervisor", 30)
    run(app)
    with app.test_request_context(), app.app_context():
        [notification] = db.session().query(Notification).filter_by(user_id=people["supervisor"].id).all()
        assert "valid until January 1, 2027" in text(notification) and "renewal" in text(notification)


def test_the_reminders_are_daily_work():
    assert {"certificate_notices", "purge"} <= set(jobs.DAILY)
