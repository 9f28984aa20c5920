"""The library's rules: proposing a fragment, cutting it and finding its faces, rendering it
de-identified, publishing, editing, expiry, deleting; collections; consent for training and
presentation, checked on every use.

Operations change and flush; the request, command or job around them commits (docs/architecture.md).
"""

from __future__ import annotations

import json
import logging
import re
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from vib.accounts.models import User
from vib.cases.models import Case
from vib.cases.operations import consents_by_person
from vib.clips import operations as clip_ops
from vib.clips.models import READY as CLIP_READY
from vib.clips.models import Clip
from vib.coding.models import Moment
from vib.core import audit, jobs, storage
from vib.core.days import organisation_date, organisation_today
from vib.core.db import session as current_session
from vib.core.db import utcnow
from vib.core.errors import FieldError, text_or_none
from vib.core.ordering import move, renumber
from vib.library.models import (
    AUDIO_CHOICES,
    DELETED,
    DETECTING,
    FAILED,
    READY,
    RENDERING,
    REVIEW,
    Collection,
    CollectionItem,
    Fragment,
)
from vib.media import fragments as media_fragments
from vib.media.errors import MediaError
from vib.media.faces import find_faces
from vib.media.fragments import cut_fragment, render_fragment
from vib.media.frames import frame_times_ms
from vib.media.probe import probe
from vib.media.thumbs import poster_jpeg
from vib.privacy import operations as privacy_ops
from vib.schemes import catalogue as schemes

log = logging.getLogger(__name__)

MIN_FRAGMENT_MS = 1_000
MAX_FRAGMENT_MS = 5 * 60_000
MAX_TITLE = 200
MAX_TEXT = 5_000
MAX_TAGS = 20
MAX_TAG = 40
POSTER_WIDTH = 640
TRAINING, PRESENTATION = "training", "presentation"
FAILURE_MESSAGES = {
    "detector_unavailable": _l("The face detector is not installed on the server: nothing can be de-identified."),
    "detector_failed": _l("The face detector failed on this fragment."),
    "clip_gone": _l("The clip was deleted before the fragment was cut."),
}


class FragmentError(FieldError):
    """A fragment request that breaks a rule (422 unless said otherwise)."""


# -- consent ----------------------------------------------------------------------------------------


def consents_to(case: Case, purpose: str) -> bool:
    """Whether every person recorded on the case consents to `purpose` now (and anyone is recorded)."""
    people = consents_by_person(case).values()
    return bool(people) and all(purpose in person.purposes for person in people)


def consent_refusal(case: Case, purpose: str, may_see_case: bool) -> str | None:
    """Why the case's fragments may not be used for `purpose`: names the persons only to someone who
    may see the case (its worker), the purpose always."""
    if consents_to(case, purpose):
        return None
    label = {TRAINING: _l("training"), PRESENTATION: _l("presentations outside the organisation")}[purpose]
    if may_see_case:
        missing = sorted(p.person for p in consents_by_person(case).values() if purpose not in p.purposes) or ["-"]
        return str(_l("Not everyone in this case consents to %(purpose)s (%(people)s).", purpose=label, people=", ".join(missing)))
    return str(_l("Not everyone in the recording consents to %(purpose)s.", purpose=label))


# -- proposing --------------------------------------------------------------------------------------


