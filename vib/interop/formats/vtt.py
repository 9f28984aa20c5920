"""WebVTT, written with webvtt-py: cues for moment notes (code + note) and sent feedback (kind +
text), for a <track> in any player. A point gets a cue of POINT_CUE_MS."""

from __future__ import annotations

from webvtt import Caption, WebVTT

from vib.interop.formats.model import Cue
from vib.media.captions import cue_text, timestamp

POINT_CUE_MS = 2000


def write(cues: list[Cue]) -> bytes:
    document = WebVTT()
    for cue in sorted(cues, key=lambda c: (c.start_ms, c.end_ms)):
        document.captions.append(Caption(timestamp(cue.start_ms), timestamp(cue.end_ms), cue_text(cue.text) or " "))
    return document.content.encode("utf-8")
