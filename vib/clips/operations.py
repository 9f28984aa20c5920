"""Clips: accept an upload, process it in the background, and serve its pictures.

An upload either becomes a clip (row and file) or leaves nothing behind. Processing keeps its state in
the clip row, so a job lost in a restart is queued again at start (`requeue_unfinished`).
"""

from __future__ import annotations

import bisect
import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from vib.accounts.models import User
from vib.cases.models import Case
from vib.cases.operations import upload_refusal
from vib.clips import hooks
from vib.clips.models import FAILED, PROCESSING, READY, Clip, UploadSession
from vib.core import access, audit, jobs, sandbox, storage
from vib.core.days import organisation_today
from vib.core.db import new_session, utcnow
from vib.core.db import on_commit as db_on_commit
from vib.core.db import on_rollback as db_on_rollback
from vib.core.db import session as current_session
from vib.core.errors import UserError, text_or_none
from vib.media import filmstrip as media_filmstrip
from vib.media.errors import MediaError
from vib.media.frames import frame_times_ms, map_frames
from vib.media.playable import make_playable
from vib.media.probe import ClipFacts, MediaLimits, probe
from vib.media.thumbs import thumbnail as encode_thumbnail
from vib.schemes.catalogue import check_scheme_choice, chosen_scheme
from vib.schemes.format import SchemeDefinition

log = logging.getLogger(__name__)

MAX_TITLE = 200
MAX_CYCLE = 99
DEFAULT_THUMB_WIDTH = 320
MIN_THUMB_WIDTH, MAX_THUMB_WIDTH = 16, 1920

# What a user reads for each MediaError reason (the API's `error`, the page's message).
MEDIA_MESSAGES = {
    "empty": _l("The file is empty."),
    "not_video": _l("This file is not a video vib can read. If it is a recording, it may be damaged or not completely copied."),
    "audio_only": _l("This file holds only sound. Upload a video recording."),
    "truncated": _l(
        "The video is incomplete: the file seems to have been cut off while copying or uploading. Upload the whole file again."
    ),
    "undecodable": _l("The pictures in this video cannot be decoded; the file may be damaged."),
    "too_short": _l("The video is too short to analyse."),
    "unsupported": _l("This video format is not supported."),
    "conversion_failed": _l("The video could not be converted into a playable version."),
    # Limits (VIB_MAX_SIDE_PX, VIB_MAX_DURATION_MINUTES, VIB_MAX_PIXELS_PER_SECOND), with their figures.
    "picture_too_large": _l(
        "The picture is too large (%(width)d × %(height)d pixels): vib accepts at most %(limit)d pixels on the longest side."
    ),
    "too_long": _l("The video is too long (%(minutes)d minutes): vib accepts at most %(limit)d minutes."),
    "too_demanding": _l("Processing this video needed more memory or time than vib allows one video (VIB_JOB_MEMORY_MB, VIB_JOB_MINUTES)."),
    "too_many_pixels": _l(
        "The video has more pixels per second than vib accepts (%(width)d × %(height)d at this frame rate): record at a lower resolution or frame rate."
    ),
}


class ClipError(UserError):
    """A request about a clip that cannot be honoured."""


def error_message(reason: str | None) -> str | None:
    return str(MEDIA_MESSAGES.get(reason, MEDIA_MESSAGES["conversion_failed"])) if reason else None


# -- upload -------------------------------------------------------------------------------------


def upload(db: Session, case: Case, by: User, file_path: Path, title: str | None = None) -> Clip:
    """Turn an uploaded file (a temporary file in the media folder) into a clip and queue its processing.

    The file is checked by content; a refused upload raises ClipError and the caller's temporary file
    is all there is to delete.
    """
    refusal = upload_refusal(case)
    if refusal:
        raise ClipError(refusal, status=403)
    title = " ".join((title or "").split())[:MAX_TITLE] or _default_title(db, case)
    try:
        facts = probe(file_path, media_limits())
    except MediaError as exc:
        status = 415 if exc.reason in ("not_video", "audio_only", "unsupported") else 422
        raise ClipError(str(MEDIA_MESSAGES[exc.reason]) % exc.values if exc.values else MEDIA_MESSAGES[exc.reason], status=status) from exc
    clip = Clip(
        case_id=case.id,
        uploaded_by_id=by.id,
        title=title,
        status=PROCESSING,
        size_bytes=Path(file_path).stat().st_size,
        cycle=next_cycle(db, case),
        **facts.as_dict() | {"recorded_on": facts.recorded_on or organisation_today()},  # the clip row has a column for each fact
    )
    db.add(clip)
    db.flush()
    media = storage.current()
    db_on_rollback(db, lambda: media.delete_prefix(clip.folder))  # a clip whose row is not stored leaves no file
    media.move_in(Path(file_path), clip.original_key)
    audit.record(db, by, "clip.upload", "clip", clip.id, "worker", detail=f"bytes={clip.size_bytes}")
    jobs.enqueue_after_commit(db, "process_clip", clip.id)
    return clip


