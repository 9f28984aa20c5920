"""Coding a video: moments (create, change, delete), their thumbnails and the video's statistics.

The video is a clip, or a higher feature's video (a library fragment) given as a `CodedVideo`: every
function takes either, so one implementation serves both (the clip functions keep taking a Clip)."""

from __future__ import annotations

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import Row, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from vib.accounts.models import User
from vib.analysis.stats import DEFAULT_WINDOW_MS, ClipStats, MomentFacts, clip_stats
from vib.clips import operations as clip_ops
from vib.clips.models import READY, Clip
from vib.coding.models import ACTORS, Moment
from vib.coding.serialise import moment_json
from vib.coding.video import CLIP, CodedVideo, coded_video, video_of
from vib.core import access, audit, jobs
from vib.core.db import session as current_session
from vib.core.errors import FieldError, UserError
from vib.schemes import catalogue as schemes

log = logging.getLogger(__name__)

MAX_NOTE_LENGTH = 5000
REVIEW_THUMB_WIDTH = 320
EDITABLE = ("start_ms", "end_ms", "code", "actor", "note", "tags")


class MomentError(FieldError):
    """A moment that breaks a rule."""


class MomentConflict(UserError):
    """The moment changed since the version the request was made on."""

    status = 409

    def __init__(self, moment: Moment) -> None:
        super().__init__(_l("Someone else changed this moment in the meantime; it now shows their version."))
        self.moment = moment

    def details(self) -> dict:
        return {"moment": moment_json(current_session(), self.moment)}


# -- moments -------------------------------------------------------------------------------------


def clip_moments(db: Session, clip: Clip | CodedVideo, viewer: User | None = None) -> list[Moment]:
    """The video's moments by start time: all of them, or those `viewer` may see."""
    video = coded_video(db, clip)
    moments = list(db.scalars(select(Moment).where(video.column == video.id).order_by(Moment.start_ms, Moment.id)))
    return moments if viewer is None else access.shown(viewer, Moment, moments)


video_moments = clip_moments

# What a page that loads every moment needs of each (compact_moments): fetched as plain rows, which
# load three times faster than ORM objects (the coding page with 10,000 moments).
MOMENT_ROW = (
    Moment.id,
    Moment.clip_id,
    Moment.fragment_id,
    Moment.start_ms,
    Moment.end_ms,
    Moment.scheme_id,
    Moment.scheme_version,
    Moment.code,
    Moment.actor,
    Moment.note,
    Moment.tags,
    Moment.author_id,
    Moment.version,
)


def clip_moment_rows(db: Session, clip: Clip, viewer: User) -> list[Row]:
    """The clip's moments `viewer` sees, by start time, as plain rows of MOMENT_ROW."""
    rows = db.execute(select(*MOMENT_ROW).where(Moment.clip_id == clip.id).order_by(Moment.start_ms, Moment.id)).all()
    return access.shown(viewer, Moment, rows)


def create_moment(db: Session, clip: Clip | CodedVideo, author: User, fields: dict) -> Moment:
    video = coded_video(db, clip)
    _refuse_unknown(fields)
    if "start_ms" not in fields:
        raise MomentError(_l("Give the moment's start time in ms (start_ms)."), "start_ms")
    if "code" not in fields:
        raise MomentError(_l("Give the moment's code (code)."), "code")
    moment = Moment(author=author, note="", tags=[], end_ms=None, **video.attach)
    if video.clip is not None:
        moment.clip = video.clip
    _apply(db, video, moment, fields)
    db.add(moment)
    db.flush()
    _audit(db, author, "moment.create", moment)
    _after_change(db, video)
    return moment


def update_moment(db: Session, moment: Moment, fields: dict, by: User) -> Moment:
    fields = dict(fields)
    version = fields.pop("version", None)
    if not isinstance(version, int) or isinstance(version, bool):
        raise MomentError(_l("Give the version of the moment you changed (version)."), "version")
    _refuse_unknown(fields)
    if version != moment.version:
        raise MomentConflict(moment)
    video = video_of(db, moment)
    _apply(db, video, moment, fields)
    _audit(db, by, "moment.update", moment)
    try:
        db.flush()
    except StaleDataError:  # another request changed it between our read and our write
        db.rollback()
        raise MomentConflict(db.get(Moment, moment.id)) from None
    _after_change(db, video)
    return moment


def delete_moment(db: Session, moment: Moment, by: User, version: int | None = None) -> None:
    if version is not None and version != moment.version:
        raise MomentConflict(moment)
    _audit(db, by, "moment.delete", moment)
    db.delete(moment)
    db.flush()


def _audit(db: Session, user: User, action: str, moment: Moment) -> None:
    audit.record(db, user, action, "moment", moment.id, access.role_on(user, moment))


def _refuse_unknown(fields: dict) -> None:
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise MomentError(_l("Unknown field: %(name)s.", name=unknown[0]), unknown[0])


