"""WebVTT's small rules, shared by a clip's transcript (its captions) and the moments exported as
captions: the cue timestamp, and cue text that cannot end its cue early or be read as markup."""

from __future__ import annotations

import html


def timestamp(ms: int) -> str:
    """A cue time: HH:MM:SS.mmm."""
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def cue_text(text: str) -> str:
    """People's words as a cue's text: "<" and "&" as entities (else a player reads a tag), no "-->"
    and no blank line (either would end the cue)."""
    escaped = html.escape(text.replace("-->", "→"), quote=False)
    return "\n".join(line for line in escaped.splitlines() if line.strip())