def propose(db: Session, clip: Clip, by: User, fields: dict) -> Fragment:
    """A worker proposes a span of their clip for the library; a job cuts it and finds its faces."""
    if clip.status != CLIP_READY:
        raise FragmentError(_l("The clip is not ready yet."), status=409)
    refusal = consent_refusal(clip.case, TRAINING, may_see_case=True)
    if refusal:
        raise FragmentError(refusal, status=409)
    start, end = fields.get("start_ms"), fields.get("end_ms")
    for name, value in (("start_ms", start), ("end_ms", end)):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= clip.duration_ms:
            raise FragmentError(
                _l("%(name)s must be a whole number of ms from 0 to %(end)d, the end of the clip.", name=name, end=clip.duration_ms), name
            )
    if end - start < MIN_FRAGMENT_MS:
        raise FragmentError(_l("A fragment lasts at least one second."), "end_ms")
    if end - start > MAX_FRAGMENT_MS:
        raise FragmentError(_l("A fragment lasts at most five minutes."), "end_ms")
    if "title" not in fields:
        raise FragmentError(_l("Give the fragment a title."), "title")
    scheme = clip_ops.scheme_for_clip(db, clip)
    fragment = Fragment(
        clip_id=clip.id,
        case_id=clip.case_id,
        proposed_by_id=by.id,
        start_ms=start,
        end_ms=end,
        scheme_id=scheme.id,
        scheme_version=scheme.version,
        state=DETECTING,
        title="",
        description="",
        learning_points="",
        codes=[],
        tags=[],
    )
    _set_texts(db, fragment, clip.case, {k: v for k, v in fields.items() if k not in ("start_ms", "end_ms")})
    db.add(fragment)
    db.flush()
    audit.record(db, by, "fragment.propose", "fragment", fragment.id, "worker", detail=f"clip={clip.id}")
    jobs.enqueue_after_commit(db, "prepare_fragment", fragment.id)
    return fragment


EDITABLE = ("title", "description", "learning_points", "codes", "tags")


def _set_texts(db: Session, fragment: Fragment, case: Case, fields: dict) -> None:
    """Check and set the texts, codes and tags; texts never name the case or its people."""
    unknown = sorted(set(fields) - set(EDITABLE) - {"expires_on"})
    if unknown:
        raise FragmentError(_l("Unknown field: %(name)s.", name=unknown[0]), unknown[0])
    limits = {"title": MAX_TITLE, "description": MAX_TEXT, "learning_points": MAX_TEXT}
    for name, limit in limits.items():
        if name not in fields:
            continue
        text = (text_or_none(fields[name], name) or "").strip()
        if name == "title" and not text:
            raise FragmentError(_l("Give the fragment a title."), "title")
        if len(text) > limit:
            raise FragmentError(_l("%(field)s is at most %(n)d characters.", field=name, n=limit), name)
        named = _names_in(text, case)
        if named:
            raise FragmentError(
                _l("The library never names the family: remove the case code or person (%(name)s) from %(field)s.", name=named, field=name),
                name,
            )
        setattr(fragment, name, text)
    if "codes" in fields:
        scheme = schemes.get_scheme(db, fragment.scheme_id, fragment.scheme_version)
        codes = fields["codes"] or []
        if not isinstance(codes, list) or any(not isinstance(c, str) or scheme is None or scheme.code(c) is None for c in codes):
            raise FragmentError(_l("codes must be a list of codes of the fragment's code scheme."), "codes")
        fragment.codes = list(dict.fromkeys(codes))
    if "tags" in fields:
        tags = fields["tags"] or []
        if (
            not isinstance(tags, list)
            or len(tags) > MAX_TAGS
            or any(not isinstance(t, str) or not 0 < len(t.strip()) <= MAX_TAG for t in tags)
        ):
            raise FragmentError(_l("tags must be a list of at most %(n)d short words.", n=MAX_TAGS), "tags")
        for tag in tags:
            named = _names_in(tag, case)
            if named:
                raise FragmentError(_l("The library never names the family: remove %(name)s from the tags.", name=named), "tags")
        fragment.tags = list(dict.fromkeys(t.strip().casefold() for t in tags))


def _names_in(text: str, case: Case) -> str | None:
    """The case code or a family member's label that `text` contains as a word, if any (the
    professional's own label, "worker", names no one in the family)."""
    names = [case.code, *(p.person for p in consents_by_person(case).values() if p.role != "worker")]
    for name in names:
        if name and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE):
            return name
    return None


# -- cutting, finding faces, rendering (media queue) ---------------------------------------------------


