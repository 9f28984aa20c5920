from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.exceptions import HTTPException

from vib.clips import operations as ops
from vib.clips.models import Clip
from vib.core import access, audit, db, storage
from vib.core.api import int_arg, json_body
from vib.core.errors import UserError, abort_with, message_for

bp = Blueprint("clips", __name__)


def clip_json(clip: Clip) -> dict:
    return {
        "id": clip.id,
        "case_id": clip.case_id,
        "title": clip.title,
        "scheme_id": clip.scheme_id,
        "status": clip.status,
        "progress": clip.progress,
        "error": ops.error_message(clip.error),
        "duration_ms": clip.duration_ms,
        "width": clip.width,
        "height": clip.height,
        "rotation": clip.rotation,
        "fps": clip.fps,
        "variable_frame_rate": clip.variable_frame_rate,
        "has_audio": clip.has_audio,
        "video_codec": clip.video_codec,
        "audio_codec": clip.audio_codec,
        "size_bytes": clip.size_bytes,
        "created_at": clip.created_at.isoformat(),
        "filmstrip_ready": clip.filmstrip_ready,
        "filmstrip_failed": clip.filmstrip_failed,
        "media_refusal": access.media_refusal(clip, current_user),
        "page_url": url_for("clips.clip_page", clip_id=clip.id),
    }


def _receive_upload(case_id: int | None) -> Clip:
    """Check access, take the streamed file and hand it to the upload operation."""
    if case_id is None:
        abort_with(400, _l("Say which case the clip belongs to (case_id)."))
    case = access.case_or_404(current_user, "upload", case_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        abort_with(400, _l("Choose a video file to upload."))
    upload.stream.flush()
    return ops.upload(db.session(), case, current_user, Path(upload.stream.name), request.form.get("title"))


# -- pages --------------------------------------------------------------------------------------


@bp.post("/cases/<int:case_id>/clips")
@login_required
def upload_page(case_id: int):
    """The upload form without JavaScript; the page's script uses the API for a progress bar."""
    try:
        clip = _receive_upload(case_id)
    except (HTTPException, UserError) as exc:
        if getattr(exc, "code", None) == 404:
            raise
        flash(message_for(exc) if isinstance(exc, HTTPException) else str(exc), "error")
        return redirect(url_for("cases.case_page", case_id=case_id))
    return redirect(url_for("clips.clip_page", clip_id=clip.id))


@bp.get("/clips/<int:clip_id>")
@login_required
def clip_page(clip_id: int):
    from flask_babel import gettext

    from vib.accounts.certificates import askable_supervisors
    from vib.cases.operations import supervision_refusal
    from vib.coding.schemes import default_scheme_id, get_scheme, localized, scheme_choices, scheme_for_clip
    from vib.supervision import operations as supervision  # imports this module: not at the top

    clip = access.clip_or_404(current_user, "view", clip_id)
    audit.record(db.session(), current_user, "clip.view", "clip", clip.id, access.acting_role(current_user, clip))
    db.session().commit()
    case_scheme = get_scheme(db.session(), clip.case.scheme_id or default_scheme_id())
    as_case = gettext("As its case (%(scheme)s)", scheme=localized(case_scheme.label) if case_scheme else "?")
    is_owner = access.is_owner(current_user, clip)
    reviews = supervision.clip_reviews(db.session(), clip, current_user)
    return render_template(
        "clips/detail.html",
        clip=clip,
        clip_data=clip_json(clip),
        media_refusal=access.media_refusal(clip, current_user),
        may_edit=access.may_clip(current_user, "edit", clip),
        scheme_label=localized(scheme_for_clip(db.session(), clip).label),
        scheme_choices=[("", as_case)] + scheme_choices(db.session())[1:],
        is_owner=is_owner,
        reviews=[(supervision.review_json(db.session(), r, current_user, full=False), r.created_at) for r in reviews],
        supervisors=[u for u in askable_supervisors(db.session()) if u.id != current_user.id] if is_owner else [],
        supervision_refusal=supervision_refusal(clip.case) if is_owner else None,
    )


@bp.post("/clips/<int:clip_id>/scheme")
@login_required
def scheme_page(clip_id: int):
    clip = access.clip_or_404(current_user, "edit", clip_id)
    try:
        ops.update_clip(db.session(), clip, {"scheme": request.form.get("scheme")})
    except UserError as exc:
        flash(str(exc), "error")
    return redirect(url_for("clips.clip_page", clip_id=clip.id))


# -- API ----------------------------------------------------------------------------------------


@bp.post("/api/clips")
@login_required
def api_upload():
    clip = _receive_upload(_form_int("case_id"))
    return jsonify(clip_json(clip)), 201


@bp.get("/api/clips")
@login_required
def api_list():
    query = access.visible_clips(current_user).order_by(Clip.id)
    case_id = int_arg("case_id")
    if case_id is not None:
        query = query.where(Clip.case_id == case_id)
    return jsonify([clip_json(c) for c in db.session().scalars(query).all()])


@bp.get("/api/clips/<int:clip_id>")
@login_required
def api_get(clip_id: int):
    return jsonify(clip_json(access.clip_or_404(current_user, "view", clip_id)))


@bp.patch("/api/clips/<int:clip_id>")
@login_required
def api_update(clip_id: int):
    clip = ops.update_clip(db.session(), access.clip_or_404(current_user, "edit", clip_id), json_body())
    return jsonify(clip_json(clip))


@bp.get("/api/clips/<int:clip_id>/media")
@login_required
def api_media(clip_id: int):
    clip = access.clip_for_media(current_user, clip_id)
    ops.require_ready(clip)
    audit.record_stream(db.session(), current_user, clip.id, access.acting_role(current_user, clip))
    return storage.current().send(clip.playable_key, "video/mp4")  # answers Range requests; private, never cached


@bp.get("/api/clips/<int:clip_id>/thumbnail")
@login_required
def api_thumbnail(clip_id: int):
    clip = access.clip_for_media(current_user, clip_id)
    t = int_arg("t")
    if t is None:
        abort_with(400, _l("Give the time of the thumbnail in ms (t)."))
    return _private_image(ops.thumbnail(clip, t, ops.thumbnail_width(int_arg("w"), clip)))


@bp.get("/api/clips/<int:clip_id>/frames")
@login_required
def api_frames(clip_id: int):
    """When each frame starts (ms): what frame stepping and snapping on the timeline use."""
    return jsonify(times_ms=ops.frame_times(access.clip_for_media(current_user, clip_id)))


@bp.get("/api/clips/<int:clip_id>/filmstrip")
@login_required
def api_filmstrip(clip_id: int):
    clip = access.clip_for_media(current_user, clip_id)
    index = ops.filmstrip_index(clip)
    if index is None:
        return jsonify(ready=False), 202
    return jsonify(ready=True, sprite_url=url_for("clips.api_filmstrip_sprite", clip_id=clip.id), **index)


@bp.get("/api/clips/<int:clip_id>/filmstrip.jpg")
@login_required
def api_filmstrip_sprite(clip_id: int):
    clip = access.clip_for_media(current_user, clip_id)
    if not clip.filmstrip_ready:
        abort(404)
    return _private_image(clip.filmstrip_key)


def _private_image(key: str):
    # Pictures of families must not stay in a shared computer's browser cache: storage sends them
    # private and no-store; the server caches them.
    return storage.current().send(key, "image/jpeg")


def _form_int(name: str) -> int | None:
    raw = request.form.get(name, "")
    try:
        return int(raw)
    except ValueError:
        return None
