"""The append-only audit log (NEN 7513 style): who did what to which object, when, in which role.

Rows are only ever added: `record` is the one writer, the ORM refuses to change or delete a row, and
the database refuses too (triggers made by the migration), so not even a script with its own session
can rewrite history. A row names people by id and e-mail address at the time, never client data.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from sqlalchemy import Index, Select, String, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from vib.core.db import Base, UTCDateTime, utcnow

# The actions recorded, grouped by what they are about (object types: clip, moment, feedback,
# review, case, user, certificate, fragment, collection, meeting).
ACTIONS = (
    "clip.upload", "clip.view", "clip.stream",
    "moment.create", "moment.update", "moment.delete",
    "fragment.exercise", "fragment.reference",
    "feedback.create", "feedback.update", "feedback.delete",
    "review.request", "review.open", "review.send", "review.answer", "review.withdraw", "review.close",
    "consent.grant", "consent.withdraw",
    "user.create", "user.update", "certificate.set",
    "case.close", "case.reopen", "case.export", "clip.delete", "review.end", "privacy.purge", "policy.set", "job.retry",
    "login.failed", "login.throttled", "user.password", "user.sessions_ended",
    "second_factor.enrol", "second_factor.recovery_codes", "second_factor.reset",
    "fragment.propose", "fragment.view", "fragment.stream", "fragment.render", "fragment.publish", "fragment.unpublish",
    "fragment.update", "fragment.delete", "fragment.download",
    "collection.create", "collection.update", "collection.delete",
    "meeting.create", "meeting.update", "meeting.delete", "meeting.view", "meeting.present", "meeting.handout",
    "clip.agreement",
    "clip.export", "clip.import",
    "transcript.upload", "transcript.delete",
    "suggestion.accept", "suggestion.dismiss", "clip.voices",
)  # fmt: skip
EXPORT_COLUMNS = ("time", "user", "role", "action", "object type", "object id", "detail")
# Streaming a clip is many range requests; one row per person and clip in this window is enough.
STREAM_WINDOW = timedelta(minutes=10)


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_at", "at"), Index("ix_audit_events_object", "object_type", "object_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # No foreign key: the log outlives accounts, and names the person as they were.
    user_id: Mapped[int | None]
    user_email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int | None]
    # What else the row needs to say, never client data: counts of what a deletion removed, its reason.
    detail: Mapped[str | None] = mapped_column(String(400))


@event.listens_for(Session, "before_flush")
def _refuse_rewriting(session: Session, flush_context, instances) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEvent):
            raise PermissionError("the audit log is append-only")


def record(
    db: Session, user, action: str, object_type: str, object_id: int | None, role: str | None = None, detail: str | None = None
) -> AuditEvent:
    """Add one row; the caller's commit stores it with the change it describes."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: add it to ACTIONS")
    row = AuditEvent(
        user_id=getattr(user, "id", None),
        user_email=getattr(user, "email", None) or "-",
        role=role or _roles_of(user),
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail[:400] if detail else None,
    )
    db.add(row)
    return row


def record_stream(db: Session, user, clip_id: int, role: str) -> None:
    """Record that `user` streams a clip, once per STREAM_WINDOW (a player makes many requests)."""
    since = utcnow() - STREAM_WINDOW
    seen = db.scalar(
        select(AuditEvent.id).where(
            AuditEvent.user_id == user.id, AuditEvent.action == "clip.stream",
            AuditEvent.object_id == clip_id, AuditEvent.at >= since,
        ).limit(1)
    )  # fmt: skip
    if seen is None:
        record(db, user, "clip.stream", "clip", clip_id, role)


def _roles_of(user) -> str:
    roles = getattr(user, "roles", None)
    return ",".join(sorted(roles)) if roles else "-"


def matching(
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    user_email: str | None = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
) -> Select[tuple[AuditEvent]]:
    """The rows that match every filter given (unordered; the caller orders and pages)."""
    query = select(AuditEvent)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if until is not None:
        query = query.where(AuditEvent.at < until)
    if user_email:
        query = query.where(AuditEvent.user_email == user_email.strip().lower())
    if action:
        query = query.where(AuditEvent.action == action)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == object_id)
    return query


def events(db: Session, **filters) -> Iterator[AuditEvent]:
    """Matching rows in time order, streamed, so an export of years of rows needs little memory."""
    query = matching(**filters).order_by(AuditEvent.at, AuditEvent.id)
    return db.scalars(query.execution_options(yield_per=1000))


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """A cell a spreadsheet shows as text: one that starts like a formula gets a leading apostrophe
    (an e-mail address "=HYPERLINK(…)@x" must not run when the export is opened)."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def csv_lines(rows: Iterable[AuditEvent]) -> Iterator[str]:
    """The export: a header line, then one line per row (time in UTC, ISO 8601)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        writer.writerow(
            map(
                csv_safe,
                (
                    row.at.isoformat(),
                    row.user_email,
                    row.role,
                    row.action,
                    row.object_type,
                    "" if row.object_id is None else row.object_id,
                    row.detail or "",
                ),
            )
        )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()