# -- uploads in pieces (tus 1.0: vib.clips.tus speaks the protocol, these decide) ------------------


@dataclass(frozen=True)
class Checksum:
    """What the sender says a piece's bytes hash to (tus's Upload-Checksum)."""

    algorithm: str  # a hashlib name: sha1, sha256, md5
    digest: bytes


CHECKSUM_ALGORITHMS = ("sha1", "sha256", "md5")


def begin_upload(db: Session, case: Case, by: User, size, title=None) -> UploadSession:
    """Announce a video of `size` bytes for `case`: refused at once (before any byte is sent) when the
    case takes no uploads or the file is larger than VIB_MAX_UPLOAD_MB."""
    refusal = upload_refusal(case)
    if refusal:
        raise ClipError(refusal, status=403)
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise ClipError(_l("Give the size of the file in bytes."), status=400)
    if size == 0:
        raise ClipError(MEDIA_MESSAGES["empty"], status=422)
    limit_mb = current_app.config["VIB_MAX_UPLOAD_MB"]
    if size > limit_mb * 1024 * 1024:
        raise ClipError(_l("The file is too large: at most %(mb)d MB can be uploaded.", mb=limit_mb), status=413)
    session = UploadSession(case_id=case.id, user_id=by.id, size_bytes=size, title=text_or_none(title, "title"))
    db.add(session)
    db.flush()
    return session


def require_current(db: Session, session: UploadSession) -> UploadSession:
    """An upload past its day, or whose bytes were lost (a cleanup), is over: it is deleted (row and
    bytes, whatever the request's transaction does) and the sender told to start again (410)."""
    if utcnow() >= session.expires_at:
        _forget_refused(db, session)
        raise ClipError(_l("This upload has expired: an upload must be finished within a day. Start it again."), status=410)
    if storage.current().temp_size(session.temp_name) < session.received_bytes:
        _forget_refused(db, session)
        raise ClipError(_l("This upload was interrupted: start it again."), status=410)
    return session


def receive_piece(
    db: Session, session: UploadSession, offset, data: bytes | Iterable[bytes], checksum: Checksum | None = None
) -> UploadSession:
    """Add the next piece (bytes, or a request body's chunks as they are read, written to disk once);
    `offset` must be where the previous one ended (409 says where that is). A piece that breaks off,
    is too long or does not match its checksum (460) is not kept."""
    require_current(db, session)
    media = storage.current()
    lock = media.lock_temp(session.temp_name)
    if lock is None:
        raise ClipError(_l("Another request is sending to this upload; try again in a moment."), status=423)
    # Held until this request's transaction has ended, so the next piece reads the count this one left.
    db_on_commit(db, lock.release)
    db_on_rollback(db, lock.release)
    db.refresh(session)  # read before the lock: a piece sent just before may have been counted since
    if offset != session.received_bytes:
        raise UploadOffsetError(session)
    start = session.received_bytes
    if media.temp_size(session.temp_name) > start:  # a piece whose request broke off before it was counted
        media.truncate_temp(session.temp_name, start)
    digest = hashlib.new(checksum.algorithm) if checksum else None
    room = session.size_bytes - start

    def checked(chunks):
        nonlocal room
        for chunk in [chunks] if isinstance(chunks, bytes | bytearray) else chunks:
            room -= len(chunk)
            if room < 0:
                raise ClipError(_l("More bytes arrived than the file was said to hold."), status=413)
            if digest:
                digest.update(chunk)
            yield chunk

    try:
        received = media.append_temp(session.temp_name, checked(data))
        if digest and digest.digest() != checksum.digest:
            raise ClipError(_l("The piece arrived damaged (its checksum does not match): send it again."), status=460)
    except BaseException:
        media.truncate_temp(session.temp_name, start)
        raise
    session.received_bytes = received
    db.flush()
    return session


