"""What the clips feature shows at /metrics: how many clips are in each status (counts only)."""

from __future__ import annotations

from sqlalchemy import func, select

from vib.clips.models import FAILED, PROCESSING, READY, Clip
from vib.core import db, metrics


def clips_by_status() -> dict[str, int]:
    counts = dict.fromkeys((PROCESSING, READY, FAILED), 0)  # a status with no clip shows 0, not nothing
    counts.update(db.session().execute(select(Clip.status, func.count()).group_by(Clip.status)).all())
    return counts


metrics.gauge_source("vib_clips", "Clips by status (processing, ready, failed).", "status", clips_by_status)
