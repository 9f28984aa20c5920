"""What the sound of a 4-second test clip says, stored as the analysis job would store it: a worker's
voice (A) from 0.21 s, a pause of 1.5 s, the client's voice (B) answering, and a turn at each start."""

from __future__ import annotations

import numpy as np
from sqlalchemy import delete, select

from vib.analysis import speech
from vib.clips.models import Clip
from vib.coding import suggestions
from vib.coding.models import AudioAnalysis, Suggestion
from vib.core import db

HEARD = speech.Conversation(
    speech=[
        speech.SpeechSpan(start_ms=210, end_ms=1390, voice="A", confidence=0.91),
        speech.SpeechSpan(start_ms=2890, end_ms=3800, voice="B", confidence=0.84),
    ],
    pauses=[speech.Pause(start_ms=1390, end_ms=2890, before="A", after="B", confidence=0.9)],
    turns=[
        speech.Turn(at_ms=210, voice="A", reason="after_pause", confidence=0.91),
        speech.Turn(at_ms=2890, voice="B", reason="after_pause", confidence=0.84),
    ],
    overlaps=[],
    voices=2,
)
ENVELOPE = np.linspace(0, 100, 200).astype(np.uint8)  # 4 s in steps of 20 ms


def store_sound(app, clip_id: int, conversation: speech.Conversation = HEARD) -> list[int]:
    """Store `conversation` as the clip's analysed sound; the ids of its suggestions in time order."""
    with app.app_context():
        session = db.session()
        suggestions.store_analysis(session, session.get(Clip, clip_id), ENVELOPE, conversation)
        session.commit()
        query = select(Suggestion.id).where(Suggestion.clip_id == clip_id).order_by(Suggestion.start_ms, Suggestion.id)
        return list(session.scalars(query))


def forget_sound(app, clip_id: int) -> None:
    """The clip as it is before the analysis job ran."""
    with app.app_context():
        session = db.session()
        session.execute(delete(AudioAnalysis).where(AudioAnalysis.clip_id == clip_id))
        session.commit()
