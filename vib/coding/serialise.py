"""Moments as the API answers them."""

from __future__ import annotations

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from vib.accounts.models import User
from vib.coding.models import Moment
from vib.schemes import catalogue as schemes


def moment_json(db: Session, moment: Moment, viewer: User | None = None) -> dict:
    """The moment for the API; `editable` says whether `viewer` may change it (its author may)."""
    scheme = schemes.get_scheme(db, moment.scheme_id, moment.scheme_version)
    code = scheme.code(moment.code) if scheme else None
    return {
        "id": moment.id,
        "clip_id": moment.clip_id,
        "fragment_id": moment.fragment_id,
        "start_ms": moment.start_ms,
        "end_ms": moment.end_ms,
        "code": moment.code,
        "scheme": moment.scheme_id,
        "scheme_version": moment.scheme_version,
        "code_label": schemes.localized(code.label) if code else moment.code,
        "colour": code.colour if code else "#777777",
        "analysis_only": code.analysis_only if code else False,
        "actor": moment.actor,
        "note": moment.note,
        "tags": list(moment.tags),
        "author": {"id": moment.author.id, "name": moment.author.name},
        "created_at": moment.created_at.isoformat(),
        "updated_at": moment.updated_at.isoformat(),
        "version": moment.version,
        "editable": viewer is None or viewer.id == moment.author_id,
    }


def compact_moments(db: Session, moments: list[Moment] | list[Row], viewer: User) -> dict:
    """Many moments at once, for a page that loads them all (the coding page, up to 10,000): each
    code's label and colour and each author's name once, and no field that only says its default (a
    point has no end_ms; an empty note or tags, a false editable are left out). A code whose label
    differs in an older scheme version carries its own code_label. Takes moments or plain rows with
    their columns (coding.operations.clip_moment_rows)."""
    codes: dict[str, dict] = {}
    labels: dict[tuple[str, int, str], str] = {}  # (scheme, version, code) -> label, looked up once
    rows = []
    viewer_id = viewer.id  # once, not through the current_user proxy for every moment
    for moment in moments:
        key = (moment.scheme_id, moment.scheme_version, moment.code)
        if key not in labels:
            scheme = schemes.get_scheme(db, moment.scheme_id, moment.scheme_version)
            code = scheme.code(moment.code) if scheme else None
            labels[key] = schemes.localized(code.label) if code else moment.code
            entry = {"label": labels[key], "colour": code.colour if code else "#777777"}
            if code and code.analysis_only:
                entry["analysis_only"] = True
            codes.setdefault(moment.code, entry)
        row = {
            "id": moment.id,
            "start_ms": moment.start_ms,
            "code": moment.code,
            "actor": moment.actor,
            "author": moment.author_id,
            "version": moment.version,
        }
        if moment.end_ms is not None:
            row["end_ms"] = moment.end_ms
        if moment.note:
            row["note"] = moment.note
        if moment.tags:
            row["tags"] = list(moment.tags)
        if labels[key] != codes[moment.code]["label"]:
            row["code_label"] = labels[key]
        if moment.author_id == viewer_id:
            row["editable"] = True
        rows.append(row)
    author_ids = {moment.author_id for moment in moments}
    authors = {row.id: row.name for row in db.execute(select(User.id, User.name).where(User.id.in_(author_ids)))}
    return {"codes": codes, "authors": {str(i): name for i, name in sorted(authors.items())}, "moments": rows}
