"""Tables: vib's own CSV (one row per moment, and figures.csv) and the helpers BORIS shares with it.

Written as UTF-8 with a byte order mark, so that Excel opens Dutch text right. A text cell that
starts with = + - @ (or a tab or carriage return) gets a leading apostrophe: a spreadsheet would
otherwise run a note as a formula (CSV injection). Reading takes the apostrophe off again."""

from __future__ import annotations

import csv
import io

from vib.interop.formats.model import ExportedMoment, FormatError, ImportedRow, ParsedFile, _

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = ("clip", "cycle", "start_ms", "end_ms", "duration_ms", "code", "label", "actor", "author", "tags", "note")
TAG_SEPARATOR = " "


def safe_cell(value) -> str:
    """A cell a spreadsheet shows as text, never runs."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unsafe_cell(text: str) -> str:
    """The value a cell stood for: safe_cell's apostrophe taken off."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def write_rows(header: tuple[str, ...] | list[str], rows: list[list], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([value if isinstance(value, int | float) else safe_cell(value) for value in row])
    return (BOM + out.getvalue()).encode("utf-8")


def write_moments(moments: list[ExportedMoment], language: str = "nl") -> bytes:
    rows = []
    for m in moments:
        duration = "" if m.end_ms is None else m.end_ms - m.start_ms
        label = m.label_nl if language == "nl" else m.label_en
        rows.append(
            [m.clip, "" if m.cycle is None else m.cycle, m.start_ms, "" if m.end_ms is None else m.end_ms, duration, m.code, label, m.actor,
             m.author, TAG_SEPARATOR.join(m.tags), m.note]
        )  # fmt: skip
    return write_rows(COLUMNS, rows)


def flatten(figures: dict, prefix: str = "") -> list[tuple[str, object]]:
    """The /stats answer as (key, value) rows: nested keys joined with dots, list items by index."""
    rows: list[tuple[str, object]] = []
    for key, value in figures.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows.extend(flatten(value, f"{name}."))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    rows.extend(flatten(item, f"{name}.{index}."))
                else:
                    rows.append((f"{name}.{index}", item))
        else:
            rows.append((name, "" if value is None else value))
    return rows


def write_figures(figures: dict) -> bytes:
    return write_rows(("figure", "value"), [list(row) for row in flatten(figures)])


# -- reading ---------------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """Text of an uploaded table: UTF-8 (with or without BOM), else Windows-1252 (an old Excel)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            raise FormatError(_("The file is not text (UTF-8 or Windows-1252).")) from None


def sniff_delimiter(line: str) -> str:
    return max(("\t", ";", ","), key=line.count)


def table_rows(text: str) -> list[list[str]]:
    """The rows of a delimited text, the delimiter guessed from the first lines."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        return list(csv.reader(io.StringIO(text), delimiter=sniff_delimiter(first)))
    except csv.Error as error:
        raise FormatError(_("The table is broken (%(detail)s)."), detail=str(error)) from None


def read_moments(data: bytes) -> ParsedFile:
    """vib's moments.csv (the columns of COLUMNS; label, duration, author, clip and cycle are ignored)."""
    rows = table_rows(decode(data))
    if not rows:
        raise FormatError(_("The file is empty."))
    header = [name.strip().lower() for name in rows[0]]
    missing = [name for name in ("start_ms", "code") if name not in header]
    if missing:
        raise FormatError(_("The header has no column %(column)s."), "line 1", column=missing[0])
    parsed = ParsedFile("csv")
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        record = {name: unsafe_cell(cells[i].strip()) if i < len(cells) else "" for i, name in enumerate(header)}
        where = f"line {number}"
        start, end = record.get("start_ms", ""), record.get("end_ms", "")
        if not start.isdigit() or (end and not end.isdigit()):
            parsed.error(where, _("start_ms and end_ms are whole numbers of ms (end_ms empty for a point)."))
            continue
        if end and int(end) <= int(start):
            parsed.error(where, _("It ends before it starts."))
            continue
        tags = record.get("tags", "").replace(",", " ").split()
        if record.get("clip") or record.get("cycle"):
            parsed.clips.add(f"{record.get('clip', '')}\x00{record.get('cycle', '')}")
        parsed.rows.append(
            ImportedRow(where, int(start), int(end) if end else None, [v for v in (record.get("code"), record.get("label")) if v],
                        [v for v in (record.get("actor"),) if v], tags, record.get("note", ""))
        )  # fmt: skip
    return parsed
