"""What the formats write and read: plain data, made from (and turned into) moments by the caller."""

from __future__ import annotations

from dataclasses import dataclass, field


def _(message: str) -> str:
    """Marks a message for translation (pybabel finds `_`); the caller translates it with its params:
    this layer knows no Flask-Babel."""
    return message


@dataclass(frozen=True)
class Problem:
    """Why a row or a file cannot be read: `reason` is an English message with %(name)s params."""

    where: str
    reason: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ExportedMoment:
    """A moment as it leaves vib. `end_ms` is None for a point."""

    start_ms: int
    end_ms: int | None
    code: str
    label_nl: str
    label_en: str
    actor: str
    author: str = ""
    tags: tuple[str, ...] = ()
    note: str = ""
    category: str = ""  # the code's category (BORIS's "Behavioral category")
    clip: str = ""  # the clip's title (vib CSV)
    cycle: int | None = None  # the clip's VIB cycle (vib CSV)


@dataclass(frozen=True)
class ExportedCode:
    """A code of the clip's scheme, for ELAN's controlled vocabulary."""

    id: str
    label_nl: str
    label_en: str
    description_nl: str = ""
    description_en: str = ""


@dataclass(frozen=True)
class ExportedClip:
    """What a file says of the clip beside its moments. `media_file` is a neutral name (clip-12.mp4):
    no case code, no client's name."""

    media_file: str
    duration_ms: int
    fps: float | None = None
    scheme_id: str = "vib"
    scheme_label: str = ""
    codes: tuple[ExportedCode, ...] = ()


@dataclass(frozen=True)
class Cue:
    """A WebVTT cue: text shown from start to end."""

    start_ms: int
    end_ms: int
    text: str


@dataclass
class ImportedRow:
    """One annotation, event or row of an imported file, before it is matched to the clip's scheme.
    `where` names it for the report ("line 12", "annotation a7"). The code is found in the first of
    `code_values` that names a code; the actor in the first of `actor_values` that names an actor."""

    where: str
    start_ms: int
    end_ms: int | None
    code_values: list[str]
    actor_values: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    note: str = ""


@dataclass
class ParsedFile:
    """An imported file: its kind (eaf, boris, csv), its rows, the problems of single rows (the
    others can still be read) and what it says of the media."""

    kind: str
    rows: list[ImportedRow] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)  # rows left out that are no error (reported)
    clips: set[str] = field(default_factory=set)  # the clips a vib CSV names (a case's has several)
    media_duration_ms: int | None = None

    def error(self, where: str, reason: str, **params) -> None:
        self.errors.append(Problem(where, reason, params))

    def skip(self, where: str, reason: str, **params) -> None:
        self.skipped.append(Problem(where, reason, params))


class FormatError(ValueError):
    """A file that cannot be read at all (wrong kind, broken XML, no header): `where` names the line
    or element."""

    def __init__(self, reason: str, where: str = "", **params) -> None:
        super().__init__(f"{where}: {reason % params}" if where else reason % params)
        self.problem = Problem(where, reason, params)


def ms_from_seconds(text: str, where: str) -> int:
    """Seconds as text (12.345, or 12,345 from a Dutch spreadsheet) to whole ms."""
    try:
        value = float(text.strip().replace(",", "."))
    except (ValueError, AttributeError):
        raise FormatError(_("%(value)s is not a time in seconds."), where, value=text) from None
    if value != value or value < 0 or value > 10**7:  # NaN, negative, absurd
        raise FormatError(_("%(value)s is not a time in seconds."), where, value=text)
    return round(value * 1000)