def _apply(db: Session, clip: Clip | CodedVideo, moment: Moment, fields: dict) -> None:
    """Check the fields against the video and its code scheme, then set them."""
    video = coded_video(db, clip)
    if "code" in fields:
        scheme = video.scheme
        code = scheme.code(fields["code"]) if isinstance(fields["code"], str) else None
        if code is None:
            raise MomentError(_l("%(scheme)s has no code %(code)s.", scheme=schemes.localized(scheme.label), code=fields["code"]), "code")
        moment.scheme_id, moment.scheme_version, moment.code = scheme.id, scheme.version, code.id
        if "actor" not in fields and moment.actor is None:
            moment.actor = code.actor
    if "actor" in fields:
        if fields["actor"] not in ACTORS:
            raise MomentError(_l("The actor must be one of: %(actors)s.", actors=", ".join(ACTORS)), "actor")
        moment.actor = fields["actor"]
    duration_ms = video.duration_ms or 0
    start = fields.get("start_ms", moment.start_ms)
    end = fields.get("end_ms", moment.end_ms)
    for name, value in (("start_ms", start), ("end_ms", end)):
        if name == "end_ms" and value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= duration_ms:
            if video.kind == CLIP:
                message = _l("%(name)s must be a whole number of ms from 0 to %(end)d, the end of the clip.", name=name, end=duration_ms)
            else:
                message = _l("%(name)s must be a whole number of ms from 0 to %(end)d, the end of the video.", name=name, end=duration_ms)
            raise MomentError(message, name)
    if end is not None and end <= start:
        raise MomentError(_l("A moment must end after it starts."), "end_ms")
    moment.start_ms, moment.end_ms = start, end
    if "note" in fields:
        note = fields["note"] if fields["note"] is not None else ""
        if not isinstance(note, str) or len(note) > MAX_NOTE_LENGTH:
            raise MomentError(_l("A note is text of at most %(n)d characters.", n=MAX_NOTE_LENGTH), "note")
        moment.note = note.strip()
    if "tags" in fields:
        tags = fields["tags"]
        if not isinstance(tags, list) or any(tag not in schemes.MOMENT_TAGS for tag in tags):
            raise MomentError(_l("Tags must be a list of: %(tags)s.", tags=", ".join(schemes.MOMENT_TAGS)), "tags")
        moment.tags = [tag for tag in schemes.MOMENT_TAGS if tag in tags]  # known order, no repeats


def _after_change(db: Session, video: CodedVideo) -> None:
    # The review screen opens fast because its thumbnails are made now, in one batch, in the background
    # (a clip's review screen only: other videos have none).
    if video.kind == CLIP and video.ready:
        queue_moment_thumbnails(db, video.id)


def queue_moment_thumbnails(db: Session, clip_id: int) -> None:
    """Make the missing stills of every moment of the clip, in one pass, after the commit."""
    jobs.enqueue_after_commit(db, "moment_thumbnails", clip_id)


def is_analysis_only(db: Session, moment: Moment) -> bool:
    """Whether the moment's code is for analysis only (a missed initiative: a note, never feedback)."""
    scheme = schemes.get_scheme(db, moment.scheme_id, moment.scheme_version)
    code = scheme.code(moment.code) if scheme else None
    return bool(code and code.analysis_only)


# -- thumbnails -------------------------------------------------------------------------


@jobs.task("moment_thumbnails", queue=jobs.MEDIA, first=True)
def make_moment_thumbnails(clip_id: int) -> None:
    """Every moment's thumbnails (start, and middle and end of spans) in one pass over the clip."""
    db = current_session()
    clip = db.get(Clip, clip_id)
    if clip is None or clip.status != READY:
        return
    times = sorted({t for moment in clip_moments(db, clip) for t in moment.times})
    if times:
        clip_ops.thumbnails(clip, times, clip_ops.thumbnail_width(REVIEW_THUMB_WIDTH, clip))


# -- statistics ------------------------------------------------------------------------------------


def stats_for_clip(db: Session, clip: Clip | CodedVideo, viewer: User | None = None, window_ms: int | None = None) -> ClipStats:
    """The figures of the moments `viewer` sees (all moments without a viewer)."""
    video = coded_video(db, clip)
    window_ms = DEFAULT_WINDOW_MS if window_ms is None else window_ms
    facts = []
    for moment in clip_moments(db, video, viewer):
        scheme = schemes.get_scheme(db, moment.scheme_id, moment.scheme_version)
        code = scheme.code(moment.code) if scheme else None
        facts.append(
            MomentFacts(
                moment.start_ms, moment.end_ms, moment.code, moment.actor, code.stats_role if code else None, frozenset(moment.tags)
            )
        )
    try:
        return clip_stats(facts, video.duration_ms, window_ms)
    except ValueError as error:
        raise MomentError(_l("window_ms must be between 0 and 60000."), "window_ms") from error
