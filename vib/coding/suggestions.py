"""Suggested moments from the sound: speech of each voice, pauses and turns, found by a job after a clip
is processed (vib.analysis.speech on vib.media.audio), and a coder's answer to each.

Suggestions are never moments until a coder accepts one: accepting creates the moment through
`create_moment`, on the clip's frames, and remembers it; dismissing hides it for that coder for good.
Each coder of a clip (its worker, a supervisor in a review) answers for their own coding. The two
voices are told apart without a model of who speaks, so they are called A (heard first) and B until
the clip's owner says who they are (`set_voices`)."""

from __future__ import annotations

import logging

import numpy as np
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from vib.accounts.models import User
from vib.analysis import speech
from vib.clips import hooks as clip_hooks
from vib.clips import operations as clip_ops
from vib.clips.models import READY, Clip
from vib.coding import operations as ops
from vib.coding.models import AudioAnalysis, Moment, Suggestion, SuggestionDecision
from vib.core import access, audit, jobs, sandbox, storage
from vib.core.db import session as current_session
from vib.core.db import utcnow
from vib.core.errors import FieldError, UserError
from vib.media import audio

log = logging.getLogger(__name__)

ENVELOPE_STEP_MS = 20  # the loudness lane's resolution: half a frame at 25 fps
VOICES = ("A", "B")
# Who a voice is, once the owner said so: also the actor of a moment accepted from it.
VOICE_ROLES = ("worker", "client", "other")
OPEN, ACCEPTED, DISMISSED = "open", "accepted", "dismissed"


class SuggestionError(UserError):
    pass


# -- the analysis (a background job) ----------------------------------------------------------------


@clip_hooks.clip_ready.connect
def _analyse_when_ready(clip: Clip, db: Session, **_) -> None:
    jobs.enqueue_after_commit(db, "analyse_clip_audio", clip.id)


@jobs.task("analyse_clip_audio", queue=jobs.MEDIA)
def analyse_clip_audio(clip_id: int) -> None:
    """Analyse the sound of a ready clip once; a clip without sound gets no suggestions, and a failure
    is kept (the coding page says so) rather than retried for ever."""
    db = current_session()
    clip = db.get(Clip, clip_id)
    if clip is None or clip.status != READY or db.get(AudioAnalysis, clip_id) is not None:
        return
    settings = speech.Settings(min_pause_ms=current_app.config["VIB_PAUSE_MS"])
    try:
        with storage.current().local_path(clip.playable_key) as playable:
            found = sandbox.run(listen, str(playable), settings)
    except Exception:  # the clip is coded without suggestions; the lane says the analysis failed
        log.exception("the sound of clip %s could not be analysed", clip_id)
        db.add(AudioAnalysis(clip_id=clip_id, status="failed"))
        return
    store_analysis(db, clip, *found)


def listen(path: str, settings: speech.Settings) -> tuple[np.ndarray | None, speech.Conversation | None]:
    """The clip's loudness envelope and conversation, or (None, None) without a sound track. Runs in
    the job's sandbox: plain data in and out."""
    samples = audio.read_speech_audio(path)
    if samples is None:
        return None, None
    return audio.loudness_envelope(samples, step_ms=ENVELOPE_STEP_MS), speech.analyse(samples, settings)


def store_analysis(db: Session, clip: Clip, envelope: np.ndarray | None, conversation: speech.Conversation | None) -> AudioAnalysis:
    """Keep what the sound says as the clip's suggestions (replacing an earlier analysis's)."""
    delete_clip_suggestions(db, clip)
    heard = conversation is not None and envelope is not None
    analysis = AudioAnalysis(clip_id=clip.id, status="done" if heard else "no_audio")
    db.add(analysis)
    if heard:
        analysis.envelope = np.asarray(envelope, dtype=np.uint8).tobytes()
        analysis.voice_count, analysis.voices = conversation.voices, {}
        analysis.overlaps = [[start, end] for start, end in conversation.overlaps]
        rows = [("speech", s.start_ms, s.end_ms, s.voice, s.confidence) for s in conversation.speech]
        rows += [("pause", p.start_ms, p.end_ms, None, p.confidence) for p in conversation.pauses]
        rows += [("turn", t.at_ms, t.at_ms, t.voice, t.confidence) for t in conversation.turns]
        db.add_all(
            Suggestion(clip_id=clip.id, kind=kind, start_ms=start, end_ms=end, voice=voice, confidence=round(float(confidence), 3))
            for kind, start, end, voice, confidence in rows
        )
    db.flush()
    return analysis


@jobs.resumer
def analyse_unanalysed(db: Session) -> int:
    """Ready clips whose sound was never analysed: stopped jobs, and clips from before suggestions."""
    clips = db.scalars(select(Clip.id).where(Clip.status == READY, ~exists().where(AudioAnalysis.clip_id == Clip.id))).all()
    return sum(jobs.resume_after_commit(db, "analyse_clip_audio", clip_id) for clip_id in clips)


