"""A clip's moments out (ELAN, BORIS, CSV, WebVTT) and in (ELAN, BORIS, vib's CSV).

Export shows what the person may see (`clip_moments` with the viewer; the `vib` command, all moments).
Import maps codes by id or label (Dutch or English, any case) and actors by tier or subject name,
snaps times to the clip's frames like every moment, and creates everything or nothing: one error in
the file and nothing is created (the request's transaction rolls back)."""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass

from flask_babel import force_locale, get_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from vib.accounts.models import User
from vib.cases.models import Case
from vib.clips import operations as clip_ops
from vib.clips.models import READY, Clip
from vib.coding import operations as coding
from vib.coding.models import ACTORS
from vib.core import access, audit
from vib.core.errors import UserError
from vib.interop.formats import boris, detect, eaf, table, vtt
from vib.interop.formats.model import Cue, ExportedClip, ExportedCode, ExportedMoment, FormatError, ImportedRow, Problem
from vib.schemes import catalogue as schemes
from vib.supervision import language as feedback_language
from vib.supervision.models import FeedbackItem, ReviewRequest
from vib.supervision.operations import feedback_was_sent

FORMATS = ("eaf", "boris", "csv", "vtt")
MAX_IMPORT_BYTES = 5 * 1024 * 1024
DURATION_TOLERANCE_MS = 1000  # an imported file's media may differ this much from the clip


class ExportError(UserError):
    pass


class ImportRefused(UserError):
    """A file that cannot be imported: the report says why (422), and nothing was created."""

    def __init__(self, message, report: dict) -> None:
        super().__init__(message)
        self.report = report

    def details(self) -> dict:
        return self.report


@dataclass(frozen=True)
class Export:
    data: bytes
    filename: str
    mimetype: str


# -- out -------------------------------------------------------------------------------------------


def _reader_language() -> str:
    """The language the export's own words are in: the reader's, Dutch or English."""
    return "nl" if str(get_locale()) == "nl" else "en"


def _text(labels: dict | None, language: str) -> str:
    if not labels:
        return ""
    return labels.get(language) or labels.get("en") or next(iter(labels.values()))


def exported_moments(db: Session, clip: Clip, viewer: User | None) -> list[ExportedMoment]:
    made = []
    for moment in coding.clip_moments(db, clip, viewer):
        scheme = schemes.get_scheme(db, moment.scheme_id, moment.scheme_version)
        code = scheme.code(moment.code) if scheme else None
        made.append(
            ExportedMoment(
                start_ms=moment.start_ms,
                end_ms=moment.end_ms,
                code=moment.code,
                label_nl=_text(code.label, "nl") if code else moment.code,
                label_en=_text(code.label, "en") if code else moment.code,
                actor=moment.actor,
                author=moment.author.name,
                tags=tuple(moment.tags),
                note=moment.note,
                category=_text(code.category, "en") if code else "",
                clip=clip.title,
                cycle=clip.cycle,
            )
        )
    return made


def exported_clip(db: Session, clip: Clip) -> ExportedClip:
    scheme = clip_ops.scheme_for_clip(db, clip)
    codes = tuple(
        ExportedCode(code.id, _text(code.label, "nl"), _text(code.label, "en"), _text(code.definition, "nl"), _text(code.definition, "en"))
        for code in scheme.codes
    )
    # A neutral media name: the file leaves vib, so no case code and no client's name (nor the title).
    return ExportedClip(f"clip-{clip.id}.mp4", clip.duration_ms, clip.fps, scheme.id, _text(scheme.label, "en"), codes)


def sent_feedback(db: Session, clip: Clip, viewer: User | None) -> list[FeedbackItem]:
    """The sent feedback on the clip with a time: all of it, or what `viewer` sees (its worker; a
    supervisor, their own reviews')."""
    query = select(FeedbackItem).join(FeedbackItem.review).where(ReviewRequest.clip_id == clip.id, feedback_was_sent())
    if viewer is not None and not access.may(viewer, "own", clip):
        query = query.where(ReviewRequest.supervisor_id == viewer.id)
    return [f for f in db.scalars(query.order_by(FeedbackItem.start_ms, FeedbackItem.id)) if f.start_ms is not None]


