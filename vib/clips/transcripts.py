"""A clip's transcript: read from WebVTT or SRT, stored as cues, given back as WebVTT for `<track>`.

A cue is {start_ms, end_ms, speaker, text}: plain text (the file's markup removed), the speaker from
a WebVTT voice tag (`<v A>`), named through the uploader's `speakers` map ("A:worker,B:client").
Cues outside the clip are skipped and reported, never stored; a file that is not WebVTT or SRT, or
has a broken timing line, is refused with the line at fault and nothing is stored.
"""

from __future__ import annotations

import html
import io
import json
import re
from dataclasses import dataclass, field

import pysrt
import webvtt
from babel import Locale, UnknownLocaleError
from flask import url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from vib.clips.models import Clip, Transcript
from vib.core import audit
from vib.core.errors import FieldError
from vib.media.captions import cue_text, timestamp

# A transcript of an hour's conversation is some 100 kB; the server refuses a larger body than this
# before reading it (vib.core.uploads.body_limit).
MAX_BYTES = 1024 * 1024
MAX_CUES = 10_000
MAX_SPEAKER = 100

WEBVTT, SRT = "webvtt", "srt"
# WebVTT: [hh:]mm:ss.ttt --> [hh:]mm:ss.ttt [settings]; SRT: hh:mm:ss,ttt --> hh:mm:ss,ttt
_VTT_TIMING = re.compile(r"^\s*(?:\d{1,10}:)?\d{2}:\d{2}\.\d{3}\s+-->\s+(?:\d{1,10}:)?\d{2}:\d{2}\.\d{3}(?:\s+.*)?$")
_SRT_TIMING = re.compile(r"^\s*\d{1,3}:\d{1,2}:\d{1,2}[,.]\d{1,3}\s+-->\s+\d{1,3}:\d{1,2}:\d{1,2}[,.]\d{1,3}(?:\s+.*)?$")
# A line that tries to be a cue timing (a time to the millisecond, then a dash or an arrow): checked
# against the format, since the parsers silently drop a cue whose timing they cannot read. ("10:30 -
# we agreed" in a cue's text is no timing.)
_LOOKS_TIMED = re.compile(r"^\s*(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}\s*(?:-|–|—|>)")
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")  # HTML-like tags, and SRT's {\an8} position marks
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")  # BCP 47, the common part


class TranscriptError(FieldError):
    """A transcript file that cannot be read: the answer names the line (1-based) at fault."""

    def __init__(self, message, line: int | None = None, field: str = "file", status: int | None = None) -> None:
        super().__init__(message, field, status)
        self.line = line

    def details(self) -> dict:
        return {**super().details(), **({"line": self.line} if self.line else {})}


@dataclass
class Reading:
    """What a file held: the cues kept (time order) and those skipped, with why."""

    cues: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)  # {cue: its number in the file, reason}


def parse_speakers(raw: str | None) -> dict[str, str]:
    """The voice → speaker map: "A:worker,B:client" or a JSON object {"A": "worker"}."""
    if raw is None or not raw.strip():
        return {}
    raw = raw.strip()
    if raw.startswith("{"):
        try:
            pairs = json.loads(raw)
        except ValueError:
            pairs = None
        if not isinstance(pairs, dict) or not all(isinstance(v, str) for v in pairs.values()):
            raise FieldError(_l("speakers must be a JSON object of texts, or pairs like A:worker,B:client."), "speakers")
        items = list(pairs.items())
    else:
        items = []
        for pair in raw.split(","):
            voice, colon, name = pair.partition(":")
            if not colon or not voice.strip() or not name.strip():
                raise FieldError(_l("speakers must be pairs like A:worker,B:client."), "speakers")
            items.append((voice, name))
    speakers = {voice.strip(): name.strip() for voice, name in items}
    if any(len(name) > MAX_SPEAKER or len(voice) > MAX_SPEAKER for voice, name in speakers.items()):
        raise FieldError(_l("A speaker's name may be at most %(n)d characters.", n=MAX_SPEAKER), "speakers")
    return speakers


def check_language(raw: str | None) -> str:
    if not raw or not _LANGUAGE.match(raw.strip()) or len(raw.strip()) > 35:
        raise FieldError(_l("Say the transcript's language as a language tag, such as nl or en."), "language")
    return raw.strip()


