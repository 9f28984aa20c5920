"""Code schemes: the shipped ones in annotations/, imported ones, and which one a clip is coded with.

Every version of a scheme that was ever offered is stored in the database and never changed, so a
moment's (scheme, version, code) keeps its meaning when a scheme file is edited later. The shipped
files are copied in on first use; an edited file with the same version is not taken over (a warning
says to raise the version).
"""

from __future__ import annotations

import json
import logging
from functools import cache
from pathlib import Path

from flask import current_app
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vib.core.errors import UserError, text_or_none
from vib.schemes.format import ANNOTATIONS_DIR, SchemeDefinition, SchemeFormatError, load_scheme_file, parse_scheme
from vib.schemes.models import ACTORS, CodeScheme

log = logging.getLogger(__name__)

BUILTIN_DIR = ANNOTATIONS_DIR

# Tags are the same for every scheme: features (strength moments, stills, the library) rely on them.
MOMENT_TAGS = {
    "better_than_usual": _l("Better than usual (strength moment)"),
    "learning_question": _l("Linked to the learning question"),
    "still": _l("Use as still"),
    "library_candidate": _l("Library candidate"),
}
ACTOR_LABELS = {
    "worker": _l("Worker"),
    "client": _l("Client"),
    "other": _l("Other participant"),
    "both": _l("Both"),
}
if tuple(ACTOR_LABELS) != ACTORS:
    raise RuntimeError("ACTOR_LABELS must name every actor, in order")

_definitions: dict[tuple[str, int], SchemeDefinition] = {}  # stored versions never change: cache them
_compared: set[tuple[str, int]] = set()  # shipped versions whose stored content was checked


class SchemeError(UserError):
    pass


def builtin_files() -> list[Path]:
    return sorted(p for p in BUILTIN_DIR.glob("*.json") if p.name != "schema.json")


@cache
def builtin_schemes() -> tuple[SchemeDefinition, ...]:
    """The shipped schemes, read once per process."""
    return tuple(load_scheme_file(path) for path in builtin_files())


def store_builtin_schemes(db: Session) -> bool:
    """Store each shipped scheme version that the database does not have yet; True when it stored one.
    A shipped file changed without a new version is not taken over: a warning says to raise it."""
    stored = {(scheme_id, version) for scheme_id, version in db.execute(select(CodeScheme.scheme_id, CodeScheme.version))}
    missing = False
    for definition in builtin_schemes():
        key = (definition.id, definition.version)
        if key not in stored:
            db.add(CodeScheme(scheme_id=definition.id, version=definition.version, document=definition.as_document(), origin="builtin"))
            missing = True
        elif key not in _compared:  # the stored content is compared once per process, not per page
            _compared.add(key)
            if _stored(db, *key).document != definition.as_document():
                log.warning(
                    "annotations/ %s changed without a new version; version %s as first stored stays in use: raise its version", *key
                )
    if missing:
        db.flush()
    return missing


def import_scheme(db: Session, text: str) -> tuple[SchemeDefinition, bool]:
    """Store a scheme file's version; False when exactly that version is already there."""
    try:
        definition = parse_scheme(text)
    except SchemeFormatError as error:
        raise SchemeError(str(error)) from error
    store_builtin_schemes(db)
    stored = _stored(db, definition.id, definition.version)
    if stored is not None:
        if stored.document != definition.as_document():
            raise SchemeError(
                _l(
                    "Version %(version)d of %(scheme)s already exists with other content: raise the version.",
                    version=definition.version,
                    scheme=definition.id,
                ),
                status=409,
            )
        return definition, False
    db.add(CodeScheme(scheme_id=definition.id, version=definition.version, document=definition.as_document(), origin="import"))
    db.flush()
    return definition, True


def _stored(db: Session, scheme_id: str, version: int) -> CodeScheme | None:
    return db.scalar(select(CodeScheme).where(CodeScheme.scheme_id == scheme_id, CodeScheme.version == version))


