"""What depends on a recording and on each consent purpose: the registry higher features fill.

The privacy feature sits below the features that derive data from a clip (coding, supervision, and
later the library, meetings, exports). Each of them registers here, when it is imported, what it keeps
of a clip and how to delete it, what to do when a purpose is withdrawn, and what it adds to a case's
data export. Deleting a clip, a withdrawal and an export then reach everything without importing it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from vib.cases.models import PURPOSES, Case
from vib.clips.models import Clip

# delete(db, clip) removes the feature's rows about the clip (flushes, never commits) and returns
# what it removed, counted by name ({"moments": 3}).
ClipDeleter = Callable[[Session, Clip], dict[str, int]]
# storage_prefixes(clip): folders in storage that hold the feature's files made from the clip.
ClipFiles = Callable[[Clip], list[str]]
# on_withdrawal(db, case, person, by): a person withdrew the purpose; `by` is who recorded it.
WithdrawalHandler = Callable[[Session, Case, str, object], None]


@dataclass
class ExportPart:
    """A feature's part of a case's data export: `data` goes into case.json under the part's name;
    `files` are extra files of the ZIP (name → bytes), e.g. moments.csv; the export's audit.csv also
    holds the rows about `audit_objects` (object type → ids)."""

    data: object
    files: dict[str, bytes] = field(default_factory=dict)
    audit_objects: dict[str, list[int]] = field(default_factory=dict)  # the audit.csv rows about these objects


Exporter = Callable[[Session, Case], ExportPart]
# expire(db, now, dry_run): delete (or, dry, only name) what the feature keeps past its own retention
# date (a library fragment's expiry); answers one line per item, e.g. "fragment 3: expired 2031-12-01".
Expirer = Callable[[Session, datetime, bool], list[str]]


@dataclass
class Registration:
    name: str
    delete: ClipDeleter | None = None
    files: ClipFiles | None = None


CLIP_DEPENDENTS: list[Registration] = []
WITHDRAWAL_HANDLERS: dict[str, list[tuple[str, WithdrawalHandler]]] = {purpose: [] for purpose in PURPOSES}
EXPORTERS: list[tuple[str, Exporter]] = []
EXPIRERS: list[tuple[str, Expirer]] = []


def clip_dependent(name: str, delete: ClipDeleter | None = None, files: ClipFiles | None = None) -> None:
    """Register what feature `name` keeps of a clip. Registering a name again replaces it."""
    _replace(CLIP_DEPENDENTS, name, Registration(name, delete, files), key=lambda r: r.name)


def on_withdrawal(purpose: str, name: str, handler: WithdrawalHandler) -> None:
    """Call `handler` when a person of a case withdraws `purpose`, in the same transaction."""
    if purpose not in WITHDRAWAL_HANDLERS:
        raise ValueError(f"unknown purpose {purpose!r}")
    _replace(WITHDRAWAL_HANDLERS[purpose], name, (name, handler), key=lambda entry: entry[0])


def exporter(name: str, export: Exporter) -> None:
    """Add the part `name` to every case's data export."""
    _replace(EXPORTERS, name, (name, export), key=lambda entry: entry[0])


def expirer(name: str, expire: Expirer) -> None:
    """Let the daily purge (and `vib purge`) delete what `name` keeps past its own retention date."""
    _replace(EXPIRERS, name, (name, expire), key=lambda entry: entry[0])


def unregister(name: str) -> None:
    """Forget everything `name` registered (tests register fakes)."""
    CLIP_DEPENDENTS[:] = [r for r in CLIP_DEPENDENTS if r.name != name]
    for handlers in WITHDRAWAL_HANDLERS.values():
        handlers[:] = [entry for entry in handlers if entry[0] != name]
    EXPORTERS[:] = [entry for entry in EXPORTERS if entry[0] != name]
    EXPIRERS[:] = [entry for entry in EXPIRERS if entry[0] != name]


def _replace(entries: list, name: str, entry, key) -> None:
    for index, existing in enumerate(entries):
        if key(existing) == name:
            entries[index] = entry
            return
    entries.append(entry)
