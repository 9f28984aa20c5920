"""WebVTT, written with webvtt-py: cues for moment notes (code + note) and sent feedback (kind +
text), for a <track> in any player. A point gets a cue of POINT_CUE_MS."""

from __future__ import annotations

from webvtt import Caption, WebVTT

from vib.interop.formats.model import Cue

POINT_CUE_MS = 2000


def timestamp(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def write(cues: list[Cue]) -> bytes:
    document = WebVTT()
    for cue in sorted(cues, key=lambda c: (c.start_ms, c.end_ms)):
        # "-->" in a cue's text would end it early; a blank line would end the cue.
        text = "\n".join(line for line in cue.text.replace("-->", "→").splitlines() if line.strip())
        document.captions.append(Caption(timestamp(cue.start_ms), timestamp(cue.end_ms), text or " "))
    return document.content.encode("utf-8")
