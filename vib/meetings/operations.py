"""Preparing a progress meeting: the meeting, its items (spans of the case's clips, in an order), and
who sees them: only the case's worker (vib/access.py)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from vib.accounts.models import User
from vib.cases.models import Case
from vib.clips import operations as clip_ops
from vib.clips.models import READY, Clip
from vib.coding.models import Moment
from vib.coding.operations import clip_moments
from vib.coding.serialise import moment_json
from vib.core import audit, storage
from vib.core.db import on_commit
from vib.core.errors import FieldError, text_or_none
from vib.core.ordering import move, renumber
from vib.meetings.models import Meeting, MeetingItem
from vib.supervision.models import FeedbackItem
from vib.supervision.operations import clip_feedback

MAX_TITLE = 200
MAX_TEXT = 4000
MAX_ROLL_MS = 30_000
DEFAULT_PRE_ROLL_MS = 2000
DEFAULT_POST_ROLL_MS = 2000
POINT_SPAN_MS = 3000  # an item made from a point moment shows this much after it


class MeetingError(FieldError):
    """A meeting request that breaks a rule (422 unless said otherwise)."""


# -- the meeting ----------------------------------------------------------------------------------


def create_meeting(db: Session, case: Case, by: User, fields: dict) -> Meeting:
    _refuse_unknown(fields, ("date", "question", "title"))
    meeting = Meeting(case_id=case.id, created_by_id=by.id, title="", question="")
    meeting.case = case
    _set_fields(meeting, {"title": "", **fields}, creating=True)
    db.add(meeting)
    db.flush()
    _audit(db, by, "meeting.create", meeting)
    return meeting


def update_meeting(db: Session, meeting: Meeting, by: User, fields: dict) -> Meeting:
    _refuse_unknown(fields, ("date", "question", "title"))
    _set_fields(meeting, fields, creating=False)
    db.flush()
    _audit(db, by, "meeting.update", meeting)
    return meeting


def delete_meeting(db: Session, meeting: Meeting, by: User) -> None:
    forget_handout(db, meeting)
    _audit(db, by, "meeting.delete", meeting)
    db.delete(meeting)
    db.flush()


def case_meetings(db: Session, case: Case) -> list[Meeting]:
    return list(db.scalars(select(Meeting).where(Meeting.case_id == case.id).order_by(Meeting.meeting_on.desc(), Meeting.id.desc())))


def record_view(db: Session, user: User, meeting: Meeting, action: str = "meeting.view") -> None:
    """The audit log's line for showing a meeting: its page, the presentation, the handout."""
    _audit(db, user, action, meeting)


def _set_fields(meeting: Meeting, fields: dict, creating: bool) -> None:
    if creating or "date" in fields:
        meeting.meeting_on = _meeting_date(fields.get("date"))
    if creating or "question" in fields:
        question = (text_or_none(fields.get("question"), "question") or "").strip()
        if not question:
            raise MeetingError(_l("Write the question you bring to the meeting."), "question")
        if len(question) > MAX_TEXT:
            raise MeetingError(_l("%(field)s is at most %(n)d characters.", field="question", n=MAX_TEXT), "question")
        meeting.question = question
    if "title" in fields:
        title = " ".join((text_or_none(fields["title"], "title") or "").split())
        if len(title) > MAX_TITLE:
            raise MeetingError(_l("%(field)s is at most %(n)d characters.", field="title", n=MAX_TITLE), "title")
        meeting.title = title or str(_l("Progress meeting %(date)s", date=meeting.meeting_on.isoformat()))


def _meeting_date(value) -> date:
    try:
        return date.fromisoformat(str(value or ""))
    except ValueError:
        raise MeetingError(_l("Give the meeting's date as YYYY-MM-DD."), "date") from None


# -- items ----------------------------------------------------------------------------------------


def add_item(db: Session, meeting: Meeting, by: User, fields: dict) -> MeetingItem:
    """A span of one of the case's clips, at the end of the meeting (or at `position`)."""
    _refuse_unknown(fields, ("clip_id", "start_ms", "end_ms", "pre_roll_ms", "post_roll_ms", "moment_id", "talking_point", "position"))
    clip = _case_clip(db, meeting, fields.get("clip_id"))
    moment = _clip_moment(db, clip, fields.get("moment_id"))
    if moment is not None:  # the moment's span unless one is given
        end = moment.end_ms if moment.end_ms is not None else min(clip.duration_ms, moment.start_ms + POINT_SPAN_MS)
        fields = {"start_ms": moment.start_ms, "end_ms": end} | fields
    item = MeetingItem(
        clip_id=clip.id,
        moment_id=moment.id if moment else None,
        pre_roll_ms=DEFAULT_PRE_ROLL_MS,
        post_roll_ms=DEFAULT_POST_ROLL_MS,
        talking_point="",
        position=len(meeting.items),
    )
    item.clip = clip
    _set_span(item, fields, required=True)
    _set_item_fields(item, fields)
    meeting.items.append(item)
    move(meeting.items, item, fields.get("position"))
    db.flush()
    _audit(db, by, "meeting.update", meeting, detail=f"added item={item.id} clip={clip.id}")
    return item


def update_item(db: Session, meeting: Meeting, item: MeetingItem, by: User, fields: dict) -> MeetingItem:
    _refuse_unknown(fields, ("start_ms", "end_ms", "pre_roll_ms", "post_roll_ms", "talking_point", "position"))
    _set_span(item, fields, required=False)
    _set_item_fields(item, fields)
    if "position" in fields:
        move(meeting.items, item, fields["position"])
    db.flush()
    _audit(db, by, "meeting.update", meeting, detail=f"item={item.id}")
    return item