@jobs.task("prepare_fragment", queue=jobs.MEDIA)
def prepare_fragment(fragment_id: int) -> None:
    """Cut the span frame-exactly from the playable rendition, then find the faces in it."""
    db = current_session()
    fragment = db.get(Fragment, fragment_id)
    if fragment is None or fragment.state != DETECTING:
        return
    clip = db.get(Clip, fragment.clip_id) if fragment.clip_id else None
    if clip is None or clip.status != CLIP_READY:
        _fail(fragment, "clip_gone")
        return
    media = storage.current()
    try:
        media.discard_unfinished(fragment.cut_key)
        with media.local_path(clip.playable_key) as source, media.writing(fragment.cut_key) as target:
            facts = cut_fragment(str(source), str(target), fragment.start_ms, fragment.end_ms)
        with media.local_path(fragment.cut_key) as cut:
            tracks = find_faces(str(cut))
            facts_of_cut = probe(str(cut))
    except MediaError as exc:
        log.warning("fragment %s failed: %s", fragment_id, exc)
        _fail(fragment, exc.reason if exc.reason in FAILURE_MESSAGES else "detector_failed")
        return
    media.save(fragment.faces_key, json.dumps([{"id": t.id, "boxes": t.boxes} for t in tracks]).encode())
    for track in tracks:
        media.save(fragment.still_key(track.id), track.still)
    fragment.tracks = [{"id": t.id, "first_ms": t.first_ms, "last_ms": t.last_ms, "score": t.score} for t in tracks]
    fragment.blur_tracks = [t.id for t in tracks]  # blur everyone until the trainer chooses
    fragment.frame_count, fragment.duration_ms = facts.frame_count, facts.duration_ms
    fragment.width, fragment.height = facts_of_cut.width, facts_of_cut.height
    fragment.state = REVIEW


def _fail(fragment: Fragment, reason: str) -> None:
    """Nothing of a failed fragment is kept but the reason: never a video with uncovered faces."""
    current_session().rollback()
    fragment.state, fragment.error = FAILED, reason
    media = storage.current()
    for key in (fragment.cut_key, fragment.video_key):
        media.delete(key)


def failure_message(fragment: Fragment) -> str | None:
    return str(FAILURE_MESSAGES.get(fragment.error, _l("The fragment could not be made."))) if fragment.state == FAILED else None


def start_render(db: Session, fragment: Fragment, by: User, fields: dict) -> Fragment:
    """The trainer's choices: which face tracks to blur, extra regions, the audio; a job renders."""
    if fragment.state != REVIEW:
        raise FragmentError(_l("Only a fragment in review can be rendered."), status=409)
    known = {t["id"] for t in fragment.tracks}
    chosen = fields.get("blur_tracks", "all")
    if chosen == "all":
        chosen = sorted(known)
    if not isinstance(chosen, list) or any(not isinstance(i, int) or isinstance(i, bool) or i not in known for i in chosen):
        raise FragmentError(_l('blur_tracks is "all" or a list of the fragment\'s face track ids.'), "blur_tracks")
    regions = [_region(fragment, raw) for raw in fields.get("regions") or []]
    audio = fields.get("audio", "keep")
    if audio not in AUDIO_CHOICES:
        raise FragmentError(_l("audio is one of: %(choices)s.", choices=", ".join(AUDIO_CHOICES)), "audio")
    fragment.blur_tracks, fragment.regions, fragment.audio = sorted(set(chosen)), regions, audio
    fragment.state = RENDERING
    db.flush()
    audit.record(
        db,
        by,
        "fragment.render",
        "fragment",
        fragment.id,
        "trainer",
        detail=f"blurred={len(chosen)}/{len(known)} regions={len(regions)} audio={audio}",
    )
    jobs.enqueue_after_commit(db, "render_fragment", fragment.id)
    return fragment


