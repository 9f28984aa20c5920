"""Coding exercises: the moments API of a fragment, the agreement with the reference, the exercise
page (the coding page on the fragment) and the comparison page. The rules are in
vib.library.exercises; the fragment's media, frames and poster are the library's views."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, url_for
from flask_login import current_user, login_required

from vib.accounts.models import User
from vib.coding.schemas import MomentFields
from vib.coding.serialise import moment_json
from vib.core import access, db
from vib.core.api import accepts, int_arg, json_body
from vib.core.errors import UserError
from vib.library import exercises
from vib.library.models import Fragment
from vib.schemes import catalogue as schemes
from vib.schemes.catalogue import ACTOR_LABELS

bp = Blueprint("library_exercises", __name__)


def _codable(fragment_id: int) -> Fragment:
    """The fragment `current_user` may do the exercise on (or code the reference of)."""
    return access.get_or_404(current_user, "code", Fragment, fragment_id)


# -- moments --------------------------------------------------------------------------------------


@bp.get("/api/fragments/<int:fragment_id>/moments")
@login_required
def api_fragment_moments(fragment_id: int):
    fragment = _codable(fragment_id)
    session = db.session()
    return jsonify([moment_json(session, m, current_user) for m in exercises.fragment_moments(session, fragment, current_user)])


@bp.post("/api/fragments/<int:fragment_id>/moments")
@login_required
@accepts(MomentFields)
def api_create_fragment_moment(fragment_id: int):
    fragment = _codable(fragment_id)
    moment = exercises.create_fragment_moment(db.session(), fragment, current_user, json_body())
    return jsonify(moment_json(db.session(), moment, current_user)), 201


# -- agreement ------------------------------------------------------------------------------------


def _compared_user(fragment: Fragment) -> User:
    """Whose coding is compared: one's own; a trainer may name anyone (others: 404, as for nobody)."""
    user_id = int_arg("user")
    if user_id is None or user_id == current_user.id:
        return current_user
    user = db.session().get(User, user_id)
    if user is None or not current_user.has_role("trainer"):
        abort(404)
    return user


@bp.get("/api/fragments/<int:fragment_id>/agreement")
@login_required
def api_agreement(fragment_id: int):
    fragment = _codable(fragment_id)
    user = _compared_user(fragment)
    return jsonify(exercises.compare(db.session(), fragment, user, int_arg("tolerance_ms"), int_arg("grid_ms")))


# -- pages ----------------------------------------------------------------------------------------


@bp.get("/library/fragments/<int:fragment_id>/exercise")
@login_required
def exercise_page(fragment_id: int):
    fragment = _codable(fragment_id)
    session = db.session()
    exercises.record_exercise_view(session, current_user, fragment, "exercise")
    video = exercises.fragment_video(session, fragment)
    return render_template(
        "library/exercise.html",
        fragment=fragment,
        video={
            "kind": video.kind,
            "id": fragment.id,
            "title": fragment.title,
            "duration_ms": fragment.duration_ms,
            "width": fragment.width,
            "ready": video.ready,
            "media_url": url_for("library.api_fragment_media", fragment_id=fragment.id),
            "poster_url": url_for("library.api_fragment_poster", fragment_id=fragment.id),
            "frames_url": url_for("library.api_fragment_frames", fragment_id=fragment.id),
            "moments_url": url_for("library_exercises.api_fragment_moments", fragment_id=fragment.id),
        },
        scheme=schemes.scheme_json(video.scheme),
        media_refusal=None,
        may_code=True,
        is_reference=exercises.is_reference_coder(fragment, current_user),
        tools=[],
    )


@bp.get("/library/fragments/<int:fragment_id>/comparison")
@login_required
def comparison_page(fragment_id: int):
    fragment = _codable(fragment_id)
    user = _compared_user(fragment)
    session = db.session()
    exercises.record_exercise_view(session, current_user, fragment, "comparison")
    comparison, problem = None, None
    try:
        comparison = exercises.compare(session, fragment, user, int_arg("tolerance_ms"), int_arg("grid_ms"))
    except exercises.NoReference as error:
        problem = str(error)
    except UserError as error:
        problem = str(error)
    return render_template(
        "library/comparison.html",
        fragment=fragment,
        comparison=comparison,
        problem=problem,
        is_reference=fragment.reference_by_id == user.id,
        own=user.id == current_user.id,
        actor_labels={actor: str(label) for actor, label in ACTOR_LABELS.items()},
    )