def remove_item(db: Session, meeting: Meeting, item: MeetingItem, by: User) -> None:
    meeting.items.remove(item)
    renumber(meeting.items)
    db.flush()
    _audit(db, by, "meeting.update", meeting, detail=f"removed item={item.id}")


def meeting_item(meeting: Meeting, item_id: int) -> MeetingItem | None:
    return next((item for item in meeting.items if item.id == item_id), None)


def item_feedback(db: Session, item: MeetingItem, viewer: User) -> list[FeedbackItem]:
    """The supervisors' feedback the worker has on the item: on its moment, or anchored inside its span."""
    return [
        feedback
        for feedback in clip_feedback(db, item.clip, viewer)
        if (item.moment_id is not None and feedback.moment_id == item.moment_id)
        or (feedback.moment_id is None and feedback.start_ms is not None and item.start_ms <= feedback.start_ms <= item.end_ms)
    ]


def pickable_moments(db: Session, meeting: Meeting, viewer: User) -> dict:
    """The moments of all the case's clips that `viewer` sees, to pick items from, with what the
    meeting page filters them by (code, the tag *better than usual*, cycle)."""
    clips = list(
        db.scalars(
            select(Clip).where(Clip.case_id == meeting.case_id, Clip.status == READY).order_by(Clip.cycle, Clip.recorded_on, Clip.id)
        )
    )
    moments, codes = [], {}
    for clip in clips:
        for moment in clip_moments(db, clip, viewer):
            data = moment_json(db, moment, viewer)
            codes[data["code"]] = data["code_label"]
            moments.append(data | {"clip_title": clip.title, "cycle": clip.cycle})
    return {"moments": moments, "codes": sorted(codes.items(), key=lambda c: c[1].lower()), "cycles": sorted({c.cycle for c in clips})}


def stills_ms(item: MeetingItem) -> list[int]:
    """The three pictures that stand for an item (start, middle, end), on frames of its clip."""
    times = _frames(item.clip)
    middle = (item.start_ms + item.end_ms) // 2
    return [clip_ops.frame_on_screen(times, t) for t in (item.start_ms, middle, item.end_ms - 1)]


def _case_clip(db: Session, meeting: Meeting, clip_id) -> Clip:
    clip = db.get(Clip, clip_id) if isinstance(clip_id, int) and not isinstance(clip_id, bool) else None
    if clip is None or clip.case_id != meeting.case_id:  # the same answer for another case's clip and none
        raise MeetingError(_l("Choose a clip of this case."), "clip_id")
    if clip.status != READY:
        raise MeetingError(_l("The clip is not ready yet."), "clip_id", status=409)
    return clip


def _clip_moment(db: Session, clip: Clip, moment_id) -> Moment | None:
    if moment_id is None:
        return None
    moment = db.get(Moment, moment_id) if isinstance(moment_id, int) and not isinstance(moment_id, bool) else None
    if moment is None or moment.clip_id != clip.id:
        raise MeetingError(_l("The moment is not one of the clip's moments."), "moment_id")
    return moment


def _set_span(item: MeetingItem, fields: dict, required: bool) -> None:
    """Start and end on the frames shown at those times (the same frame-exact rule as every moment and
    fragment: the frame on screen at t), inside the clip; rolls from 0 to MAX_ROLL_MS."""
    duration = item.clip.duration_ms
    for name in ("start_ms", "end_ms"):
        if name not in fields and not required:
            continue
        value = fields.get(name)
        if not _is_int(value) or not 0 <= value <= duration:
            raise MeetingError(
                _l("%(name)s must be a whole number of ms from 0 to %(end)d, the end of the clip.", name=name, end=duration), name
            )
    for name in ("pre_roll_ms", "post_roll_ms"):
        if name in fields:
            value = fields[name]
            if not _is_int(value) or not 0 <= value <= MAX_ROLL_MS:
                raise MeetingError(_l("%(name)s is a whole number of ms from 0 to %(n)d.", name=name, n=MAX_ROLL_MS), name)
            setattr(item, name, value)
    if "start_ms" not in fields and "end_ms" not in fields:
        return
    times = _frames(item.clip)
    start = clip_ops.frame_on_screen(times, fields.get("start_ms", item.start_ms))
    end = fields.get("end_ms", item.end_ms)
    end = duration if end >= duration else clip_ops.frame_on_screen(times, end)
    if end <= start:
        raise MeetingError(_l("The end comes after the start, at least one frame later."), "end_ms")
    item.start_ms, item.end_ms = start, end


def _set_item_fields(item: MeetingItem, fields: dict) -> None:
    if "talking_point" in fields:
        text = (text_or_none(fields["talking_point"], "talking_point") or "").strip()
        if len(text) > MAX_TEXT:
            raise MeetingError(_l("%(field)s is at most %(n)d characters.", field="talking_point", n=MAX_TEXT), "talking_point")
        item.talking_point = text


def _frames(clip: Clip) -> list[int]:
    return clip_ops.frame_times(clip)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _refuse_unknown(fields: dict, known: tuple[str, ...]) -> None:
    unknown = sorted(set(fields) - set(known))
    if unknown:
        raise MeetingError(_l("Unknown field: %(name)s.", name=unknown[0]), unknown[0])


def _audit(db: Session, user: User, action: str, meeting: Meeting, detail: str | None = None) -> None:
    audit.record(db, user, action, "meeting", meeting.id, "worker", detail=detail)


# -- the handout's file ---------------------------------------------------------------------------


def forget_handout(db: Session, meeting: Meeting) -> None:
    """Delete the meeting's handout once the transaction commits (it shows stills of client video)."""
    if meeting.handout_key is None:
        return
    key, meeting.handout_key, meeting.handout_made_at = meeting.handout_key, None, None
    on_commit(db, lambda: storage.current().delete(key))
