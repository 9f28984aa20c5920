from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from vib.clips import operations as clip_ops
from vib.clips.models import Clip
from vib.clips.serialise import clip_json
from vib.coding import agreement, hooks, shortcuts, suggestions
from vib.coding import operations as ops
from vib.coding.models import Moment
from vib.coding.schemas import MomentChange, MomentFields, ShortcutSettings
from vib.coding.serialise import compact_moments, moment_json
from vib.coding.video import clip_page_video
from vib.core import access, db
from vib.core.api import accepts, bool_arg, int_arg, json_body
from vib.core.errors import abort_with
from vib.core.hooks import answers
from vib.schemes import catalogue as schemes

bp = Blueprint("coding", __name__)


# -- pages ----------------------------------------------------------------------------------------


@bp.get("/clips/<int:clip_id>/coding")
@login_required
def coding_page(clip_id: int):
    clip = viewed_clip(clip_id)
    refusal = access.refusal(current_user, "media", clip)
    feedback = None if refusal else _feedback(clip)
    return render_template(
        "coding/code.html",
        clip=clip,
        clip_data=clip_json(clip, current_user),
        video=clip_page_video(clip),
        scheme=schemes.scheme_json(clip_ops.scheme_for_clip(db.session(), clip)),
        media_refusal=refusal,
        may_code=access.may(current_user, "code", clip),
        is_owner=access.may(current_user, "own", clip),
        tools=answers(hooks.clip_tools, clip, viewer=current_user),
        clip_links=[link for links in answers(hooks.clip_links, clip, viewer=current_user) for link in links]
        + ([] if refusal else _agreement_links(clip)),
        feedback_data=feedback if feedback and feedback["items"] else None,
    )


def _feedback(clip: Clip) -> dict:
    """The feedback `current_user` sees on the clip (the supervision feature answers it), for the
    timeline's feedback lane and beside the stills."""
    lanes = answers(hooks.clip_feedback, clip, viewer=current_user)
    return {
        "items": [item for lane in lanes for item in lane["items"]],
        "kind_labels": {kind: label for lane in lanes for kind, label in lane["kind_labels"].items()},
    }


@bp.get("/clips/<int:clip_id>/review")
@login_required
def review_page(clip_id: int):
    clip = viewed_clip(clip_id)
    refusal = access.refusal(current_user, "media", clip)
    moments = [] if refusal else _with_thumbnails(clip, ops.clip_moments(db.session(), clip, current_user))
    # Supervision feedback beside the stills of the moment it is anchored on; items on a time range
    # (or on a moment since deleted) get a row of their own, the summaries a card above the moments.
    feedback = [] if refusal else _feedback(clip)["items"]
    shown = {m["id"] for m in moments}
    on_moments: dict[int, list[dict]] = {}
    for item in feedback:
        if item["moment_id"] in shown:
            on_moments.setdefault(item["moment_id"], []).append(item)
    return render_template(
        "coding/review.html",
        clip=clip,
        moments=moments,
        stats=None if refusal else ops.stats_for_clip(db.session(), clip, current_user).as_dict(),
        scheme=schemes.scheme_json(clip_ops.scheme_for_clip(db.session(), clip)),
        media_refusal=refusal,
        is_owner=access.may(current_user, "own", clip),
        feedback_on_moments=on_moments,
        range_feedback=[i for i in feedback if i["kind"] != "summary" and i["moment_id"] not in shown],
        summaries=[i for i in feedback if i["kind"] == "summary"],
        tools=answers(hooks.clip_tools, clip, viewer=current_user),
        agreement_links=[] if refusal else _agreement_links(clip),
    )


def _agreement_links(clip: Clip) -> list[dict]:
    """A link to compare two codings, once `current_user` sees the moments of two coders or more."""
    if len(agreement.coders(db.session(), clip, current_user)) < 2:
        return []
    return [{"url": url_for("coding_agreement.agreement_page", clip_id=clip.id), "text": str(_l("Compare two codings"))}]


