"""Feedback language: sentence starters per kind, and the advisory hint when a text reads as a list
of faults. The words live in feedback_language.json (data an organisation may edit), not in code."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

DATA_FILE = Path(__file__).with_name("feedback_language.json")
LANGUAGES = ("nl", "en")

KIND_LABELS = {
    "strength": _l("Strength"),
    "effect": _l("Effect"),
    "question": _l("Question"),
    "next_step": _l("Next step"),
    "summary": _l("Summary"),
}
KIND_HELP = {
    "strength": _l("What goes well"),
    "effect": _l("What it brings about in the client"),
    "question": _l("An inviting question to the worker"),
    "next_step": _l("A learning point, phrased forward"),
    "summary": _l("The overall feedback"),
}


@cache
def _data() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def kind_labels() -> dict[str, str]:
    return {kind: str(label) for kind, label in KIND_LABELS.items()}


def starters(locale: str | None = None) -> dict[str, list[str]]:
    """Sentence starters per kind, in `locale` (default: the current one; English when unknown)."""
    language = _language(locale)
    return {kind: by_language.get(language) or by_language["en"] for kind, by_language in _data()["starters"].items()}


def fault_words() -> dict[str, list[str]]:
    return dict(_data()["fault_words"])


@cache
def _fault_pattern(language: str) -> re.Pattern:
    # Longest first, so "moet beter" is reported rather than "moet"; whole words only.
    words = sorted(_data()["fault_words"][language], key=len, reverse=True)
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)


def faults_in(text: str) -> list[str]:
    """The fault words or phrases in `text`, in either language, each once, in order of appearance."""
    found: list[tuple[int, str]] = []
    for language in LANGUAGES:
        found += [(m.start(), m.group(1).lower()) for m in _fault_pattern(language).finditer(text or "")]
    return list(dict.fromkeys(word for _, word in sorted(found)))


def hint_for(text: str) -> dict | None:
    """An advisory hint when `text` reads as a list of faults; None when it does not. Never a refusal."""
    words = faults_in(text)
    if not words:
        return None
    return {"words": words, "message": hint_message(", ".join(words))}


def hint_message(words: str) -> str:
    """The hint's text; the feedback panel passes "{words}" and fills it in while the supervisor types."""
    return gettext(
        "This reads as a list of faults (%(words)s). Say what goes well and what it brings about, and phrase a learning point forward, e.g. \u201c%(example)s\u201d",
        words=words,
        example=starters()["next_step"][0],
    )


def _language(locale: str | None) -> str:
    language = str(locale or get_locale() or "en").split("_")[0]
    return language if language in LANGUAGES else "en"