def finish_upload(db: Session, session: UploadSession, by: User) -> Clip:
    """Every byte is there: check the file and make it a clip, or refuse it (422, 403 when the case no
    longer takes uploads) and delete the bytes and the upload, so nothing is left half-stored."""
    if not session.complete:
        raise ClipError(
            _l("The upload is not complete yet (%(got)d of %(size)d bytes).", got=session.received_bytes, size=session.size_bytes),
            status=409,
        )
    path = storage.current().temp_path(session.temp_name)
    db.delete(session)
    try:
        return upload(db, db.get(Case, session.case_id), by, path, session.title)
    except ClipError as refusal:
        _forget_refused(db, session)
        if refusal.status == 415:  # in tus, 415 names the piece's content type; the file's content is 422
            raise ClipError(str(refusal), status=422) from refusal
        raise
    finally:
        path.unlink(missing_ok=True)  # moved into place (a rename) when accepted; refused bytes go


def end_upload(db: Session, session: UploadSession) -> None:
    """The sender stops an upload (tus termination): its row and bytes go, once no piece is arriving."""
    name = session.temp_name
    lock = storage.current().lock_temp(name)
    if lock is None:  # a PATCH still writing: deleting under it would fail that request half-way
        raise ClipError(_l("Another request is sending to this upload; try again in a moment."), status=423)
    db_on_commit(db, lock.release)
    db_on_rollback(db, lock.release)
    db.delete(session)
    db.flush()
    db_on_commit(db, lambda: storage.current().temp_path(name).unlink(missing_ok=True))


def forget_stale_uploads(db: Session, older_than: timedelta = UploadSession.LIFETIME) -> int:
    """Uploads nobody finished within their lifetime (the browser was closed): rows and bytes go. The
    daily purge calls this."""
    stale = db.scalars(select(UploadSession).where(UploadSession.created_at < utcnow() - older_than)).all()
    for session in stale:
        storage.current().temp_path(session.temp_name).unlink(missing_ok=True)
        db.delete(session)
    db.flush()
    return len(stale)


def _forget_refused(db: Session, session: UploadSession) -> None:
    """Delete an upload although the request answers with a refusal, which rolls its transaction back:
    the bytes now, the row in a short session of its own once the rollback is done."""
    storage.current().temp_path(session.temp_name).unlink(missing_ok=True)
    upload_id = session.id

    def delete_row() -> None:
        own = new_session()
        try:
            own.execute(delete(UploadSession).where(UploadSession.id == upload_id))
            own.commit()
        finally:
            own.close()

    db_on_rollback(db, delete_row)


class UploadOffsetError(ClipError):
    """A piece that does not continue where the upload stands (a retry, or a piece lost)."""

    def __init__(self, session: UploadSession) -> None:
        super().__init__(_l("This piece does not continue the upload: send from byte %(n)d.", n=session.received_bytes), status=409)
        self.received = session.received_bytes

    def details(self) -> dict:
        return {"received": self.received}


def media_limits() -> MediaLimits:
    config = current_app.config
    return MediaLimits(
        max_side=config["VIB_MAX_SIDE_PX"],
        max_pixels_per_second=config["VIB_MAX_PIXELS_PER_SECOND"],
        max_seconds=config["VIB_MAX_DURATION_MINUTES"] * 60,
    )


def next_cycle(db: Session, case: Case) -> int:
    """A new clip starts the next cycle of its case (the worker moves it when two belong together)."""
    return (db.scalar(select(func.max(Clip.cycle)).where(Clip.case_id == case.id)) or 0) + 1


def update_clip(db: Session, clip: Clip, fields: dict) -> Clip:
    """Rename a clip, choose its code scheme ("scheme": None or "" for its case's scheme), say when it
    was recorded ("recorded_on": YYYY-MM-DD) or to which cycle of its case it belongs ("cycle": 1, 2 …)."""
    unknown = sorted(set(fields) - {"title", "scheme", "recorded_on", "cycle"})
    if unknown:
        raise ClipError(_l("Unknown field: %(name)s.", name=unknown[0]))
    if "title" in fields:
        title = " ".join(str(fields["title"] or "").split())[:MAX_TITLE]
        if not title:
            raise ClipError(_l("A clip needs a title."))
        clip.title = title
    if "scheme" in fields:
        clip.scheme_id = check_scheme_choice(db, fields["scheme"])
    if "recorded_on" in fields:
        clip.recorded_on = _recording_day(fields["recorded_on"])
    if "cycle" in fields:
        cycle = fields["cycle"]
        if not isinstance(cycle, int) or isinstance(cycle, bool) or not 1 <= cycle <= MAX_CYCLE:
            raise ClipError(_l("The cycle is a whole number from 1 to %(n)d.", n=MAX_CYCLE))
        clip.cycle = cycle
    db.flush()
    return clip


