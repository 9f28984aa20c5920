"""Clips as the API answers them."""

from __future__ import annotations

from dataclasses import fields

from flask import url_for

from vib.clips.hooks import clip_facts
from vib.clips.models import Clip
from vib.clips.operations import error_message
from vib.core import access
from vib.core.hooks import answers
from vib.media.probe import ClipFacts

# The facts probed at upload, one column each (see ClipFacts); pix_fmt and frame_count stay inside.
FACTS = [f.name for f in fields(ClipFacts) if f.name not in ("pix_fmt", "frame_count", "recorded_on")]


def clip_json(clip: Clip, viewer) -> dict:
    added = {key: value for extra in answers(clip_facts, clip) for key, value in extra.items()}
    return {
        "id": clip.id,
        "case_id": clip.case_id,
        "title": clip.title,
        "scheme_id": clip.scheme_id,
        "status": clip.status,
        "progress": clip.progress,
        "error": error_message(clip.error),
        **{name: getattr(clip, name) for name in FACTS},
        "size_bytes": clip.size_bytes,
        "created_at": clip.created_at.isoformat(),
        "recorded_on": clip.recorded_on.isoformat(),
        "cycle": clip.cycle,
        "filmstrip_ready": clip.filmstrip_ready,
        "filmstrip_failed": clip.filmstrip_failed,
        "media_refusal": access.refusal(viewer, "media", clip),
        "page_url": url_for("clips.clip_page", clip_id=clip.id),
        **added,
    }
