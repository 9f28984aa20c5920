"""A case's data for the person it concerns (GDPR art. 15 and 20): one ZIP.

case.json holds the case, its consent history, its clips' facts and the tombstones of deleted clips,
and each feature's registered part (moments, reviews with feedback and answers); moments.csv and the
other registered files lie beside it; audit.csv has the audit rows about the case and everything in
it. The video renditions come only when asked for (`media`): they are large and the most sensitive.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from typing import IO

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from vib.cases.models import Case
from vib.clips.models import READY, Clip
from vib.core import audit, storage
from vib.core.db import utcnow
from vib.privacy import registry
from vib.privacy.operations import planned_deletion, policy, tombstone_json, tombstones

CLIP_FIELDS = ("id", "title", "status", "duration_ms", "width", "height", "fps", "has_audio", "video_codec", "size_bytes")


def export_case(db: Session, case: Case, by, role: str, media: bool = False) -> IO[bytes]:
    """The ZIP, in a temporary file (rewound; it disappears once closed). The export is audited."""
    clips = db.scalars(select(Clip).where(Clip.case_id == case.id).order_by(Clip.id)).all()
    current = policy(db)
    document = {
        "exported_at": utcnow().isoformat(),
        "case": {
            "id": case.id,
            "code": case.code,
            "learning_question": case.learning_question,
            "next_learning_goal": case.next_learning_goal,
            "next_learning_goal_set_at": case.next_learning_goal_set_at.isoformat() if case.next_learning_goal_set_at else None,
            "created_at": case.created_at.isoformat(),
            "closed_on": case.closed_on.isoformat() if case.closed_on else None,
        },
        "consent_history": [
            {
                "person": r.person,
                "role": r.person_role,
                "action": r.action,
                "purposes": list(r.purposes),
                "date": r.consent_date.isoformat(),
                "recorded_at": r.recorded_at.isoformat(),
            }
            for r in case.consent_records
        ],  # fmt: skip
        "clips": [
            {
                **{name: getattr(clip, name) for name in CLIP_FIELDS},
                "uploaded_at": clip.created_at.isoformat(),
                "delete_after": planned_deletion(clip, current).on.isoformat(),
            }
            for clip in clips
        ],  # fmt: skip
        "deleted_clips": [tombstone_json(t) for t in tombstones(db, case)],
    }
    files: dict[str, bytes] = {}
    about = {"case": [case.id], "clip": [c.id for c in clips] + [t["clip_id"] for t in document["deleted_clips"]]}
    for name, export in registry.EXPORTERS:
        part = export(db, case)
        document[name] = part.data
        files.update(part.files)
        for object_type, ids in part.audit_objects.items():
            about.setdefault(object_type, []).extend(ids)

    audit.record(db, by, "case.export", "case", case.id, role, detail="media=1" if media else "media=0")
    db.flush()
    out = tempfile.TemporaryFile()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("case.json", json.dumps(document, indent=2, ensure_ascii=False))
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr("audit.csv", "".join(audit.csv_lines(_audit_rows(db, about))))
        if media:
            _add_renditions(archive, clips)
    out.seek(0)
    return out


def _audit_rows(db: Session, about: dict[str, list[int]]):
    matches = [(audit.AuditEvent.object_type == kind) & audit.AuditEvent.object_id.in_(ids) for kind, ids in about.items() if ids]
    return db.scalars(select(audit.AuditEvent).where(or_(*matches)).order_by(audit.AuditEvent.at, audit.AuditEvent.id))


def _add_renditions(archive: zipfile.ZipFile, clips: list[Clip]) -> None:
    media = storage.current()
    for clip in clips:
        if clip.status == READY and media.exists(clip.playable_key):
            # Already compressed video: stored, not deflated again.
            entry = zipfile.ZipInfo(f"media/clip-{clip.id}.mp4")  # ZIP_STORED by default
            with media.open(clip.playable_key) as source, archive.open(entry, "w", force_zip64=True) as target:
                while chunk := source.read(1 << 20):
                    target.write(chunk)
