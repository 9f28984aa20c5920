"""BORIS's tabular events (TSV): one row per event, a span as a START and a STOP row, a point as a
POINT row; Subject = the actor, Behavior = the code id, Modifiers = the tags, Comment = the note,
Time in seconds.

Reading also takes what older and newer BORIS versions export: the header row may follow lines of
observation facts, the status column may be "Status" or "Behavior type", the media column "Media
file", "Media file path" or "Media file name", the modifiers "Modifiers" or "Modifier 1", "Modifier
2", ...; aggregated events (STATE with "Start (s)" and "Stop (s)") are read too; TSV or CSV."""

from __future__ import annotations

from vib.interop.formats.model import ExportedClip, ExportedMoment, FormatError, ImportedRow, ParsedFile, _, ms_from_seconds
from vib.interop.formats.table import decode, table_rows, unsafe_cell, write_rows

COLUMNS = (
    "Observation id", "Media file", "Total length", "FPS", "Subject", "Behavior", "Behavioral category", "Modifiers", "Comment",
    "Status", "Time",
)  # fmt: skip
MODIFIER_SEPARATOR = "|"


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.3f}"


def write(clip: ExportedClip, moments: list[ExportedMoment]) -> bytes:
    observation = clip.media_file.rsplit(".", 1)[0]
    fps = f"{clip.fps:.3f}".rstrip("0").rstrip(".") if clip.fps else "NA"
    events = []
    for order, m in enumerate(moments):
        common = [m.actor, m.code, m.category, MODIFIER_SEPARATOR.join(m.tags)]
        if m.end_ms is None:
            events.append((m.start_ms, 0, order, [*common, m.note, "POINT", _seconds(m.start_ms)]))
        else:
            events.append((m.start_ms, 1, order, [*common, m.note, "START", _seconds(m.start_ms)]))
            events.append((m.end_ms, 0, order, [*common, "", "STOP", _seconds(m.end_ms)]))
    events.sort(key=lambda e: e[:3])  # at one time, stops before starts, as BORIS writes them
    rows = [[observation, clip.media_file, _seconds(clip.duration_ms), fps, *event[3]] for event in events]
    return write_rows(COLUMNS, rows, delimiter="\t")


# -- reading ---------------------------------------------------------------------------------------


def _column(header: list[str], *names: str) -> int | None:
    lowered = [h.strip().lower() for h in header]
    for name in names:
        if name.lower() in lowered:
            return lowered.index(name.lower())
    return None


def is_boris_header(cells: list[str]) -> bool:
    return _column(cells, "Behavior") is not None and (_column(cells, "Status", "Behavior type") is not None)


def read(data: bytes) -> ParsedFile:
    rows = table_rows(decode(data))
    header_at = next((i for i, cells in enumerate(rows) if is_boris_header(cells)), None)
    if header_at is None:
        raise FormatError(_("No BORIS header row: a row with the columns Behavior and Status (or Behavior type) is missing."))
    header = rows[header_at]
    col = {
        "subject": _column(header, "Subject"),
        "behavior": _column(header, "Behavior"),
        "category": _column(header, "Behavioral category"),
        "comment": _column(header, "Comment", "Comment start"),
        "status": _column(header, "Status", "Behavior type"),
        "time": _column(header, "Time"),
        "start": _column(header, "Start (s)"),
        "stop": _column(header, "Stop (s)"),
        "length": _column(header, "Total length", "Media duration (s)"),
    }
    if col["time"] is None and col["start"] is None:
        raise FormatError(_("The header has no column %(column)s."), f"line {header_at + 1}", column="Time")
    modifiers = [i for i, name in enumerate(header) if name.strip().lower() == "modifiers" or name.strip().lower().startswith("modifier ")]
    parsed = ParsedFile("boris")
    open_spans: dict[tuple[str, str], list[tuple[int, ImportedRow]]] = {}

    def cell(cells: list[str], name: str) -> str:
        index = col[name]
        return unsafe_cell(cells[index].strip()) if index is not None and index < len(cells) else ""

    for number, cells in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if not any(c.strip() for c in cells):
            continue
        where = f"line {number}"
        subject, behavior, status = cell(cells, "subject"), cell(cells, "behavior"), cell(cells, "status").upper()
        if not behavior:
            parsed.error(where, _("The event names no behavior."))
            continue
        tags = [t for i in modifiers if i < len(cells) for t in cells[i].replace(MODIFIER_SEPARATOR, " ").replace(",", " ").split()]
        if parsed.media_duration_ms is None and cell(cells, "length") not in ("", "NA"):
            try:
                parsed.media_duration_ms = ms_from_seconds(cell(cells, "length"), where)
            except FormatError:
                pass
        try:
            if status == "STATE" and col["start"] is not None:
                start, stop = ms_from_seconds(cell(cells, "start"), where), ms_from_seconds(cell(cells, "stop"), where)
            else:
                start = ms_from_seconds(cell(cells, "time") or cell(cells, "start"), where)
        except FormatError as error:
            parsed.errors.append(error.problem)
            continue
        code_values = [v for v in (behavior, cell(cells, "category")) if v][:1]
        actors = [subject] if subject else []
        if status == "POINT":
            parsed.rows.append(ImportedRow(where, start, None, code_values, actors, tags, cell(cells, "comment")))
        elif status == "STATE" and col["start"] is not None:
            if stop <= start:
                parsed.error(where, _("It ends before it starts."))
                continue
            parsed.rows.append(ImportedRow(where, start, stop, code_values, actors, tags, cell(cells, "comment")))
        elif status == "START":
            row = ImportedRow(where, start, None, code_values, actors, tags, cell(cells, "comment"))
            open_spans.setdefault((subject, behavior), []).append((start, row))
        elif status == "STOP":
            waiting = open_spans.get((subject, behavior))
            if not waiting:
                parsed.error(where, _("A STOP of %(behavior)s without a START before it."), behavior=behavior)
                continue
            _start, row = waiting.pop(0)
            if start <= row.start_ms:
                parsed.error(where, _("It ends before it starts."))
                continue
            row.end_ms = start
            if not row.note and cell(cells, "comment"):
                row.note = cell(cells, "comment")
            parsed.rows.append(row)
        else:
            parsed.error(where, _("The status %(status)s is not START, STOP or POINT."), status=status or "-")
    for (_subject, behavior), waiting in open_spans.items():
        for _start, row in waiting:
            parsed.error(row.where, _("A START of %(behavior)s without a STOP after it."), behavior=behavior)
    parsed.rows.sort(key=lambda r: (r.start_ms, r.where))
    return parsed
