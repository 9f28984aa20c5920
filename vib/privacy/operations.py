"""The privacy lifecycle: when a clip is deleted, and the one path by which it is.

A clip is deleted (`delete_clip`) by its owner, when a person of its case has withdrawn consent for
analysis and the grace period (VIB_WITHDRAWAL_GRACE_DAYS) has passed, or when the organisation's
retention policy says so: some months after its case closed, or at the longest age a clip is kept.
The date is worked out from the case and the policy whenever it is needed, so recording a withdrawn
consent again, reopening a case or changing the policy moves it at once.

Deleting takes two steps. In the caller's transaction every row about the clip goes (each feature's
through the registry) and a tombstone is written that lists the storage folders to remove; after the
commit a job removes the files, one by one, and marks the tombstone done. A crash between the files
leaves rows that are gone and a tombstone that is not done: `finish_unfinished` (at start) finishes it.
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import SimpleNamespace

from flask import current_app, g
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from vib.accounts.models import User
from vib.cases.hooks import consent_withdrawn
from vib.cases.models import Case
from vib.clips.hooks import clip_facts
from vib.clips.models import Clip
from vib.clips.operations import forget_stale_uploads
from vib.core import audit, jobs, storage
from vib.core.days import organisation_date
from vib.core.db import session as current_session
from vib.core.db import utcnow
from vib.core.errors import UserError
from vib.privacy import registry
from vib.privacy.hooks import deletion_approaching
from vib.privacy.models import (
    DEFAULT_POLICY,
    OWNER,
    POLICY_LIMITS,
    RETENTION_CLOSED,
    RETENTION_MAX,
    WITHDRAWAL,
    ClipTombstone,
    RetentionPolicy,
)

log = logging.getLogger(__name__)

WARNING_DAYS = 14  # the owner hears of a deletion this many days before
SYSTEM = "vib"  # who the tombstone and the audit log name when nobody acted (a date passed)

REASON_LABELS = {
    OWNER: _l("deleted by its owner"),
    WITHDRAWAL: _l("consent for analysis was withdrawn"),
    RETENTION_CLOSED: _l("the retention period after the case closed ends"),
    RETENTION_MAX: _l("the longest time a clip is kept ends"),
}


class PrivacyError(UserError):
    """A privacy request that breaks a rule (a policy out of range)."""


# -- the policy -----------------------------------------------------------------------------------


def policy(db: Session) -> RetentionPolicy:
    """The organisation's retention policy (the defaults until an admin sets one)."""
    return db.get(RetentionPolicy, 1) or RetentionPolicy(id=1, **DEFAULT_POLICY)


def set_policy(db: Session, by, role: str, values: dict) -> RetentionPolicy:
    """Change some of the policy's months; each is a whole number from 1 to its limit."""
    unknown = sorted(set(values) - set(DEFAULT_POLICY))
    if unknown:
        raise PrivacyError(_l("Unknown setting: %(name)s.", name=unknown[0]))
    current = policy(db)
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= POLICY_LIMITS[name]:
            raise PrivacyError(_l("%(name)s must be a whole number of months from 1 to %(limit)d.", name=name, limit=POLICY_LIMITS[name]))
        setattr(current, name, value)
    if current not in db:
        db.add(current)
    db.flush()
    detail = " ".join(f"{name}={getattr(current, name)}" for name in DEFAULT_POLICY)
    audit.record(db, by, "policy.set", "policy", 1, role, detail=detail)
    return current


def policy_json(current: RetentionPolicy) -> dict:
    return {name: getattr(current, name) for name in DEFAULT_POLICY}