def get_scheme(db: Session, scheme_id: str, version: int | None = None) -> SchemeDefinition | None:
    """A stored scheme version; the newest one when no version is given."""
    if version is not None and (scheme_id, version) in _definitions:
        return _definitions[(scheme_id, version)]
    found = _lookup(db, scheme_id, version)
    if found is None and store_builtin_schemes(db):  # a new database: the shipped schemes come first
        found = _lookup(db, scheme_id, version)
    return found


def _lookup(db: Session, scheme_id: str, version: int | None) -> SchemeDefinition | None:
    if version is None:
        version = db.scalar(select(func.max(CodeScheme.version)).where(CodeScheme.scheme_id == scheme_id))
        if version is None:
            return None
    key = (scheme_id, version)
    if key not in _definitions:
        stored = _stored(db, scheme_id, version)
        if stored is None:
            return None
        _definitions[key] = parse_scheme(json.dumps(stored.document), stored=True)
    return _definitions[key]


def latest_schemes(db: Session) -> list[SchemeDefinition]:
    store_builtin_schemes(db)
    ids = db.scalars(select(CodeScheme.scheme_id).distinct().order_by(CodeScheme.scheme_id)).all()
    return [get_scheme(db, scheme_id) for scheme_id in ids]


def default_scheme_id() -> str:
    return current_app.config["VIB_DEFAULT_SCHEME"]


def chosen_scheme(db: Session, *choices: str | None) -> SchemeDefinition:
    """The newest version of the first scheme chosen (a clip's choice, then its case's, ...), else the
    organisation's default."""
    for scheme_id in (*choices, default_scheme_id()):
        if scheme_id and (scheme := get_scheme(db, scheme_id)) is not None:
            return scheme
    raise SchemeError(_l("No code scheme is available: ask the administrator to import one."), status=500)


def check_scheme_choice(db: Session, scheme_id: str | None) -> str | None:
    """A scheme id a case or clip may choose (None or "" means: the default)."""
    if not text_or_none(scheme_id, "scheme"):
        return None
    if get_scheme(db, scheme_id) is None:
        raise SchemeError(_l("There is no code scheme %(scheme)s.", scheme=scheme_id))
    return scheme_id


def scheme_choices(db: Session) -> list[tuple[str, str]]:
    """(id, label) of the schemes a case or clip can choose; "" stands for the default."""
    offered = latest_schemes(db)
    default = next((s for s in offered if s.id == default_scheme_id()), None)
    label = (
        gettext("Organisation's default (%(scheme)s)", scheme=localized(default.label)) if default else gettext("Organisation's default")
    )
    return [("", label)] + [(s.id, localized(s.label)) for s in offered]


# -- in the user's language -------------------------------------------------------------------


def localized(text: dict[str, str] | None) -> str | None:
    if not text:
        return None
    return text.get(str(get_locale())) or text.get("en") or next(iter(text.values()))


def code_json(code) -> dict:
    return {
        "id": code.id,
        "parent": code.parent,
        "label": localized(code.label),
        "definition": localized(code.definition),
        "category": localized(code.category),
        "level": code.level,
        "actor": code.actor,
        "colour": code.colour,
        "hotkey": code.hotkey,
        "analysis_only": code.analysis_only,
        "stats_role": code.stats_role,
    }


def scheme_summary(scheme: SchemeDefinition) -> dict:
    return {
        "id": scheme.id,
        "version": scheme.version,
        "label": localized(scheme.label),
        "description": localized(scheme.description),
        "default": scheme.id == default_scheme_id(),
        "code_count": len(scheme.codes),
    }


def scheme_json(scheme: SchemeDefinition) -> dict:
    return {
        **scheme_summary(scheme),
        "source": scheme.source,
        "codes": [code_json(code) for code in scheme.codes],
        "tags": [{"id": tag, "label": str(label)} for tag, label in MOMENT_TAGS.items()],
        "actors": [{"id": actor, "label": str(label)} for actor, label in ACTOR_LABELS.items()],
    }
