"""Meetings in the privacy lifecycle (vib/privacy/registry.py): a clip's meeting items go with it (and
the handouts that show them); a withdrawal of analysis removes the case's handouts at once (the
presentation and the handout are refused from that moment, vib/access.py); a handout is kept at most a
day; a case's export lists its meetings and their items."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vib.cases.models import Case
from vib.clips.models import Clip
from vib.core import storage
from vib.meetings import handout
from vib.meetings.models import Meeting, MeetingItem
from vib.meetings.operations import forget_handout
from vib.privacy import registry

HANDOUT_FILE = re.compile(r"meetings/\d+/handout-[0-9a-f]+\.pdf")


def delete_clip_items(db: Session, clip: Clip) -> dict[str, int]:
    items = list(db.scalars(select(MeetingItem).where(MeetingItem.clip_id == clip.id)))
    for item in items:
        meeting = item.meeting
        forget_handout(db, meeting)
        meeting.items.remove(item)
    db.flush()
    return {"meeting_items": len(items)}


def withdraw_analysis(db: Session, case: Case, person: str, by) -> None:
    for meeting in db.scalars(select(Meeting).where(Meeting.case_id == case.id)):
        forget_handout(db, meeting)


def expire_handouts(db: Session, now: datetime, dry_run: bool) -> list[str]:
    """Handouts made more than a day ago; and handout files no meeting names (left by a request that
    stopped between storing the file and committing, or by two requests at once)."""
    named = set(db.scalars(select(Meeting.handout_key).where(Meeting.handout_key.is_not(None))))
    expired = list(db.scalars(select(Meeting).where(Meeting.handout_made_at < now - handout.KEPT_FOR)))
    lines = [f"handout of meeting {m.id}: made {m.handout_made_at.isoformat()}" for m in expired]  # before forget_handout clears it
    for meeting in expired:
        if not dry_run:
            forget_handout(db, meeting)  # its file goes once the purge commits
    media = storage.current()
    for key in media.keys("meetings"):
        if HANDOUT_FILE.fullmatch(key) and key not in named:
            lines.append(f"handout file {key}: named by no meeting")
            if not dry_run:
                media.delete(key)
    return lines


def export_meetings(db: Session, case: Case) -> registry.ExportPart:
    meetings = db.scalars(select(Meeting).where(Meeting.case_id == case.id).order_by(Meeting.id))
    rows = [
        {
            "meeting_id": m.id,
            "date": m.meeting_on.isoformat(),
            "title": m.title,
            "question": m.question,
            "items": [
                {
                    "clip_id": i.clip_id,
                    "moment_id": i.moment_id,
                    "start_ms": i.start_ms,
                    "end_ms": i.end_ms,
                    "pre_roll_ms": i.pre_roll_ms,
                    "post_roll_ms": i.post_roll_ms,
                    "talking_point": i.talking_point,
                }
                for i in m.items
            ],  # fmt: skip
        }
        for m in meetings
    ]
    return registry.ExportPart(rows, audit_objects={"meeting": [row["meeting_id"] for row in rows]})


registry.clip_dependent("meetings", delete=delete_clip_items)
registry.on_withdrawal("analysis", "meeting-handouts", withdraw_analysis)
registry.expirer("meeting-handouts", expire_handouts)
registry.exporter("meetings", export_meetings)