def viewed_clip(clip_id: int) -> Clip:
    """The clip of a page `current_user` opens, recorded in the audit log."""
    clip = access.get_or_404(current_user, "view", Clip, clip_id)
    clip_ops.record_view(db.session(), current_user, clip)
    return clip


def _with_thumbnails(clip: Clip, moments: list) -> list[dict]:
    """Each moment's JSON with the URLs of its stills (the ones the background job made)."""
    width = clip_ops.thumbnail_width(ops.REVIEW_THUMB_WIDTH, clip)
    base = url_for("clips.api_thumbnail", clip_id=clip.id)  # built once: 2,000 moments, 6,000 stills
    return [
        {**moment_json(db.session(), m, current_user), "thumbnails": [{"t": t, "url": f"{base}?t={t}&w={width}"} for t in m.times]}
        for m in moments
    ]


# -- schemes --------------------------------------------------------------------------------------


@bp.get("/api/schemes")
@login_required
def api_schemes():
    return jsonify([schemes.scheme_summary(s) for s in schemes.latest_schemes(db.session())])


@bp.get("/api/schemes/<scheme_id>")
@login_required
def api_scheme(scheme_id: str):
    scheme = schemes.get_scheme(db.session(), scheme_id, int_arg("version"))
    if scheme is None:
        abort_with(404, _l("There is no code scheme %(scheme)s.", scheme=scheme_id))
    return jsonify(schemes.scheme_json(scheme))


# -- the coding page's keyboard shortcuts, as the user set them ---------------------------------------


@bp.get("/api/account/shortcuts")
@login_required
def api_shortcuts():
    """The user's keyboard shortcuts on the coding page: single_keys and the keys they gave codes."""
    return jsonify(shortcuts.shortcuts_of(current_user))


@bp.put("/api/account/shortcuts")
@login_required
@accepts(ShortcutSettings)
def api_set_shortcuts():
    """Change the user's keyboard shortcuts (single_keys, keys: code id -> one letter or digit)."""
    return jsonify(shortcuts.set_shortcuts(db.session(), current_user, json_body()))


# -- moments --------------------------------------------------------------------------------------


@bp.get("/api/clips/<int:clip_id>/moments")
@login_required
def api_list_moments(clip_id: int):
    """The clip's moments the user sees, in full, or `?compact=1` as the coding page loads them
    (serialise.compact_moments). Either answers with an ETag and 304 to If-None-Match."""
    clip = access.get_or_404(current_user, "media", Clip, clip_id)
    if bool_arg("compact"):
        response = jsonify(compact_moments(db.session(), ops.clip_moment_rows(db.session(), clip, current_user), current_user))
    else:
        moments = ops.clip_moments(db.session(), clip, current_user)
        response = jsonify([moment_json(db.session(), m, current_user) for m in moments])
    response.add_etag()
    return response.make_conditional(request)


@bp.post("/api/clips/<int:clip_id>/moments")
@login_required
@accepts(MomentFields)
def api_create_moment(clip_id: int):
    clip = access.get_or_404(current_user, "code", Clip, clip_id)
    moment = ops.create_moment(db.session(), clip, current_user, json_body())
    return jsonify(moment_json(db.session(), moment, current_user)), 201


@bp.patch("/api/moments/<int:moment_id>")
@login_required
@accepts(MomentChange)
def api_update_moment(moment_id: int):
    moment = ops.update_moment(db.session(), access.get_or_404(current_user, "code", Moment, moment_id), json_body(), current_user)
    return jsonify(moment_json(db.session(), moment, current_user))


@bp.delete("/api/moments/<int:moment_id>")
@login_required
def api_delete_moment(moment_id: int):
    ops.delete_moment(db.session(), access.get_or_404(current_user, "code", Moment, moment_id), current_user, int_arg("version"))
    return "", 204


@bp.get("/api/clips/<int:clip_id>/stats")
@login_required
def api_stats(clip_id: int):
    clip = access.get_or_404(current_user, "media", Clip, clip_id)
    figures = ops.stats_for_clip(db.session(), clip, current_user, int_arg("window_ms")).as_dict()
    return jsonify({**figures, "audio": suggestions.audio_figures(db.session(), clip)})
