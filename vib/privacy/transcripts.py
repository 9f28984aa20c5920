"""Transcripts in the privacy lifecycle: what was said in a clip goes with the clip, and a case's
export holds it. Transcripts are clip data (vib.clips), below privacy, so privacy registers them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from vib.cases.models import Case
from vib.clips import transcripts
from vib.clips.models import Clip, Transcript
from vib.privacy import registry


def delete_clip_transcript(db: Session, clip: Clip) -> dict[str, int]:
    return {"transcripts": transcripts.remove(db, clip)}


def export_transcripts(db: Session, case: Case) -> registry.ExportPart:
    """Every transcript of the case's clips, cue by cue (their audit rows are the clips')."""
    rows = db.scalars(
        select(Transcript).join(Clip, Clip.id == Transcript.clip_id).where(Clip.case_id == case.id).order_by(Transcript.clip_id)
    )
    data = [{"clip_id": t.clip_id, "language": t.language, "uploaded_at": t.created_at.isoformat(), "cues": t.cues} for t in rows]
    files = {f"transcripts/clip-{t['clip_id']}.vtt": transcripts.as_webvtt_cues(t["cues"]).encode() for t in data}
    return registry.ExportPart(data, files=files)


registry.clip_dependent("transcripts", delete=delete_clip_transcript)
registry.exporter("transcripts", export_transcripts)