# -- when a clip goes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedDeletion:
    """When a clip will be deleted (the first day it may be) and why."""

    on: date
    reason: str
    due_at: datetime  # the moment it is due: a withdrawal's grace period ends during a day

    @property
    def reason_text(self) -> str:
        return str(REASON_LABELS[self.reason])


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it has fewer days (31 Jan + 1 = 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def withdrawal_due(case: Case) -> datetime | None:
    """When the case's clips go because someone withdrew consent for analysis and has not given it
    again: the earliest such withdrawal, plus the grace period. None when nobody has."""
    grace = timedelta(days=current_app.config["VIB_WITHDRAWAL_GRACE_DAYS"])
    withdrawn_at: dict[str, datetime] = {}  # per person: since when analysis is withdrawn
    for record in case.consent_records:  # in the order they were recorded
        if "analysis" not in record.purposes:
            continue
        person = record.person.casefold()
        if record.action == "withdraw":
            withdrawn_at.setdefault(person, record.recorded_at)
        else:
            withdrawn_at.pop(person, None)  # given again: that withdrawal no longer counts
    return min(withdrawn_at.values()) + grace if withdrawn_at else None


def planned_deletion(clip: Clip, current: RetentionPolicy) -> PlannedDeletion:
    """The earliest of: the end of a withdrawal's grace period, the retention after the case closed,
    and the longest time a clip is kept."""
    uploaded = organisation_date(clip.created_at)
    plans = [
        PlannedDeletion(
            add_months(uploaded, current.clip_max_months), RETENTION_MAX, _start_of(add_months(uploaded, current.clip_max_months))
        )
    ]
    if clip.case.closed_on is not None:
        on = add_months(clip.case.closed_on, current.clip_months_after_close)
        plans.append(PlannedDeletion(on, RETENTION_CLOSED, _start_of(on)))
    withdrawn = withdrawal_due(clip.case)
    if withdrawn is not None:
        plans.append(PlannedDeletion(organisation_date(withdrawn), WITHDRAWAL, withdrawn))
    return min(plans, key=lambda plan: plan.due_at)


def _start_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=utcnow().tzinfo)


@clip_facts.connect
def _clip_deletion_facts(clip: Clip) -> dict:
    # A list of clips asks once per clip: read the policy once per request (an absent row is not cached).
    if "vib_retention_policy" not in g:
        g.vib_retention_policy = policy(current_session())
    plan = planned_deletion(clip, g.vib_retention_policy)
    return {"delete_after": plan.on.isoformat(), "deletion_reason": plan.reason}


def due(db: Session, now: datetime | None = None) -> list[tuple[Clip, PlannedDeletion]]:
    """Every clip whose deletion is due now, oldest first."""
    now = now or utcnow()
    current = policy(db)
    found = []
    for clip in db.scalars(select(Clip).order_by(Clip.id)):
        plan = planned_deletion(clip, current)
        if plan.due_at <= now:
            found.append((clip, plan))
    return found


# -- deleting -------------------------------------------------------------------------------------


def delete_clip(db: Session, clip: Clip, reason: str, by: User | None, role: str | None = None) -> ClipTombstone:
    """Delete the clip and everything made from it: every feature's rows now, in this transaction,
    its files once the transaction has committed. Leaves a tombstone and an audit row."""
    removed: dict[str, int] = {}
    prefixes = [clip.folder]
    for dependent in registry.CLIP_DEPENDENTS:
        if dependent.delete is not None:
            for name, count in dependent.delete(db, clip).items():
                removed[name] = removed.get(name, 0) + count
        if dependent.files is not None:
            prefixes.extend(dependent.files(clip))
    tombstone = ClipTombstone(
        clip_id=clip.id,
        case_id=clip.case_id,
        title=clip.title,
        recorded_at=clip.created_at,
        reason=reason,
        deleted_by_id=getattr(by, "id", None),
        deleted_by_email=getattr(by, "email", None) or SYSTEM,
        removed=removed,
        storage_prefixes=prefixes,
    )
    db.add(tombstone)
    db.delete(clip)
    db.flush()
    detail = " ".join([f"reason={reason}", *(f"{name}={count}" for name, count in sorted(removed.items()))])
    audit.record(db, by if by is not None else system_actor(), "clip.delete", "clip", tombstone.clip_id, role or SYSTEM, detail=detail)
    jobs.enqueue_after_commit(db, "remove_clip_files", tombstone.clip_id)
    return tombstone


def system_actor():
    """Who the audit log names when nobody acted: a date passed, a job ran."""
    return SimpleNamespace(id=None, email=SYSTEM)


@jobs.task("remove_clip_files")
def remove_clip_files(clip_id: int) -> None:
    """Remove a deleted clip's files, one at a time (a crash in between is finished by a restart)."""
    db = current_session()
    tombstone = db.get(ClipTombstone, clip_id)
    if tombstone is None or tombstone.files_removed_at is not None:
        return
    media = storage.current()
    for prefix in tombstone.storage_prefixes:
        for key in media.keys(prefix):
            media.delete(key)
        media.delete_prefix(prefix)  # the folders left
    tombstone.files_removed_at = utcnow()


@jobs.resumer
def finish_unfinished(db: Session) -> int:
    """Queue the removal of files that a stop interrupted, unless a job is at it."""
    waiting = db.scalars(select(ClipTombstone.clip_id).where(ClipTombstone.files_removed_at.is_(None))).all()
    return sum(jobs.resume_after_commit(db, "remove_clip_files", clip_id) for clip_id in waiting)