def vtt_cues(db: Session, clip: Clip, viewer: User | None) -> list[Cue]:
    """A cue per moment with a note (its code and the note) and per sent feedback item (its kind and text)."""
    cues = []
    for m in exported_moments(db, clip, viewer):
        if m.note:
            end = m.end_ms if m.end_ms is not None else min(m.start_ms + vtt.POINT_CUE_MS, clip.duration_ms)
            label = m.label_nl if _reader_language() == "nl" else m.label_en
            cues.append(Cue(m.start_ms, max(end, m.start_ms + 1), f"{label}: {m.note}"))
    kinds = feedback_language.kind_labels()
    for item in sent_feedback(db, clip, viewer):
        end = item.end_ms if item.end_ms is not None else min(item.start_ms + vtt.POINT_CUE_MS, clip.duration_ms)
        cues.append(Cue(item.start_ms, max(end, item.start_ms + 1), f"{kinds.get(item.kind, item.kind)}: {item.text}"))
    return cues


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def export_clip(db: Session, clip: Clip, viewer: User | None, fmt: str, by=None, role: str | None = None) -> Export:
    """The clip's moments in `fmt`, as `viewer` sees them (None: all), audited as `by` (the viewer)."""
    if fmt not in FORMATS:
        raise ExportError(_l("Choose a format: %(formats)s.", formats=", ".join(FORMATS)))
    name = f"vib-clip-{clip.id}"
    language = _reader_language()
    if fmt == "eaf":
        result = Export(eaf.write(exported_clip(db, clip), exported_moments(db, clip, viewer)), f"{name}.eaf", "application/xml")
    elif fmt == "boris":
        result = Export(
            boris.write(exported_clip(db, clip), exported_moments(db, clip, viewer)), f"{name}-boris.tsv", "text/tab-separated-values"
        )
    elif fmt == "csv":
        files = {
            "moments.csv": table.write_moments(exported_moments(db, clip, viewer), language),
            "figures.csv": table.write_figures(coding.stats_for_clip(db, clip, viewer).as_dict()),
        }
        result = Export(_zip(files), f"{name}-csv.zip", "application/zip")
    else:
        result = Export(vtt.write(vtt_cues(db, clip, viewer)), f"{name}.vtt", "text/vtt")
    by = by if by is not None else viewer
    audit.record(db, by, "clip.export", "clip", clip.id, role or access.role_on(by, clip), detail=f"format={fmt}")
    return result


def export_case_csv(db: Session, case: Case, by, role: str) -> bytes:
    """Every clip of the case in one ZIP: moments.csv (all moments, a row each, the clip named in
    its first columns) and clip-<id>-figures.csv per clip. For the `vib` command (all moments)."""
    clips = list(db.scalars(select(Clip).where(Clip.case_id == case.id).order_by(Clip.cycle, Clip.recorded_on, Clip.id)))
    language = _reader_language()
    moments, files = [], {}
    for clip in clips:
        moments.extend(exported_moments(db, clip, None))
        files[f"clip-{clip.id}-figures.csv"] = table.write_figures(coding.stats_for_clip(db, clip).as_dict())
        audit.record(db, by, "clip.export", "clip", clip.id, role, detail="format=csv")
    return _zip({"moments.csv": table.write_moments(moments, language), **files})


# -- in --------------------------------------------------------------------------------------------


PLACES = {
    "line": _l("line %(n)s"),
    "annotation": _l("annotation %(n)s"),
    "element": _l("element %(n)s"),
}


def _where(where: str) -> str:
    """The place of a problem in the user's language ("line 12" is "regel 12" in Dutch)."""
    kind, _, name = where.partition(" ")
    return str(PLACES[kind] % {"n": name}) if kind in PLACES and name else where


def _problem(problem: Problem) -> dict:
    return {
        "line_or_annotation": _where(problem.where),
        "reason": gettext(problem.reason, **problem.params) if problem.params else gettext(problem.reason),
    }


def _report(kind: str | None, dry_run: bool) -> dict:
    return {"kind": kind, "dry_run": dry_run, "created": 0, "skipped": 0, "unmapped": [], "errors": [], "warnings": []}


def _code_lookup(scheme) -> dict[str, object]:
    lookup: dict[str, object] = {}
    for code in scheme.codes:
        for name in (code.id, *(code.label or {}).values()):
            lookup.setdefault(name.strip().casefold(), code)
    return lookup


def _actor_lookup() -> dict[str, str]:
    lookup = {actor: actor for actor in ACTORS}
    for language in ("en", "nl"):
        with force_locale(language):
            for actor, label in schemes.ACTOR_LABELS.items():
                lookup.setdefault(str(label).casefold(), actor)
    return lookup


LANE_NUMBER = re.compile(r"\s+\d+$")  # "worker 2": the second lane of the worker (eaf.lanes)


def _actor(values: list[str], lookup: dict[str, str]) -> str | None:
    for value in values:
        name = LANE_NUMBER.sub("", value.strip()).casefold()
        if name in lookup:
            return lookup[name]
    return None