# -- reading ----------------------------------------------------------------------------------------


def analysis_state(analysis: AudioAnalysis | None) -> str:
    """pending (the job has not run yet), done, no_audio or failed."""
    return "pending" if analysis is None else analysis.status


def envelope_json(db: Session, clip: Clip) -> dict:
    analysis = db.get(AudioAnalysis, clip.id)
    values = list(analysis.envelope) if analysis is not None and analysis.status == "done" else []
    return {
        "clip_id": clip.id,
        "state": analysis_state(analysis),
        "step_ms": ENVELOPE_STEP_MS,
        "values": values,
        "voice_count": analysis.voice_count if analysis else 0,
        "voices": voice_roles(analysis),
    }


def voice_roles(analysis: AudioAnalysis | None) -> dict[str, str | None]:
    stored = analysis.voices if analysis is not None else {}
    return {voice: stored.get(voice) for voice in VOICES}


def clip_suggestions(db: Session, clip: Clip, viewer: User) -> list[dict]:
    """The clip's suggestions in time order, each with the viewer's answer to it."""
    decisions = _answers(db, clip, viewer)
    roles = voice_roles(db.get(AudioAnalysis, clip.id))
    suggestions = _in_time_order(db, clip.id)
    return [suggestion_json(s, decisions.get(s.id, OPEN), roles) for s in suggestions]


def _answers(db: Session, clip: Clip, viewer: User) -> dict[int, str]:
    """The viewer's answers; an accepted suggestion whose moment they deleted is open again."""
    rows = db.execute(
        select(SuggestionDecision.suggestion_id, SuggestionDecision.state, SuggestionDecision.moment_id)
        .join(Suggestion, Suggestion.id == SuggestionDecision.suggestion_id)
        .where(Suggestion.clip_id == clip.id, SuggestionDecision.user_id == viewer.id)
    )
    return {suggestion_id: state for suggestion_id, state, moment_id in rows if state == DISMISSED or moment_id is not None}


def _in_time_order(db: Session, clip_id: int) -> list[Suggestion]:
    return list(db.scalars(select(Suggestion).where(Suggestion.clip_id == clip_id).order_by(Suggestion.start_ms, Suggestion.id)))


def suggestion_json(suggestion: Suggestion, state: str, roles: dict[str, str | None]) -> dict:
    return {
        **_fields(suggestion),
        "actor": roles.get(suggestion.voice) if suggestion.voice else None,
        "state": state,
    }


def _fields(suggestion: Suggestion) -> dict:
    return {
        "id": suggestion.id,
        "kind": suggestion.kind,
        "start_ms": suggestion.start_ms,
        "end_ms": suggestion.end_ms,
        "voice": suggestion.voice,
        "confidence": suggestion.confidence,
    }


def audio_figures(db: Session, clip: Clip) -> dict | None:
    """The sound's figures for /stats (vib.analysis.speech.conversation_figures), or None before or
    without an analysis."""
    analysis = db.get(AudioAnalysis, clip.id)
    if analysis is None or analysis.status != "done":
        return None
    rows = _in_time_order(db, clip.id)
    spans = [speech.SpeechSpan(r.start_ms, r.end_ms, r.voice, r.confidence) for r in rows if r.kind == "speech"]
    # A pause lies between two speech spans: the voices around it are theirs.
    stopped = {span.end_ms: span.voice for span in spans}
    started = {span.start_ms: span.voice for span in reversed(spans)}
    conversation = speech.Conversation(
        speech=spans,
        pauses=[
            speech.Pause(r.start_ms, r.end_ms, stopped.get(r.start_ms), started.get(r.end_ms), r.confidence)
            for r in rows
            if r.kind == "pause"
        ],
        turns=[speech.Turn(r.start_ms, r.voice, "", r.confidence) for r in rows if r.kind == "turn"],
        overlaps=[(start, end) for start, end in analysis.overlaps],
        voices=analysis.voice_count,
    )
    return speech.conversation_figures(conversation, voice_roles(analysis))


# -- answering ---------------------------------------------------------------------------------------


