"""The audit log (NEN 7513 style): rows are added, never changed or deleted, and exported as CSV."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from vib.accounts.models import User
from vib.core import audit, db
from vib.core.audit import AuditEvent


@pytest.fixture
def session(app):
    with app.test_request_context():
        yield db.session()


@pytest.fixture
def row(session, people):
    worker = session.get(User, people["worker"].id)
    made = audit.record(session, worker, "clip.view", "clip", 7)
    session.commit()
    return made


def test_a_row_names_who_did_what_to_which_object(row, people):
    assert (row.user_id, row.user_email, row.role) == (people["worker"].id, "worker@example.org", "worker")
    assert (row.action, row.object_type, row.object_id) == ("clip.view", "clip", 7)
    assert row.at.tzinfo is not None


def test_the_orm_refuses_to_change_or_delete_a_row(session, row):
    row.action = "clip.stream"
    with pytest.raises(PermissionError, match="append-only"):
        session.flush()
    session.rollback()
    session.delete(session.get(AuditEvent, row.id))
    with pytest.raises(PermissionError, match="append-only"):
        session.flush()
    session.rollback()
    assert session.get(AuditEvent, row.id).action == "clip.view"


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET action = 'clip.stream'",
    "UPDATE audit_events SET at = at",
    "DELETE FROM audit_events",
])  # fmt: skip
def test_the_database_refuses_to_change_or_delete_a_row(app, row, statement):
    """Even a script with its own connection, past the ORM, cannot rewrite history."""
    with app.app_context():
        with pytest.raises(DBAPIError, match="append-only"), db.engine().begin() as conn:
            conn.execute(text(statement))
        with db.engine().connect() as conn:
            assert conn.execute(text("SELECT action FROM audit_events")).scalars().all() == ["clip.view"]


def test_only_known_actions_are_recorded(session):
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record(session, None, "clip.download", "clip", 1)


def test_events_filter_and_the_export_lists_them_in_time_order(session, people):
    start = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
    for hours, email, action, object_id in [
        (2, "supervisor@example.org", "review.open", 3),
        (0, "worker@example.org", "clip.view", 5),
        (30, "worker@example.org", "moment.create", 12),
    ]:
        session.add(
            AuditEvent(
                at=start + timedelta(hours=hours),
                user_email=email,
                role="x",
                action=action,
                object_type=action.split(".")[0],
                object_id=object_id,
            )
        )
    session.commit()
    assert [e.object_id for e in audit.events(session)] == [5, 3, 12]
    assert [e.object_id for e in audit.events(session, since=start + timedelta(hours=1))] == [3, 12]
    assert [e.object_id for e in audit.events(session, until=start + timedelta(hours=2))] == [5]
    assert [e.object_id for e in audit.events(session, user_email=" Worker@Example.org")] == [5, 12]
    assert [e.object_id for e in audit.events(session, action="review.open")] == [3]
    assert [e.object_id for e in audit.events(session, object_type="moment", object_id=12)] == [12]
    lines = "".join(audit.csv_lines(audit.events(session))).splitlines()
    assert lines[0] == "time,user,role,action,object type,object id,detail"
    assert lines[1] == "2026-01-10T09:00:00+00:00,worker@example.org,x,clip.view,clip,5,"
    assert len(lines) == 4


def test_streaming_is_recorded_once_per_window(session, people):
    worker = session.get(User, people["worker"].id)
    for _ in range(3):
        audit.record_stream(session, worker, 9, "worker")
    assert [e.action for e in audit.events(session, object_id=9)] == ["clip.stream"]
