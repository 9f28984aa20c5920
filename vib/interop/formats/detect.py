"""What kind of file an upload is, by its content (never by its name)."""

from __future__ import annotations

from vib.interop.formats import boris, eaf, table
from vib.interop.formats.model import FormatError, ParsedFile, _

READERS = {"eaf": eaf.read, "boris": boris.read, "csv": table.read_moments}


def kind_of(data: bytes) -> str:
    """eaf, boris or csv; FormatError for anything else (a video, a PDF, a WebVTT file ...)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "eaf"
    if b"\x00" in head:
        raise FormatError(_("This is not a file vib imports: give an ELAN file (.eaf), BORIS events (TSV/CSV) or vib's moments.csv."))
    text = data[:65536].decode("utf-8-sig", errors="replace")  # a cut may split a character
    if text.lstrip().startswith("WEBVTT"):
        raise FormatError(_("This is a WebVTT file: vib imports moments from ELAN, BORIS or vib's CSV."))
    for cells in table.table_rows("\n".join(text.splitlines()[:60])):
        names = {c.strip().lower() for c in cells}
        if boris.is_boris_header(cells):
            return "boris"
        if {"start_ms", "code"} <= names:
            return "csv"
    raise FormatError(_("This is not a file vib imports: give an ELAN file (.eaf), BORIS events (TSV/CSV) or vib's moments.csv."))


def read(data: bytes) -> ParsedFile:
    return READERS[kind_of(data)](data)