def import_moments(db: Session, clip: Clip, author: User, data: bytes, dry_run: bool) -> dict:
    """Read the file, match it to the clip and create its moments (unless `dry_run`); the report
    says what was (or would be) created and skipped, which values have no code, and what is wrong.
    Refused (ImportRefused, 422) when the file cannot be read, or when it has errors and this is no
    dry run: then nothing is created."""
    if clip.status != READY:
        raise UserError(_l("The clip is not ready yet."), status=409)
    try:
        parsed = detect.read(data)
    except FormatError as error:
        report = _report(None, dry_run)
        report["errors"].append(_problem(error.problem))
        problem = report["errors"][0]
        message = f"{problem['line_or_annotation']}: {problem['reason']}" if problem["line_or_annotation"] else problem["reason"]
        raise ImportRefused(message, report) from None
    report = _report(parsed.kind, dry_run)
    report["errors"] = [_problem(p) for p in parsed.errors]
    warnings = report["warnings"]
    warnings.extend(_problem(p) for p in parsed.skipped)
    report["skipped"] = len(parsed.skipped)
    if len(parsed.clips) > 1:  # a case's moments.csv (vib export case): every row lands on this clip
        warnings.append({"line_or_annotation": "", "reason": gettext(
            "The file holds the moments of %(n)d clips; all of them are imported into this one.", n=len(parsed.clips))})  # fmt: skip
    duration = clip.duration_ms
    if parsed.media_duration_ms is not None and abs(parsed.media_duration_ms - duration) > DURATION_TOLERANCE_MS:
        warnings.append(
            {"line_or_annotation": "", "reason": gettext(
                "The file's media lasts %(file)s s, the clip %(clip)s s: check that it belongs to this clip.",
                file=f"{parsed.media_duration_ms / 1000:.1f}", clip=f"{duration / 1000:.1f}")}
        )  # fmt: skip
    codes = _code_lookup(clip_ops.scheme_for_clip(db, clip))
    actors = _actor_lookup()
    known_tags = _tag_lookup()
    times = clip_ops.frame_times(clip)
    # The caller's moments as the frames they fall on: one made through the API at a time between two
    # frames is the same moment as the imported one snapped to the frame on screen.
    mine = {
        (m.code, m.actor, *clip_ops.span_on_frames(times, duration, m.start_ms, m.end_ms))
        for m in coding.clip_moments(db, clip)
        if m.author_id == author.id
    }
    unmapped: Counter[str] = Counter()
    unknown_actors: Counter[str] = Counter()
    planned: list[dict] = []
    for row in parsed.rows:
        code = next((codes[v.strip().casefold()] for v in row.code_values if v.strip().casefold() in codes), None)
        if code is None:
            unmapped[row.code_values[0] if row.code_values else ""] += 1
            report["skipped"] += 1
            continue
        end_of_row = row.start_ms if row.end_ms is None else row.end_ms
        if row.start_ms > duration or end_of_row > duration:
            report["skipped"] += 1
            warnings.append({"line_or_annotation": _where(row.where), "reason": gettext(
                "It lies outside the clip (%(start)s–%(end)s s; the clip lasts %(clip)s s): skipped.",
                start=f"{row.start_ms / 1000:.3f}", end=f"{end_of_row / 1000:.3f}", clip=f"{duration / 1000:.3f}")})  # fmt: skip
            continue
        actor = _actor(row.actor_values, actors)
        if actor is None:
            actor = code.actor
            if row.actor_values:
                unknown_actors[row.actor_values[0]] += 1
        start, end = clip_ops.span_on_frames(times, duration, row.start_ms, row.end_ms)
        tags = _tags(row, known_tags, warnings)
        if (code.id, actor, start, end) in mine:
            report["skipped"] += 1
            warnings.append({"line_or_annotation": _where(row.where), "reason": gettext("You coded this moment already: skipped.")})
            continue
        mine.add((code.id, actor, start, end))
        note = row.note.strip()
        if len(note) > coding.MAX_NOTE_LENGTH:
            report["errors"].append(
                {
                    "line_or_annotation": _where(row.where),
                    "reason": gettext("A note is text of at most %(n)d characters.", n=coding.MAX_NOTE_LENGTH),
                }
            )
            continue
        planned.append({"start_ms": start, "end_ms": end, "code": code.id, "actor": actor, "note": note, "tags": tags})
    for value, count in sorted(unknown_actors.items()):
        warnings.append({"line_or_annotation": "", "reason": gettext(
            "%(value)s names no actor (%(count)d times): the code's own actor was used.", value=value, count=count)})  # fmt: skip
    report["unmapped"] = [{"value": value, "count": count} for value, count in sorted(unmapped.items(), key=lambda v: (-v[1], v[0]))]
    report["created"] = len(planned)
    if report["errors"] and not dry_run:
        report["created"] = 0
        raise ImportRefused(_l("The file has errors: nothing was imported. Correct them, or leave those lines out."), report)
    if not dry_run:
        for fields in planned:
            coding.create_moment(db, clip, author, fields)
        audit.record(
            db, author, "clip.import", "clip", clip.id, access.role_on(author, clip),
            detail=f"format={parsed.kind} created={len(planned)} skipped={report['skipped']} unmapped={sum(unmapped.values())}",
        )  # fmt: skip
    return report


def _tag_lookup() -> dict[str, str]:
    known = {tag.casefold(): tag for tag in schemes.MOMENT_TAGS}
    for language in ("en", "nl"):
        with force_locale(language):
            for tag, label in schemes.MOMENT_TAGS.items():
                known.setdefault(str(label).casefold(), tag)
    return known


def _tags(row: ImportedRow, known: dict[str, str], warnings: list[dict]) -> list[str]:
    tags = []
    for value in row.tags:
        tag = known.get(value.strip().casefold())
        if tag is None:
            warnings.append({"line_or_annotation": _where(row.where), "reason": gettext("%(tag)s is no tag of vib: left out.", tag=value)})
        elif tag not in tags:
            tags.append(tag)
    return tags
