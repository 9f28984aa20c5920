"""Code-scheme files: parse and validate the text of one (format: annotations/README.md).

Pure on purpose (no Flask, no database) so the importer, the CLI and the tests share one set of rules.
Errors name the line in the file, because the people fixing a scheme file edit it by hand.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from json_source_map import calculate
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match


def _annotations_dir() -> Path:
    """annotations/ beside the package (a checkout, an editable install) or, from a wheel, where
    pyproject's data-files put it."""
    beside = Path(__file__).resolve().parents[2] / "annotations"
    return beside if beside.is_dir() else Path(sys.prefix) / "share" / "vib" / "annotations"


ANNOTATIONS_DIR = _annotations_dir()
SCHEMA_PATH = ANNOTATIONS_DIR / "schema.json"
SCHEMA: dict = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
_VALIDATOR = Draft202012Validator(SCHEMA)

# j, k and l move the video; n (Shift+n) and x walk and dismiss the suggestions from the sound.
RESERVED_HOTKEYS = frozenset("jklnx")
# Fields a subcode takes from its parent when it does not set them itself.
INHERITED = ("actor", "colour", "analysis_only", "stats_role")


class SchemeFormatError(ValueError):
    def __init__(self, reason: str, line: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.line = line  # 1-based, when known

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" if self.line else self.reason


@dataclass(frozen=True)
class SchemeCode:
    id: str
    parent: str | None
    label: dict[str, str]
    definition: dict[str, str] | None
    category: dict[str, str] | None
    level: int | None
    actor: str
    colour: str
    hotkey: str | None
    analysis_only: bool
    stats_role: str | None
    source_confidence: str | None


# Key order of a code in the file, used when writing the canonical document.
_CODE_FIELDS = (
    "id",
    "label",
    "definition",
    "category",
    "level",
    "actor",
    "colour",
    "hotkey",
    "analysis_only",
    "stats_role",
    "source_confidence",
)


@dataclass(frozen=True)
class SchemeDefinition:
    id: str
    version: int
    label: dict[str, str]
    description: dict[str, str] | None
    source: str | None
    codes: tuple[SchemeCode, ...]  # each top-level code followed by its subcodes, inheritance resolved

    def code(self, code_id: str) -> SchemeCode | None:
        return next((code for code in self.codes if code.id == code_id), None)

    def as_document(self) -> dict:
        """The scheme as a file would say it, without "$schema" and without values that are defaults
        or inherited, so two files meaning the same thing give equal documents."""
        document = {
            "id": self.id,
            "version": self.version,
            "label": dict(self.label),
            "description": _copy(self.description),
            "source": self.source,
            "codes": [],
        }
        for code in self.codes:
            if code.parent is None:
                document["codes"].append(_code_document(code, None))
            else:  # subcodes follow their parent, so the parent is the last code written
                document["codes"][-1].setdefault("subcodes", []).append(_code_document(code, self.code(code.parent)))
        return {key: value for key, value in document.items() if value is not None}


def _copy(value):
    return dict(value) if isinstance(value, dict) else value


def _code_document(code: SchemeCode, parent: SchemeCode | None) -> dict:
    document = {field: _copy(getattr(code, field)) for field in _CODE_FIELDS}
    if parent is None:
        document["analysis_only"] = code.analysis_only or None  # false is the default
    else:
        for field in INHERITED:
            if document[field] == getattr(parent, field):
                document[field] = None
    return {key: value for key, value in document.items() if value is not None}


def load_scheme_file(path) -> SchemeDefinition:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SchemeFormatError(f"cannot read {path}: {error.strerror}") from None
    try:
        text = data.decode("utf-8-sig")  # tolerate the byte-order mark some Windows editors write
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SchemeFormatError(f"{path.name} is not UTF-8 text", line) from None
    return parse_scheme(text)


def parse_scheme(text: str, *, stored: bool = False) -> SchemeDefinition:
    """A scheme file's definition, or SchemeFormatError with the line. `stored`: a version read back from
    the database. It was valid when it was stored; a key reserved since then (n and x came with the
    suggestions) is left out, so that its code has no key rather than one the page gives to another use."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise SchemeFormatError("the file is empty")
    try:
        document = json.loads(text, object_pairs_hook=_refuse_duplicate_keys)
    except json.JSONDecodeError as error:
        raise SchemeFormatError(f"not valid JSON: {error.msg}", error.lineno) from None
    error = best_match(_VALIDATOR.iter_errors(document))
    if error is not None:
        raise _schema_error(text, error)
    _check_rules(text, document, reserved=frozenset() if stored else RESERVED_HOTKEYS)
    return _build(document, without_keys=RESERVED_HOTKEYS if stored else frozenset())


def _refuse_duplicate_keys(pairs: list) -> dict:
    # json.loads would silently keep the last of two equal keys, hiding a typo in the file.
    keys = [key for key, _ in pairs]
    for key in keys:
        if keys.count(key) > 1:
            raise SchemeFormatError(f"key '{key}' appears twice in the same object")
    return dict(pairs)


def _schema_error(text: str, error) -> SchemeFormatError:
    path = list(error.absolute_path)
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path).lstrip(".")
    reason = f"{where}: {error.message}" if where else error.message
    if error.validator == "additionalProperties":  # point at the unknown key, not at its object
        allowed = error.schema.get("properties", {})
        path.append(next(key for key in error.instance if key not in allowed))
    return SchemeFormatError(reason, _line(text, path))


def _line(text: str, path) -> int | None:
    pointer = "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)
    entry = calculate(text).get(pointer)
    if entry is None:
        return None
    return (entry.key_start or entry.value_start).line + 1  # the source map counts lines from 0


def _check_rules(text: str, document: dict, reserved: frozenset[str]) -> None:
    """The rules JSON Schema cannot express."""
    code_paths: dict[str, tuple] = {}
    hotkey_owners: dict[str, str] = {}
    for index, top in enumerate(document["codes"]):
        entries = [(("codes", index), top, None)]
        entries += [(("codes", index, "subcodes", sub), code, top["id"]) for sub, code in enumerate(top.get("subcodes", []))]
        for path, code, parent in entries:
            code_id, hotkey = code["id"], code.get("hotkey")
            if parent is not None and not code_id.startswith(parent + "."):
                raise SchemeFormatError(
                    f"subcode id '{code_id}' must start with its parent's id followed by a dot ('{parent}.')", _line(text, (*path, "id"))
                )
            if code_id in code_paths:
                raise SchemeFormatError(f"code id '{code_id}' is used twice", _line(text, (*path, "id")))
            code_paths[code_id] = path
            if hotkey in reserved:
                raise SchemeFormatError(
                    f"hotkey '{hotkey}' of {code_id} is reserved: the coding page moves the video with j, k and l, and walks the suggestions with n and x",
                    _line(text, (*path, "hotkey")),
                )
            if hotkey in hotkey_owners:
                raise SchemeFormatError(
                    f"hotkey '{hotkey}' is used by both {hotkey_owners[hotkey]} and {code_id}", _line(text, (*path, "hotkey"))
                )
            if hotkey is not None:
                hotkey_owners[hotkey] = code_id


def _build(document: dict, without_keys: frozenset[str]) -> SchemeDefinition:
    codes: list[SchemeCode] = []
    for top in document["codes"]:
        parent = _code(top, None, without_keys)
        codes.append(parent)
        codes.extend(_code(sub, parent, without_keys) for sub in top.get("subcodes", []))
    return SchemeDefinition(
        id=document["id"],
        version=int(document["version"]),  # JSON Schema also accepts 1.0 as an integer
        label=document["label"],
        description=document.get("description"),
        source=document.get("source"),
        codes=tuple(codes),
    )


def _code(fields: dict, parent: SchemeCode | None, without_keys: frozenset[str]) -> SchemeCode:
    def inherited(name: str, default=None):
        return fields.get(name, getattr(parent, name) if parent else default)

    return SchemeCode(
        id=fields["id"],
        parent=parent.id if parent else None,
        label=fields["label"],
        definition=fields.get("definition"),
        category=fields.get("category"),
        level=int(fields["level"]) if "level" in fields else None,
        actor=inherited("actor"),
        colour=inherited("colour"),
        hotkey=None if fields.get("hotkey") in without_keys else fields.get("hotkey"),
        analysis_only=inherited("analysis_only", False),
        stats_role=inherited("stats_role"),
        source_confidence=fields.get("source_confidence"),
    )