def _region(fragment: Fragment, raw) -> dict:
    """A rectangle to blur, in fractions of the picture, for the whole fragment or a time range."""
    if not isinstance(raw, dict):
        raise FragmentError(_l("Each region is {x, y, w, h, start_ms?, end_ms?}."), "regions")
    numbers = {}
    for name in ("x", "y", "w", "h"):
        value = raw.get(name)
        if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1:
            raise FragmentError(_l("A region's x, y, w and h are fractions of the picture, from 0 to 1."), "regions")
        numbers[name] = float(value)
    if numbers["w"] <= 0 or numbers["h"] <= 0 or numbers["x"] + numbers["w"] > 1.0001 or numbers["y"] + numbers["h"] > 1.0001:
        raise FragmentError(_l("A region must lie inside the picture and have a size."), "regions")
    start, end = raw.get("start_ms"), raw.get("end_ms")
    for value in (start, end):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= fragment.duration_ms):
            raise FragmentError(_l("A region's times lie within the fragment (0 to %(end)d ms).", end=fragment.duration_ms), "regions")
    if start is not None and end is not None and end <= start:
        raise FragmentError(_l("A region must end after it starts."), "regions")
    return {**numbers, "start_ms": start, "end_ms": end}


@jobs.task("render_fragment", queue=jobs.MEDIA)
def render_fragment_job(fragment_id: int) -> None:
    """The de-identified fragment, its poster and its frame times."""
    db = current_session()
    fragment = db.get(Fragment, fragment_id)
    if fragment is None or fragment.state != RENDERING:
        return
    media = storage.current()
    tracks = [
        {"id": t["id"], "boxes": {int(i): box for i, box in t["boxes"].items()}} for t in json.loads(media.read_bytes(fragment.faces_key))
    ]
    try:
        media.discard_unfinished(fragment.video_key)
        with media.local_path(fragment.cut_key) as cut, media.writing(fragment.video_key) as target:
            render_fragment(str(cut), str(target), tracks, fragment.blur_tracks, fragment.regions, fragment.audio)
        with media.local_path(fragment.video_key) as video:
            times = frame_times_ms(str(video))
            poster = poster_jpeg(str(video), 0, min(POSTER_WIDTH, fragment.width))
    except MediaError as exc:
        log.warning("fragment %s could not be rendered: %s", fragment_id, exc)
        _fail(fragment, "detector_failed")
        return
    media.save(fragment.frames_key(True), json.dumps(times).encode())
    media.save(fragment.poster_key, poster)
    fragment.state = READY


@jobs.resumer
def resume_unfinished(db: Session) -> int:
    """What a restart interrupted: cutting, rendering, removing a deleted fragment's files."""
    waiting = {DETECTING: "prepare_fragment", RENDERING: "render_fragment", DELETED: "remove_fragment"}
    rows = db.execute(select(Fragment.id, Fragment.state).where(Fragment.state.in_(waiting))).all()
    return sum(jobs.resume_after_commit(db, waiting[state], fragment_id) for fragment_id, state in rows)


# -- curating ---------------------------------------------------------------------------------------


def expiry_limit(db: Session, published_on: date | None = None) -> date:
    """The latest day a fragment may stay: the retention policy's months from its publication."""
    return privacy_ops.add_months(published_on or organisation_today(), privacy_ops.policy(db).fragment_months)


def update(db: Session, fragment: Fragment, by: User, fields: dict) -> Fragment:
    _set_texts(db, fragment, fragment.case, {k: v for k, v in fields.items() if k != "expires_on"})
    if "expires_on" in fields:
        fragment.expires_on = _expiry(db, fragment, fields["expires_on"])
    db.flush()
    audit.record(db, by, "fragment.update", "fragment", fragment.id, "trainer", detail=",".join(sorted(fields)))
    return fragment


def _expiry(db: Session, fragment: Fragment, raw) -> date:
    limit = expiry_limit(db, organisation_date(fragment.published_at) if fragment.published_at else None)
    try:
        day = date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        day = None
    if day is None:
        raise FragmentError(_l("expires_on is a date (YYYY-MM-DD)."), "expires_on")
    if day <= organisation_today():
        raise FragmentError(_l("The expiry date must lie in the future."), "expires_on")
    if day > limit:
        raise FragmentError(_l("The retention policy keeps a fragment until %(day)s at the latest.", day=limit.isoformat()), "expires_on")
    return day