def accept(db: Session, suggestion: Suggestion, by: User, fields: dict) -> Moment:
    """The suggestion as a moment of `by`'s, with the code they chose: a span for speech and pauses,
    a point for a turn, on the clip's frames. The actor is the voice's, once the owner said who
    speaks, unless `fields` names one; otherwise the code's own."""
    decision = db.get(SuggestionDecision, (suggestion.id, by.id))
    if decision is not None and decision.state == ACCEPTED and decision.moment_id is not None:
        raise SuggestionError(_l("This suggestion is already one of your moments."), status=409)
    clip = suggestion.clip
    times = clip_ops.frame_times(clip)
    start, end = clip_ops.span_on_frames(
        times, clip.duration_ms or 0, suggestion.start_ms, None if suggestion.kind == "turn" else suggestion.end_ms
    )
    moment_fields = {"code": fields.get("code"), "start_ms": start, "end_ms": end}
    actor = fields.get("actor") or (voice_roles(db.get(AudioAnalysis, clip.id)).get(suggestion.voice) if suggestion.voice else None)
    if actor:
        moment_fields["actor"] = actor
    moment = ops.create_moment(db, clip, by, moment_fields)
    _decide(db, suggestion, by, ACCEPTED, moment.id)
    audit.record(
        db, by, "suggestion.accept", "clip", clip.id, access.role_on(by, clip), detail=f"suggestion {suggestion.id} → moment {moment.id}"
    )
    return moment


def dismiss(db: Session, suggestion: Suggestion, by: User) -> None:
    _decide(db, suggestion, by, DISMISSED, None)
    audit.record(
        db, by, "suggestion.dismiss", "clip", suggestion.clip_id, access.role_on(by, suggestion.clip), detail=f"suggestion {suggestion.id}"
    )


def _decide(db: Session, suggestion: Suggestion, by: User, state: str, moment_id: int | None) -> None:
    decision = db.get(SuggestionDecision, (suggestion.id, by.id))
    if decision is None:
        decision = SuggestionDecision(suggestion_id=suggestion.id, user_id=by.id)
        db.add(decision)
    decision.state, decision.moment_id, decision.decided_at = state, moment_id, utcnow()
    db.flush()


def set_voices(db: Session, clip: Clip, by: User, fields: dict) -> dict[str, str | None]:
    """Who voices A and B are ("worker", "client" or "other"; null forgets it), once per clip."""
    analysis = db.get(AudioAnalysis, clip.id)
    if analysis is None or analysis.status != "done":
        raise SuggestionError(_l("The sound of this clip has not been analysed, so it has no voices to name."), status=409)
    roles = voice_roles(analysis)
    for voice, role in fields.items():
        if voice not in VOICES:
            raise FieldError(_l("Voices are called A and B."), voice)
        if role is not None and role not in VOICE_ROLES:
            raise FieldError(_l("A voice is the worker's, the client's or someone else's (worker, client, other)."), voice)
        roles[voice] = role
    analysis.voices = {voice: role for voice, role in roles.items() if role}
    audit.record(
        db, by, "clip.voices", "clip", clip.id, access.role_on(by, clip), detail=", ".join(f"{v}={r}" for v, r in analysis.voices.items())
    )
    db.flush()
    return roles


# -- the privacy lifecycle (vib.coding.privacy registers these) -----------------------------------------


def delete_clip_suggestions(db: Session, clip: Clip) -> dict[str, int]:
    """Also what store_analysis replaces, in the same session: the deleted rows leave its identity map."""
    count = db.scalar(select(func.count(Suggestion.id)).where(Suggestion.clip_id == clip.id)) or 0
    ids = select(Suggestion.id).where(Suggestion.clip_id == clip.id).scalar_subquery()
    for statement in (
        delete(SuggestionDecision).where(SuggestionDecision.suggestion_id.in_(ids)),
        delete(Suggestion).where(Suggestion.clip_id == clip.id),
        delete(AudioAnalysis).where(AudioAnalysis.clip_id == clip.id),
    ):
        db.execute(statement, execution_options={"synchronize_session": "fetch"})
    return {"suggestions": count}


def export_clip_sound(db: Session, clip_ids: list[int]) -> list[dict]:
    """Per clip: the analysis's state, who the voices are, and every suggestion with each coder's answer."""
    parts = []
    for analysis in db.scalars(select(AudioAnalysis).where(AudioAnalysis.clip_id.in_(clip_ids)).order_by(AudioAnalysis.clip_id)):
        suggestions = _in_time_order(db, analysis.clip_id)
        answers = db.scalars(select(SuggestionDecision).where(SuggestionDecision.suggestion_id.in_([s.id for s in suggestions])))
        by_suggestion: dict[int, list[dict]] = {}
        for answer in answers:
            by_suggestion.setdefault(answer.suggestion_id, []).append(
                {
                    "user_id": answer.user_id,
                    "state": answer.state,
                    "moment_id": answer.moment_id,
                    "decided_at": answer.decided_at.isoformat(),
                }
            )
        parts.append(
            {
                "clip_id": analysis.clip_id,
                "state": analysis.status,
                "analysed_at": analysis.analysed_at.isoformat(),
                "voices": voice_roles(analysis),
                "overlaps": analysis.overlaps,
                "suggestions": [{**_fields(s), "answers": by_suggestion.get(s.id, [])} for s in suggestions],
            }
        )
    return parts
