"""Coding's part in the privacy lifecycle: a clip's moments and what its sound suggests go with it,
and a case's export lists them."""

from __future__ import annotations

import csv
import io

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from vib.cases.models import Case
from vib.clips.models import Clip
from vib.coding import suggestions
from vib.coding.models import Moment
from vib.coding.serialise import moment_json
from vib.core.audit import csv_safe
from vib.privacy import registry

CSV_COLUMNS = (
    "clip_id",
    "moment_id",
    "start_ms",
    "end_ms",
    "code",
    "code_label",
    "actor",
    "scheme",
    "note",
    "tags",
    "author",
    "created_at",
)


def delete_clip_moments(db: Session, clip: Clip) -> dict[str, int]:
    count = db.scalar(select(func.count(Moment.id)).where(Moment.clip_id == clip.id)) or 0
    db.execute(delete(Moment).where(Moment.clip_id == clip.id), execution_options={"synchronize_session": "fetch"})
    return {"moments": count}


def export_moments(db: Session, case: Case) -> registry.ExportPart:
    """Every moment of the case's clips, by anyone: as data for case.json and as moments.csv."""
    moments = db.scalars(
        select(Moment).join(Moment.clip).where(Clip.case_id == case.id).order_by(Moment.clip_id, Moment.start_ms, Moment.id)
    )
    rows = [moment_json(db, moment) for moment in moments]
    for row in rows:
        row.pop("editable")
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(map(csv_safe, (row["clip_id"], row["id"], row["start_ms"], "" if row["end_ms"] is None else row["end_ms"], row["code"], row["code_label"],
             row["actor"], row["scheme"], row["note"], ";".join(row["tags"]), row["author"]["name"], row["created_at"]))
        )  # fmt: skip
    return registry.ExportPart(rows, files={"moments.csv": table.getvalue().encode()}, audit_objects={"moment": [r["id"] for r in rows]})


registry.clip_dependent("coding", delete=delete_clip_moments)
registry.exporter("moments", export_moments)


def export_sound(db: Session, case: Case) -> registry.ExportPart:
    """What the sound of each of the case's clips suggests, with who the voices are and each coder's answers."""
    clip_ids = list(db.scalars(select(Clip.id).where(Clip.case_id == case.id)))
    return registry.ExportPart(suggestions.export_clip_sound(db, clip_ids))


registry.clip_dependent("suggestions", delete=suggestions.delete_clip_suggestions)
registry.exporter("sound", export_sound)