def publish(db: Session, fragment: Fragment, by: User) -> Fragment:
    if fragment.state != READY:
        raise FragmentError(_l("Only a rendered fragment can be published."), status=409)
    if fragment.published_at is not None:
        raise FragmentError(_l("This fragment is published already."), status=409)
    refusal = consent_refusal(fragment.case, TRAINING, may_see_case=False)
    if refusal:
        raise FragmentError(refusal, status=409)
    fragment.published_at, fragment.published_by_id = utcnow(), by.id
    limit = expiry_limit(db)
    if fragment.expires_on is None or fragment.expires_on > limit:
        fragment.expires_on = limit
    db.flush()
    audit.record(db, by, "fragment.publish", "fragment", fragment.id, "trainer")
    return fragment


def unpublish(db: Session, fragment: Fragment, by: User) -> Fragment:
    if fragment.published_at is None:
        raise FragmentError(_l("This fragment is not published."), status=409)
    fragment.published_at = None
    db.flush()
    audit.record(db, by, "fragment.unpublish", "fragment", fragment.id, "trainer")
    return fragment


def discard(db: Session, fragment: Fragment, by: User | None, role: str, reason: str) -> None:
    """Delete a fragment: its row leaves every list now; its files go after the commit, then the row.
    Its texts are emptied at once (they are about the family's conversation)."""
    if fragment.state == DELETED:
        return
    fragment.state, fragment.published_at = DELETED, None
    fragment.title = fragment.description = fragment.learning_points = ""
    fragment.tracks, fragment.regions, fragment.tags = [], [], []
    fragment.clip_id = None
    db.execute(CollectionItem.__table__.delete().where(CollectionItem.fragment_id == fragment.id))
    _delete_moments(db, fragment)
    db.flush()
    actor = by if by is not None else privacy_ops.system_actor()
    audit.record(db, actor, "fragment.delete", "fragment", fragment.id, role, detail=f"reason={reason}")
    jobs.enqueue_after_commit(db, "remove_fragment", fragment.id)


def _delete_moments(db: Session, fragment: Fragment) -> None:
    db.execute(Moment.__table__.delete().where(Moment.fragment_id == fragment.id))


@jobs.task("remove_fragment")
def remove_fragment(fragment_id: int) -> None:
    """Remove a deleted fragment's files one by one, then its row (a crash in between: the resumer)."""
    db = current_session()
    fragment = db.get(Fragment, fragment_id)
    if fragment is None or fragment.state != DELETED:
        return
    media = storage.current()
    for key in media.keys(fragment.folder):
        media.delete(key)
    media.delete_prefix(fragment.folder)
    db.delete(fragment)


# -- reading ------------------------------------------------------------------------------------------


def record_view(db: Session, user: User, fragment: Fragment, role: str) -> None:
    audit.record(db, user, "fragment.view", "fragment", fragment.id, role)


def record_stream(db: Session, user: User, fragment: Fragment, role: str) -> None:
    """One row per person and fragment per stream window (a player makes many range requests)."""
    since = utcnow() - audit.STREAM_WINDOW
    seen = db.scalar(
        select(audit.AuditEvent.id).where(
            audit.AuditEvent.user_id == user.id, audit.AuditEvent.action == "fragment.stream",
            audit.AuditEvent.object_id == fragment.id, audit.AuditEvent.at >= since,
        ).limit(1)
    )  # fmt: skip
    if seen is None:
        audit.record(db, user, "fragment.stream", "fragment", fragment.id, role)


def video_key(fragment: Fragment) -> str:
    """What the fragment's player plays: the de-identified video once rendered, the cut in review."""
    if fragment.state == READY:
        return fragment.video_key
    if fragment.state in (REVIEW, RENDERING):
        return fragment.cut_key
    raise FragmentError(_l("The fragment has no video yet."), status=409)