def decode(data: bytes) -> str:
    """Text of the file: UTF-8 (with or without BOM), else Windows-1252, which older SRT files use."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TranscriptError(_l("The transcript is not text (UTF-8)."), line=1)


def kind_of(text: str) -> str:
    """WebVTT or SRT, by content (the file's name says nothing reliable)."""
    lines = text.splitlines()
    first = next((number for number, line in enumerate(lines, 1) if line.strip()), None)
    if first is None:
        raise TranscriptError(_l("The transcript is empty."), line=1)
    if re.match(r"^WEBVTT(?:[ \t].*)?$", lines[first - 1].rstrip()):
        return WEBVTT
    if any(_SRT_TIMING.match(line) for line in lines[first - 1 : first + 2]):
        return SRT
    raise TranscriptError(_l("This is not a WebVTT or SRT file: line %(line)d is neither.", line=first), line=first)


def read(text: str, clip: Clip, speakers: dict[str, str]) -> Reading:
    """The cues of a WebVTT or SRT text that lie within the clip."""
    kind = kind_of(text)
    timing = _VTT_TIMING if kind == WEBVTT else _SRT_TIMING
    for number, line in enumerate(text.splitlines(), 1):
        if ("-->" in line or _LOOKS_TIMED.match(line)) and not timing.match(line):
            raise TranscriptError(_l("Line %(line)d is not a valid cue timing (start --> end).", line=number), line=number)
    raw = _webvtt_cues(text) if kind == WEBVTT else _srt_cues(text)
    if len(raw) > MAX_CUES:
        raise TranscriptError(_l("A transcript may hold at most %(n)d cues.", n=MAX_CUES))
    reading = Reading()
    for number, (start_ms, end_ms, voice, text_) in enumerate(raw, 1):
        reason = _outside(start_ms, end_ms, clip.duration_ms) or (None if text_ else _l("it has no text"))
        if reason:
            reading.skipped.append({"cue": number, "reason": str(reason)})
            continue
        speaker = speakers.get(voice, voice) if voice else None
        reading.cues.append({"start_ms": start_ms, "end_ms": min(end_ms, clip.duration_ms), "speaker": speaker, "text": text_})
    if not raw:
        raise TranscriptError(_l("The transcript holds no cues."))
    if not reading.cues:
        raise TranscriptError(_l("None of the transcript's cues lies within the clip (%(s)d s long).", s=clip.duration_ms // 1000))
    reading.cues.sort(key=lambda cue: (cue["start_ms"], cue["end_ms"]))
    return reading


def _outside(start_ms: int, end_ms: int, duration_ms: int):
    if end_ms <= start_ms:
        return _l("it ends before it starts")
    if start_ms >= duration_ms:
        return _l("it starts after the clip ends")
    return None


def _webvtt_cues(text: str) -> list[tuple[int, int, str | None, str]]:
    try:
        captions = webvtt.WebVTT.from_buffer(io.StringIO(text)).captions
    except webvtt.errors.MalformedFileError as exc:
        raise TranscriptError(_l("The WebVTT file could not be read: %(why)s.", why=str(exc))) from None
    return [(_ms(c.start_time), _ms(c.end_time), c.voice, _plain(c.text)) for c in captions]


def _srt_cues(text: str) -> list[tuple[int, int, str | None, str]]:
    try:
        items = pysrt.from_string(text, error_handling=pysrt.ERROR_RAISE)
    except pysrt.Error as exc:
        line = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
        raise TranscriptError(_l("The SRT file could not be read near line %(line)s.", line=line or "?"), line=line) from None
    return [(item.start.ordinal, item.end.ordinal, None, _plain(_TAG.sub("", item.text))) for item in items]


def _ms(timestamp) -> int:
    return ((timestamp.hours * 60 + timestamp.minutes) * 60 + timestamp.seconds) * 1000 + timestamp.milliseconds


def _plain(text: str) -> str:
    return " ".join(html.unescape(text).split())


# -- stored ----------------------------------------------------------------------------------------


def transcript_of(db: Session, clip: Clip) -> Transcript | None:
    return db.scalar(select(Transcript).where(Transcript.clip_id == clip.id))


def store(db: Session, clip: Clip, data: bytes, language: str | None, speakers: str | None, by, role: str) -> tuple[Transcript, Reading]:
    """Read the file and make it the clip's transcript, replacing the one it had (flushes only)."""
    language = check_language(language)
    speaker_map = parse_speakers(speakers)
    reading = read(decode(data), clip, speaker_map)
    remove(db, clip)
    transcript = Transcript(clip_id=clip.id, language=language, cues=reading.cues, uploaded_by_id=getattr(by, "id", None))
    db.add(transcript)
    audit.record(db, by, "transcript.upload", "clip", clip.id, role, detail=f"cues={len(reading.cues)} skipped={len(reading.skipped)}")
    db.flush()
    return transcript, reading


def remove(db: Session, clip: Clip) -> int:
    """Delete the clip's transcript; how many there were (0 or 1)."""
    result = db.execute(delete(Transcript).where(Transcript.clip_id == clip.id), execution_options={"synchronize_session": "fetch"})
    return result.rowcount or 0


def delete_transcript(db: Session, clip: Clip, by, role: str) -> bool:
    if not remove(db, clip):
        return False
    audit.record(db, by, "transcript.delete", "clip", clip.id, role)
    db.flush()
    return True


def as_webvtt(transcript: Transcript) -> str:
    """The transcript as a WebVTT file, speakers as voice tags (and named before their words)."""
    return as_webvtt_cues(transcript.cues)


def as_webvtt_cues(cues: list[dict]) -> str:
    """Players show a voice tag's text, not its name: the speaker is also written before the words,
    so that captions say who speaks."""
    captions = webvtt.WebVTT()
    for cue in cues:
        text = cue_text(cue["text"])
        if cue.get("speaker"):
            speaker = html.escape(cue["speaker"], quote=False)
            text = f"<v {speaker.replace('>', '')}>{speaker}: {text}"
        captions.captions.append(webvtt.Caption(timestamp(cue["start_ms"]), timestamp(cue["end_ms"]), text))
    return captions.content


def language_label(language: str) -> str:
    """The language's name in the reader's language ("Nederlands", "Dutch"), for the track's label."""
    try:
        return Locale.parse(language.replace("-", "_")).get_display_name(str(get_locale() or "en")) or language
    except (ValueError, UnknownLocaleError):
        return language


def captions_for(db: Session, clip: Clip) -> dict | None:
    """What a player of the clip needs for its captions track: the transcript's language, its label
    and URLs; None without a transcript. Only for pages that show the clip's video, which access allowed."""
    transcript = transcript_of(db, clip)
    if transcript is None:
        return None
    return {
        "language": transcript.language,
        "label": language_label(transcript.language),
        "src": url_for("clips.api_transcript_vtt", clip_id=clip.id),
        "json": url_for("clips.api_transcript", clip_id=clip.id),
    }


def transcript_json(transcript: Transcript) -> dict:
    return {
        "clip_id": transcript.clip_id,
        "language": transcript.language,
        "label": language_label(transcript.language),
        "cues": transcript.cues,
        "created_at": transcript.created_at.isoformat(),
    }