def _recording_day(value) -> date:
    try:
        day = date.fromisoformat(str(value or ""))
    except ValueError:
        raise ClipError(_l("Give the recording date as YYYY-MM-DD.")) from None
    if day > organisation_today():
        raise ClipError(_l("The recording date cannot be in the future."))
    return day


def scheme_for_clip(db: Session, clip: Clip) -> SchemeDefinition:
    """What new moments of the clip are coded with: the clip's choice, else its case's, else the
    organisation's default; always the newest version."""
    return chosen_scheme(db, clip.scheme_id, clip.case.scheme_id)


def record_view(db: Session, user: User, clip: Clip) -> None:
    """The audit log's line for a page that shows the clip (its page, coding page, review screen)."""
    audit.record(db, user, "clip.view", "clip", clip.id, access.role_on(user, clip))


def _default_title(db: Session, case: Case) -> str:
    count = db.scalar(select(func.count(Clip.id)).where(Clip.case_id == case.id)) or 0
    return str(_l("Recording %(n)d", n=count + 1))


# -- processing (background jobs) ----------------------------------------------------------------


@jobs.task("process_clip", queue=jobs.MEDIA)
def process_clip(clip_id: int) -> None:
    """Build the playable rendition, mark the clip ready, then queue the filmstrip."""
    db = current_session()
    clip = db.get(Clip, clip_id)
    if clip is None or clip.status != PROCESSING:
        return
    media = storage.current()
    try:
        facts = _facts(clip)  # probed at upload; probing again would read the whole file twice
        media.discard_unfinished(clip.playable_key)  # an earlier run may have stopped half-way
        with media.local_path(clip.original_key) as source, media.writing(clip.playable_key) as target:
            sandbox.run(make_playable, str(source), str(target), facts, progress=_progress_saver(clip))
    except sandbox.LimitExceeded as exc:
        log.warning("clip %s failed: over the %s limit", clip_id, exc.limit)
        _fail(db, clip, "too_demanding")
        return
    except MediaError as exc:
        log.warning("clip %s failed: %s", clip_id, exc)
        _fail(db, clip, exc.reason)
        return
    except Exception:
        log.exception("clip %s failed", clip_id)
        _fail(db, clip, "conversion_failed")
        return
    clip.status, clip.progress, clip.ready_at = READY, 100, utcnow()
    jobs.enqueue_after_commit(db, "build_filmstrip", clip.id)
    hooks.clip_ready.send(clip, db=db)


def _facts(clip: Clip) -> ClipFacts:
    """The facts stored at upload; the clip row has a column for each."""
    return ClipFacts(**{f.name: getattr(clip, f.name) for f in fields(ClipFacts)})


def _progress_saver(clip: Clip):
    """Progress is shown while the job runs, so it is written in a short transaction of its own."""
    shown = clip.progress

    def save(fraction: float) -> None:
        nonlocal shown
        percent = min(99, int(fraction * 100))
        if percent > shown:
            shown = percent
            progress_db = new_session()
            try:
                progress_db.execute(update(Clip).where(Clip.id == clip.id).values(progress=percent))
                progress_db.commit()
            except SQLAlchemyError:  # a busy database must not fail the video; progress is a courtesy
                log.warning("could not save the progress of clip %s", clip.id, exc_info=True)
            finally:
                progress_db.close()

    return save


def _fail(db: Session, clip: Clip, reason: str) -> None:
    db.rollback()  # nothing of the failed attempt is kept but the reason
    clip.status, clip.error = FAILED, reason
    storage.current().delete(clip.playable_key)


@jobs.task("build_filmstrip", queue=jobs.MEDIA, first=True)
def build_filmstrip(clip_id: int) -> None:
    db = current_session()
    clip = db.get(Clip, clip_id)
    if clip is None or clip.status != READY or clip.filmstrip_ready or clip.filmstrip_failed:
        return
    media = storage.current()
    try:
        with media.local_path(clip.playable_key) as playable:
            sprite, index = sandbox.run(media_filmstrip.make_filmstrip, str(playable), clip.duration_ms)
    except Exception:  # the clip plays without a filmstrip; say so rather than keep everyone waiting
        log.exception("filmstrip of clip %s failed", clip_id)
        clip.filmstrip_failed = True
        return
    media.save(clip.filmstrip_key, sprite)
    media.save(clip.filmstrip_index_key, json.dumps(index.as_dict()).encode())
    clip.filmstrip_ready = True