def frame_times(fragment: Fragment) -> list[int]:
    media = storage.current()
    rendered = fragment.state == READY
    key = fragment.frames_key(rendered)
    if not media.exists(key):
        with media.local_path(video_key(fragment)) as video:
            media.save(key, json.dumps(frame_times_ms(str(video))).encode())
    return json.loads(media.read_bytes(key))


def still_key(fragment: Fragment, track_id: int) -> str:
    if fragment.state not in (REVIEW, RENDERING, READY) or track_id not in {t["id"] for t in fragment.tracks}:
        raise FragmentError(_l("There is no such face track."), status=404)
    return fragment.still_key(track_id)


def is_listed(fragment: Fragment) -> bool:
    """Whether the fragment is in the library: rendered, published, not past its expiry."""
    today = organisation_today()
    return fragment.state == READY and fragment.published_at is not None and (fragment.expires_on is None or fragment.expires_on >= today)


def listed_condition():
    """`is_listed` as a condition of a query."""
    return (
        (Fragment.state == READY)
        & Fragment.published_at.is_not(None)
        & or_(Fragment.expires_on.is_(None), Fragment.expires_on >= organisation_today())
    )


def listed(visible: Select) -> Select:
    """Of the fragments in `visible` (what a person may see), those in the library."""
    return visible.where(listed_condition())


def unpublished(visible: Select) -> Select:
    """Of the fragments in `visible`, those not published yet (proposals, for review), newest first."""
    return visible.where(Fragment.published_at.is_(None)).order_by(Fragment.created_at.desc())


def listed_ids(db: Session, visible: Select) -> set[int]:
    return set(db.scalars(listed(visible).with_only_columns(Fragment.id)))


def search(db: Session, visible: Select, q: str | None = None, code: str | None = None, scheme: str | None = None,
           tag: str | None = None, collection: int | None = None) -> list[Fragment]:  # fmt: skip
    """Full-text search in title, description and learning points, and filters by code, scheme, tag
    and collection, over the fragments in `visible`, newest first."""
    query = visible
    for word in (q or "").split()[:10]:
        pattern = f"%{word.casefold()}%"
        query = query.where(
            or_(func.lower(Fragment.title).like(pattern), func.lower(Fragment.description).like(pattern),
                func.lower(Fragment.learning_points).like(pattern))
        )  # fmt: skip
    if scheme:
        query = query.where(Fragment.scheme_id == scheme)
    if collection is not None:
        query = query.join(CollectionItem, CollectionItem.fragment_id == Fragment.id).where(CollectionItem.collection_id == collection)
    found = list(db.scalars(query.order_by(Fragment.published_at.desc(), Fragment.id.desc())).unique())
    # Codes and tags are JSON lists: filtered here, the same on SQLite and PostgreSQL.
    if code:
        found = [f for f in found if code in f.codes]
    if tag:
        found = [f for f in found if tag.casefold() in f.tags]
    return found


# -- downloading ------------------------------------------------------------------------------------


def download(db: Session, fragment: Fragment, by: User, role: str) -> str:
    """The storage key of an MP4 of the fragment with a visible line (organisation, user, date) burnt
    into its corner, made once per person and day."""
    if fragment.state != READY or fragment.published_at is None:
        raise FragmentError(_l("Only a published fragment can be downloaded."), status=409)
    refusal = consent_refusal(fragment.case, PRESENTATION, may_see_case=False)
    if refusal:
        raise FragmentError(refusal, status=403)
    today = organisation_today()
    key = fragment.download_key(by.id, today)
    media = storage.current()
    if not media.exists(key):
        for old in media.keys(fragment.download_folder):  # a copy names its day: older ones are not kept
            media.delete(old)
        line = f"{current_app.config['VIB_ORGANISATION']} · {by.name} · {today.isoformat()}"
        with media.local_path(fragment.video_key) as source, media.writing(key) as target:
            media_fragments.burn_caption(str(source), str(target), line)
    audit.record(db, by, "fragment.download", "fragment", fragment.id, role)
    return key


