"""Moments as the API answers them."""

from __future__ import annotations

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