@jobs.resumer
def requeue_unfinished(db: Session) -> int:
    """Queue again what a restart or a lost worker interrupted: processing clips, and ready clips
    without a filmstrip, unless a job is at them."""
    clips = db.scalars(
        select(Clip).where(
            or_(Clip.status == PROCESSING, (Clip.status == READY) & Clip.filmstrip_ready.is_(False) & Clip.filmstrip_failed.is_(False))
        )
    ).all()
    return sum(jobs.resume_after_commit(db, "process_clip" if clip.status == PROCESSING else "build_filmstrip", clip.id) for clip in clips)


# -- pictures -----------------------------------------------------------------------------------


def require_ready(clip: Clip) -> None:
    if clip.status != READY:
        raise ClipError(_l("The clip is not ready yet."), status=409)


def thumbnail_width(requested: int | None, clip: Clip) -> int:
    width = DEFAULT_THUMB_WIDTH if requested is None else requested
    if not MIN_THUMB_WIDTH <= width <= MAX_THUMB_WIDTH:
        raise ClipError(_l("The width must be between %(lo)d and %(hi)d pixels.", lo=MIN_THUMB_WIDTH, hi=MAX_THUMB_WIDTH), status=400)
    return min(width, clip.width)  # never enlarge


def thumbnails(clip: Clip, times_ms: list[int], width: int) -> dict[int, str]:
    """The storage keys of cached thumbnails for many times; the missing ones come from one pass over the clip."""
    require_ready(clip)
    for t in times_ms:
        if not 0 <= t <= clip.duration_ms:
            raise ClipError(_l("The time must be between 0 and %(end)d ms.", end=clip.duration_ms), status=400)
    media = storage.current()
    keys = {t: clip.thumbnail_key(t, width) for t in times_ms}
    missing = [t for t, key in keys.items() if not media.exists(key)]
    if missing:
        with media.local_path(clip.playable_key) as playable:
            pictures = map_frames(str(playable), missing, lambda frame: encode_thumbnail(frame, width))
        for t, jpeg in pictures.items():
            media.save(keys[t], jpeg)
    return keys


def thumbnail(clip: Clip, t_ms: int, width: int) -> str:
    """The storage key of the thumbnail at `t_ms`, made if it was not cached."""
    return thumbnails(clip, [t_ms], width)[t_ms]


def frame_times(clip: Clip) -> list[int]:
    """The start of every frame of the playable rendition, in ms; read once, then kept beside it."""
    require_ready(clip)
    media = storage.current()
    if media.exists(clip.frames_key):
        return json.loads(media.read_bytes(clip.frames_key))
    with media.local_path(clip.playable_key) as playable:
        times = frame_times_ms(str(playable))
    media.save(clip.frames_key, json.dumps(times).encode())
    return times


def frame_on_screen(times: list[int], t_ms: int) -> int:
    """The start of the frame a paused player shows at t_ms (the last one starting at or before it):
    the rule every moment, meeting item and imported moment follows. `times`: frame_times(clip)."""
    index = bisect.bisect_right(times, t_ms) - 1
    return times[max(0, index)] if times else t_ms


def span_on_frames(times: list[int], duration: int, start: int, end: int | None) -> tuple[int, int | None]:
    """A moment's times on the frames (frame_on_screen); a span shorter than a frame ends with the frame
    it starts on, and one that reaches the end keeps the clip's end."""
    start = frame_on_screen(times, start)
    if end is None:
        return start, None
    end = duration if end >= duration else frame_on_screen(times, end)
    if end <= start:
        later = bisect.bisect_right(times, start)
        end = times[later] if later < len(times) else duration
    return start, end


def filmstrip_index(clip: Clip) -> dict | None:
    """The filmstrip's index, or None while it is still being made."""
    require_ready(clip)
    if clip.filmstrip_failed:
        raise ClipError(_l("No filmstrip could be made for this clip; it plays without one."), status=404)
    if not clip.filmstrip_ready:
        return None
    return json.loads(storage.current().read_bytes(clip.filmstrip_index_key))