# -- collections ------------------------------------------------------------------------------------


def create_collection(db: Session, by: User, fields: dict) -> Collection:
    collection = Collection(created_by_id=by.id, title="", description="")
    _collection_texts(collection, fields, creating=True)
    db.add(collection)
    db.flush()
    audit.record(db, by, "collection.create", "collection", collection.id, "trainer")
    return collection


def update_collection(db: Session, collection: Collection, by: User, fields: dict) -> Collection:
    _collection_texts(collection, fields, creating=False)
    db.flush()
    audit.record(db, by, "collection.update", "collection", collection.id, "trainer")
    return collection


def _collection_texts(collection: Collection, fields: dict, creating: bool) -> None:
    unknown = sorted(set(fields) - {"title", "description"})
    if unknown:
        raise FragmentError(_l("Unknown field: %(name)s.", name=unknown[0]), unknown[0])
    if creating or "title" in fields:
        title = (text_or_none(fields.get("title"), "title") or "").strip()
        if not title or len(title) > MAX_TITLE:
            raise FragmentError(_l("Give the collection a title of at most %(n)d characters.", n=MAX_TITLE), "title")
        collection.title = title
    if "description" in fields:
        text = (text_or_none(fields["description"], "description") or "").strip()
        if len(text) > MAX_TEXT:
            raise FragmentError(_l("%(field)s is at most %(n)d characters.", field="description", n=MAX_TEXT), "description")
        collection.description = text


def delete_collection(db: Session, collection: Collection, by: User) -> None:
    audit.record(db, by, "collection.delete", "collection", collection.id, "trainer")
    db.delete(collection)
    db.flush()


def add_item(db: Session, collection: Collection, by: User, fragment: Fragment | None, fields: dict) -> CollectionItem:
    if fragment is None or fragment.state != READY or fragment.published_at is None:
        raise FragmentError(_l("Only a published fragment of the library can be added."), "fragment_id")
    if any(item.fragment_id == fragment.id for item in collection.items):
        raise FragmentError(_l("This fragment is in the collection already."), "fragment_id", status=409)
    item = CollectionItem(fragment_id=fragment.id, note=_note(fields), position=len(collection.items))
    collection.items.append(item)
    move(collection.items, item, fields.get("position"))
    db.flush()
    audit.record(db, by, "collection.update", "collection", collection.id, "trainer", detail=f"added fragment={fragment.id}")
    return item


def update_item(db: Session, collection: Collection, item: CollectionItem, by: User, fields: dict) -> CollectionItem:
    unknown = sorted(set(fields) - {"note", "position"})
    if unknown:
        raise FragmentError(_l("Unknown field: %(name)s.", name=unknown[0]), unknown[0])
    if "note" in fields:
        item.note = _note(fields)
    if "position" in fields:
        move(collection.items, item, fields["position"])
    db.flush()
    audit.record(db, by, "collection.update", "collection", collection.id, "trainer", detail=f"item={item.id}")
    return item


def remove_item(db: Session, collection: Collection, item: CollectionItem, by: User) -> None:
    collection.items.remove(item)
    renumber(collection.items)
    db.flush()
    audit.record(db, by, "collection.update", "collection", collection.id, "trainer", detail=f"removed fragment={item.fragment_id}")


def _note(fields: dict) -> str:
    note = (text_or_none(fields.get("note"), "note") or "").strip()
    if len(note) > MAX_TEXT:
        raise FragmentError(_l("%(field)s is at most %(n)d characters.", field="note", n=MAX_TEXT), "note")
    return note


def shown_items(collection: Collection, visible_ids: set[int]) -> list[CollectionItem]:
    """The collection's items a viewer sees (published fragments, or every one for its curators)."""
    return [item for item in sorted(collection.items, key=lambda i: i.position) if item.fragment_id in visible_ids]
