"""The library's part in the privacy lifecycle (vib/privacy/registry.py): a clip's fragments go
with it; withdrawing training deletes a case's fragments, withdrawing presentation removes their
downloaded copies; an expired fragment goes in the daily purge; a case's export lists its fragments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vib.cases.models import Case
from vib.clips.models import Clip
from vib.core import storage
from vib.core.days import organisation_date
from vib.core.db import on_commit
from vib.library import operations as ops
from vib.library.models import DELETED, Fragment
from vib.privacy import registry
from vib.privacy.operations import SYSTEM


def _fragments(db: Session, *where) -> list[Fragment]:
    return list(db.scalars(select(Fragment).where(Fragment.state != DELETED, *where).order_by(Fragment.id)))


def delete_clip_fragments(db: Session, clip: Clip) -> dict[str, int]:
    fragments = _fragments(db, Fragment.clip_id == clip.id)
    for fragment in fragments:
        ops.discard(db, fragment, None, SYSTEM, "clip deleted")
    return {"fragments": len(fragments)}


def withdraw_training(db: Session, case: Case, person: str, by) -> None:
    for fragment in _fragments(db, Fragment.case_id == case.id):
        ops.discard(db, fragment, by, "worker", "training withdrawn")


def withdraw_presentation(db: Session, case: Case, person: str, by) -> None:
    """Downloads stop at once (checked on every request); the copies made for them go too."""
    folders = [fragment.download_folder for fragment in _fragments(db, Fragment.case_id == case.id)]

    def remove() -> None:
        media = storage.current()
        for folder in folders:
            for key in media.keys(folder):
                media.delete(key)

    on_commit(db, remove)


def expire_fragments(db: Session, now: datetime, dry_run: bool) -> list[str]:
    expired = _fragments(db, Fragment.expires_on < organisation_date(now))
    for fragment in expired:
        if not dry_run:
            ops.discard(db, fragment, None, SYSTEM, "expired")
    return [f"fragment {f.id}: expired on {f.expires_on.isoformat()}" for f in expired]


def export_fragments(db: Session, case: Case) -> registry.ExportPart:
    """The case's fragments: what was proposed from which clip, its state, publication and expiry."""
    rows = [
        {
            "fragment_id": f.id,
            "clip_id": f.clip_id,
            "start_ms": f.start_ms,
            "end_ms": f.end_ms,
            "title": f.title,
            "state": f.state,
            "published_at": f.published_at.isoformat() if f.published_at else None,
            "expires_on": f.expires_on.isoformat() if f.expires_on else None,
        }
        for f in _fragments(db, Fragment.case_id == case.id)
    ]
    return registry.ExportPart(rows, audit_objects={"fragment": [row["fragment_id"] for row in rows]})


registry.clip_dependent("library", delete=delete_clip_fragments)
registry.on_withdrawal("training", "library", withdraw_training)
registry.on_withdrawal("presentation", "library-downloads", withdraw_presentation)
registry.expirer("library", expire_fragments)
registry.exporter("fragments", export_fragments)