@dataclass
class PurgeLine:
    clip_id: int
    case_code: str
    title: str
    on: date
    reason: str

    def __str__(self) -> str:
        return f"clip {self.clip_id} (case {self.case_code}, {self.title!r}): due {self.on.isoformat()}, {self.reason}"


def purge(db: Session, by=None, role: str = SYSTEM, dry_run: bool = False, now: datetime | None = None) -> list[PurgeLine]:
    """Delete every clip that is due (with `dry_run`, only say which) and what features registered as
    expiring (library fragments past their date), and warn the owners of clips due within
    WARNING_DAYS. One audit row says what the purge did."""
    lines: list = []
    for clip, plan in due(db, now):
        lines.append(PurgeLine(clip.id, clip.case.code, clip.title, plan.on, plan.reason))
        if not dry_run:
            delete_clip(db, clip, plan.reason, None)
    for _name, expire in registry.EXPIRERS:  # what other features keep past its own date (fragments)
        lines.extend(expire(db, now or utcnow(), dry_run))
    if not dry_run:
        warn_owners(db, now)
        audit.record(db, by if by is not None else system_actor(), "privacy.purge", "clip", None, role, detail=f"deleted={len(lines)}")
    return lines


STALE_UPLOAD_SECONDS = 24 * 3600  # a whole-file upload's leftover not written to for a day was cut off


@jobs.task("purge", daily=True)
def purge_job(_unused: int = 0) -> None:
    """The daily purge (queued once a day by `vib serve` or the workers); it also removes cut-off uploads."""
    forget_stale_uploads(current_session())  # uploads in pieces past their lifetime (tus's Upload-Expires)
    storage.current().remove_temp_files(unchanged_for=STALE_UPLOAD_SECONDS)
    deleted = purge(current_session())
    if deleted:
        log.info("purge deleted %d clip(s)", len(deleted))


@jobs.task("delete_withdrawn_clips")
def delete_withdrawn_clips(case_id: int) -> None:
    """A withdrawal with no grace period: delete the case's clips now (if the consent was not given again)."""
    db = current_session()
    case = db.get(Case, case_id)
    if case is None:
        return
    due_at = withdrawal_due(case)
    if due_at is None or due_at > utcnow():
        return
    for clip in db.scalars(select(Clip).where(Clip.case_id == case.id).order_by(Clip.id)):
        delete_clip(db, clip, WITHDRAWAL, None)


def warn_owners(db: Session, now: datetime | None = None) -> int:
    """Tell owners of clips due within WARNING_DAYS, once per date."""
    soon = (now or utcnow()) + timedelta(days=WARNING_DAYS)
    current = policy(db)
    warned = 0
    for clip in db.scalars(select(Clip).order_by(Clip.id)):
        plan = planned_deletion(clip, current)
        if plan.due_at <= soon and clip.deletion_warned_for != plan.on:
            deletion_approaching.send(clip, on=plan.on)
            clip.deletion_warned_for = plan.on
            warned += 1
    db.flush()
    return warned


# -- withdrawal -------------------------------------------------------------------------------------


@consent_withdrawn.connect
def _on_withdrawal(case: Case, person: str, purposes: list[str], by) -> None:
    """Stop what depended on the purposes (each feature registered its part); with no grace period,
    delete the clips right after the withdrawal is stored."""
    db = current_session()
    for purpose in purposes:
        for _name, handler in registry.WITHDRAWAL_HANDLERS[purpose]:
            handler(db, case, person, by)
    if "analysis" in purposes and current_app.config["VIB_WITHDRAWAL_GRACE_DAYS"] == 0:
        jobs.enqueue_after_commit(db, "delete_withdrawn_clips", case.id)


def tombstones(db: Session, case: Case) -> list[ClipTombstone]:
    return list(db.scalars(select(ClipTombstone).where(ClipTombstone.case_id == case.id).order_by(ClipTombstone.deleted_at)))


def tombstone_json(tombstone: ClipTombstone) -> dict:
    return {
        "clip_id": tombstone.clip_id,
        "title": tombstone.title,
        "recorded_at": tombstone.recorded_at.isoformat(),
        "deleted_at": tombstone.deleted_at.isoformat(),
        "reason": tombstone.reason,
        "deleted_by": tombstone.deleted_by_email,
        "removed": tombstone.removed,
        "files_removed": tombstone.files_removed_at is not None,
    }
