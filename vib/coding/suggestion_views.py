"""Suggestions from the sound (vib.coding.suggestions): the clip's loudness envelope and suggestions,
a coder's answer to one, and who the voices are.

Like the moments: the envelope for whoever may watch the clip, the suggestions and answers for whoever
may code it (each their own answers), naming the voices for the clip's owner."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user, login_required

from vib.clips.models import Clip
from vib.coding import suggestions
from vib.coding.models import Suggestion
from vib.coding.schemas import SuggestionAcceptance, VoiceRoles
from vib.coding.serialise import moment_json
from vib.core import access, db
from vib.core.api import accepts, json_body

bp = Blueprint("coding_suggestions", __name__)


@bp.get("/api/clips/<int:clip_id>/audio/envelope")
@login_required
def api_envelope(clip_id: int):
    clip = access.get_or_404(current_user, "media", Clip, clip_id)
    return jsonify(suggestions.envelope_json(db.session(), clip))


@bp.get("/api/clips/<int:clip_id>/suggestions")
@login_required
def api_list_suggestions(clip_id: int):
    clip = access.get_or_404(current_user, "code", Clip, clip_id)
    return jsonify(suggestions.clip_suggestions(db.session(), clip, current_user))


@bp.post("/api/suggestions/<int:suggestion_id>/accept")
@login_required
@accepts(SuggestionAcceptance)
def api_accept_suggestion(suggestion_id: int):
    suggestion = access.get_or_404(current_user, "answer", Suggestion, suggestion_id)
    moment = suggestions.accept(db.session(), suggestion, current_user, json_body())
    return jsonify(moment_json(db.session(), moment, current_user)), 201


@bp.post("/api/suggestions/<int:suggestion_id>/dismiss")
@login_required
def api_dismiss_suggestion(suggestion_id: int):
    suggestion = access.get_or_404(current_user, "answer", Suggestion, suggestion_id)
    suggestions.dismiss(db.session(), suggestion, current_user)
    return "", 204


@bp.patch("/api/clips/<int:clip_id>/voices")
@login_required
@accepts(VoiceRoles)
def api_set_voices(clip_id: int):
    clip = access.get_or_404(current_user, "edit", Clip, clip_id)
    return jsonify(suggestions.set_voices(db.session(), clip, current_user, json_body()))
