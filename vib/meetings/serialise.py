"""Meetings, their items and a case's progress as the API answers them."""

from __future__ import annotations

from flask import url_for
from sqlalchemy.orm import Session

from vib.accounts.models import User
from vib.clips import transcripts
from vib.coding.serialise import moment_json
from vib.meetings import operations as ops
from vib.meetings.models import Meeting, MeetingItem
from vib.supervision.serialise import feedback_json


def meeting_json(db: Session, meeting: Meeting, viewer: User, with_items: bool = True) -> dict:
    data = {
        "id": meeting.id,
        "case_id": meeting.case_id,
        "title": meeting.title,
        "question": meeting.question,
        "date": meeting.meeting_on.isoformat(),
        "created_at": meeting.created_at.isoformat(),
        "updated_at": meeting.updated_at.isoformat(),
        "item_count": len(meeting.items),
        "page_url": url_for("meeting_pages.meeting_page", meeting_id=meeting.id),
        "present_url": url_for("meeting_pages.present_page", meeting_id=meeting.id),
        "handout_url": url_for("meetings.handout", meeting_id=meeting.id),
    }
    if with_items:
        data["items"] = [item_json(db, item, viewer) for item in meeting.items]
    return data


def item_json(db: Session, item: MeetingItem, viewer: User) -> dict:
    """An item with what showing it needs: where to play from and to, its moment, the feedback on it,
    and its three stills."""
    return {
        "id": item.id,
        "meeting_id": item.meeting_id,
        "position": item.position,
        "clip_id": item.clip_id,
        "clip_title": item.clip.title,
        "cycle": item.clip.cycle,
        "recorded_on": item.clip.recorded_on.isoformat(),
        "start_ms": item.start_ms,
        "end_ms": item.end_ms,
        "pre_roll_ms": item.pre_roll_ms,
        "post_roll_ms": item.post_roll_ms,
        "play_from_ms": item.play_from_ms,
        "play_to_ms": item.play_to_ms,
        "talking_point": item.talking_point,
        "moment": _moment(db, item, viewer),
        "feedback": [feedback_json(f) for f in ops.item_feedback(db, item, viewer)],
        "media_url": url_for("clips.api_media", clip_id=item.clip_id),
        "captions": transcripts.captions_for(db, item.clip),  # the clip's transcript for the players' <track>
        "stills": [{"t_ms": t, "url": url_for("clips.api_thumbnail", clip_id=item.clip_id, t=t, w=480)} for t in ops.stills_ms(item)],
    }


def _moment(db: Session, item: MeetingItem, viewer: User) -> dict | None:
    if item.moment is None:
        return None
    data = moment_json(db, item.moment, viewer)
    return {key: data[key] for key in ("id", "start_ms", "end_ms", "code", "code_label", "colour", "actor", "tags", "note")}
