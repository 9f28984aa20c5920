from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.exceptions import HTTPException

from vib.cases.hooks import case_page_sections
from vib.cases.models import Case
from vib.cases.operations import goal_on, upload_refusal, viewing_refusal
from vib.clips import operations as ops
from vib.clips import transcripts, tus
from vib.clips.hooks import clip_page_sections
from vib.clips.models import Clip, UploadSession
from vib.clips.schemas import ClipChange
from vib.clips.serialise import clip_json
from vib.core import access, audit, db, storage
from vib.core.api import accepts, int_arg, json_body
from vib.core.errors import UserError, abort_with, message_for
from vib.core.hooks import Section, answers
from vib.core.pages import flashing_refusal
from vib.core.uploads import body_limit, piece_view, upload_view
from vib.schemes.catalogue import default_scheme_id, get_scheme, localized, scheme_choices

bp = Blueprint("clips", __name__)


def _receive_upload(case_id: int | None) -> Clip:
    """Check access, take the streamed file and hand it to the upload operation."""
    if case_id is None:
        abort_with(400, _l("Say which case the clip belongs to (case_id)."))
    case = access.get_or_404(current_user, "upload", Case, case_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        abort_with(400, _l("Choose a video file to upload."))
    upload.stream.flush()
    return ops.upload(db.session(), case, current_user, Path(upload.stream.name), request.form.get("title"))


# -- pages --------------------------------------------------------------------------------------


@bp.post("/cases/<int:case_id>/clips")
@login_required
@upload_view
def upload_page(case_id: int):
    """The upload form without JavaScript; the page's script uses the API for a progress bar."""
    try:
        clip = _receive_upload(case_id)
    except (HTTPException, UserError) as exc:
        if getattr(exc, "code", None) == 404:
            raise
        db.session().rollback()
        flash(message_for(exc) if isinstance(exc, HTTPException) else str(exc), "error")
        return redirect(url_for("cases.case_page", case_id=case_id))
    return redirect(url_for("clips.clip_page", clip_id=clip.id))


@bp.get("/clips/<int:clip_id>")
@login_required
def clip_page(clip_id: int):
    clip = access.get_or_404(current_user, "view", Clip, clip_id)
    ops.record_view(db.session(), current_user, clip)
    case_scheme = get_scheme(db.session(), clip.case.scheme_id or default_scheme_id())
    as_case = gettext("As its case (%(scheme)s)", scheme=localized(case_scheme.label) if case_scheme else "?")
    return render_template(
        "clips/detail.html",
        clip=clip,
        clip_data=clip_json(clip, current_user),
        media_refusal=access.refusal(current_user, "media", clip),
        may_edit=access.may(current_user, "edit", clip),
        scheme_label=localized(ops.scheme_for_clip(db.session(), clip).label),
        scheme_choices=[("", as_case)] + scheme_choices(db.session())[1:],
        is_owner=access.may(current_user, "own", clip),
        sections=answers(clip_page_sections, clip, user=current_user),
    )


@case_page_sections.connect
def case_clips_section(case: Case, user) -> Section:
    """The clips of a case by cycle, each cycle with the learning goal that held when it was filmed,
    and the upload form, on the case's page."""
    clips = (
        db.session()
        .scalars(access.visible(user, Clip).where(Clip.case_id == case.id).order_by(Clip.cycle, Clip.recorded_on, Clip.id))
        .all()
    )
    cycles: dict[int, dict] = {}
    for clip in clips:
        goal = goal_on(case, clip.recorded_on)
        cycles.setdefault(clip.cycle, {"cycle": clip.cycle, "goal": goal.text if goal else None, "clips": []})["clips"].append(clip)
    data = {
        "clips": clips,
        "cycles": list(cycles.values()),
        "upload_refusal": upload_refusal(case),
        "viewing_refusal": viewing_refusal(case),
    }
    return Section("clips/_case_section.html", data, scripts=("js/upload.js", "js/clip-status.js"))


@bp.post("/clips/<int:clip_id>/cycle")
@login_required
def cycle_page(clip_id: int):
    """The cycle and recording date of a clip, from the case page's form."""
    clip = access.get_or_404(current_user, "edit", Clip, clip_id)
    with flashing_refusal():
        ops.update_clip(db.session(), clip, {"cycle": _form_int("cycle"), "recorded_on": request.form.get("recorded_on")})
    return redirect(url_for("cases.case_page", case_id=clip.case_id) + "#clips")


@bp.post("/clips/<int:clip_id>/scheme")
@login_required
def scheme_page(clip_id: int):
    clip = access.get_or_404(current_user, "edit", Clip, clip_id)
    with flashing_refusal():
        ops.update_clip(db.session(), clip, {"scheme": request.form.get("scheme")})
    return redirect(url_for("clips.clip_page", clip_id=clip.id))


# -- API ----------------------------------------------------------------------------------------


@bp.post("/api/clips")
@login_required
@upload_view
def api_upload():
    clip = _receive_upload(_form_int("case_id"))
    return jsonify(clip_json(clip, current_user)), 201


# -- uploads in pieces: tus 1.0 (the protocol's headers in vib.clips.tus) ---------------------------

tus_bp = Blueprint("tus", __name__, url_prefix="/api/tus")
tus_bp.before_request(tus.require_version)
tus_bp.after_request(tus.answer_headers)


@tus_bp.route("", methods=["OPTIONS"])
def tus_options():
    """What this tus server speaks (no log-in needed: it names no case)."""
    return "", 204, tus.capabilities()


@tus_bp.route("", methods=["POST"], provide_automatic_options=False)
@login_required
def tus_create():
    """Announce a video (Upload-Length; Upload-Metadata: case_id, title) before sending a byte."""
    pairs = tus.metadata()
    case_id = tus.case_id(pairs)
    if not db.is_id(case_id):
        abort_with(400, _l("Say which case the clip belongs to (case_id in Upload-Metadata)."))
    case = access.get_or_404(current_user, "upload", Case, case_id)
    upload = ops.begin_upload(db.session(), case, current_user, tus.byte_count("Upload-Length"), pairs.get("title"))
    return "", 201, {"Location": url_for("clips.tus.tus_upload", upload_id=upload.id), **tus.expiry(upload)}


@tus_bp.route("/<int:upload_id>", methods=["HEAD"])
@login_required
def tus_upload(upload_id: int):
    """Where an upload stands (Upload-Offset), to go on after a break."""
    upload = ops.require_current(db.session(), access.get_or_404(current_user, "send", UploadSession, upload_id))
    return "", 200, tus.state(upload)


@tus_bp.patch("/<int:upload_id>")
@login_required
@piece_view
def tus_send(upload_id: int):
    """The next piece at Upload-Offset; the piece that completes the file makes the clip (Vib-Clip-Id)."""
    upload = access.get_or_404(current_user, "send", UploadSession, upload_id)
    tus.require_piece_type()
    offset, checksum = tus.byte_count("Upload-Offset"), tus.checksum()
    ops.receive_piece(db.session(), upload, offset, tus.piece(), checksum)
    headers = tus.state(upload)
    if upload.complete:
        clip = ops.finish_upload(db.session(), upload, current_user)
        headers |= {"Vib-Clip-Id": str(clip.id), "Vib-Clip-Url": url_for("clips.clip_page", clip_id=clip.id)}
    return "", 204, headers


@tus_bp.delete("/<int:upload_id>")
@login_required
def tus_end(upload_id: int):
    """Stop an upload: what arrived is deleted."""
    ops.end_upload(db.session(), access.get_or_404(current_user, "send", UploadSession, upload_id))
    return "", 204


bp.register_blueprint(tus_bp)


@bp.get("/api/clips")
@login_required
def api_list():
    query = access.visible(current_user, Clip).order_by(Clip.id)
    case_id = int_arg("case_id")
    if case_id is not None:
        query = query.where(Clip.case_id == case_id)
    return jsonify([clip_json(c, current_user) for c in db.session().scalars(query).all()])


@bp.get("/api/clips/<int:clip_id>")
@login_required
def api_get(clip_id: int):
    return jsonify(clip_json(access.get_or_404(current_user, "view", Clip, clip_id), current_user))


@bp.patch("/api/clips/<int:clip_id>")
@login_required
@accepts(ClipChange)
def api_update(clip_id: int):
    clip = ops.update_clip(db.session(), access.get_or_404(current_user, "edit", Clip, clip_id), json_body())
    return jsonify(clip_json(clip, current_user))


@bp.get("/api/clips/<int:clip_id>/media")
@login_required
def api_media(clip_id: int):
    clip = access.get_or_404(current_user, "media", Clip, clip_id)
    ops.require_ready(clip)
    audit.record_stream(db.session(), current_user, clip.id, access.role_on(current_user, clip))
    return storage.current().send(clip.playable_key, "video/mp4")  # answers Range requests; private, never cached


@bp.get("/api/clips/<int:clip_id>/thumbnail")
@login_required
def api_thumbnail(clip_id: int):
    clip = access.get_or_404(current_user, "media", Clip, clip_id)
    t = int_arg("t")
    if t is None:
        abort_with(400, _l("Give the time of the thumbnail in ms (t)."))
    return _private_image(ops.thumbnail(clip, t, ops.thumbnail_width(int_arg("w"), clip)))


@bp.get("/api/clips/<int:clip_id>/frames")
@login_required
def api_frames(clip_id: int):
    """When each frame starts (ms): what frame stepping and snapping on the timeline use."""
    return jsonify(times_ms=ops.frame_times(access.get_or_404(current_user, "media", Clip, clip_id)))


@bp.get("/api/clips/<int:clip_id>/filmstrip")
@login_required
def api_filmstrip(clip_id: int):
    clip = access.get_or_404(current_user, "media", Clip, clip_id)
    index = ops.filmstrip_index(clip)
    if index is None:
        return jsonify(ready=False), 202
    return jsonify(ready=True, sprite_url=url_for("clips.api_filmstrip_sprite", clip_id=clip.id), **index)


@bp.get("/api/clips/<int:clip_id>/filmstrip.jpg")
@login_required
def api_filmstrip_sprite(clip_id: int):
    clip = access.get_or_404(current_user, "media", Clip, clip_id)
    if not clip.filmstrip_ready:
        abort(404)
    return _private_image(clip.filmstrip_key)


# -- transcripts: what was said, the clip's captions (vib.clips.transcripts) --------------------------


@bp.app_template_global()
def clip_captions(clip: Clip | None) -> dict | None:
    """The captions track of a player of the clip, for templates (clips/_macros.html, `caption_track`)."""
    return None if clip is None else transcripts.captions_for(db.session(), clip)


@bp.post("/api/clips/<int:clip_id>/transcript")
@login_required
@body_limit(transcripts.MAX_BYTES, _l("A transcript may be at most %(mb)d MB."))
def api_transcript_upload(clip_id: int):
    """A WebVTT or SRT file (multipart `file`, `language`, optional `speakers`) becomes the clip's
    transcript, replacing the one it had; the answer reports the cues kept and those skipped."""
    clip = access.get_or_404(current_user, "edit", Clip, clip_id)
    upload = request.files.get("file")
    if upload is None:
        abort_with(400, _l("Choose a WebVTT or SRT file (file)."))
    data = upload.stream.read(transcripts.MAX_BYTES + 1)
    if len(data) > transcripts.MAX_BYTES:
        abort(413)
    form = request.form
    transcript, reading = transcripts.store(
        db.session(), clip, data, form.get("language") or request.args.get("language"),
        form.get("speakers") or request.args.get("speakers"), current_user, access.role_on(current_user, clip),
    )  # fmt: skip
    return jsonify(cues=len(transcript.cues), skipped=reading.skipped, transcript=transcripts.transcript_json(transcript)), 201


def _watched_transcript(clip_id: int):
    """The clip's transcript for someone who may watch the clip: reading it is watching the clip,
    audited as its stream is. 404 without one."""
    clip = access.get_or_404(current_user, "media", Clip, clip_id)
    transcript = transcripts.transcript_of(db.session(), clip)
    if transcript is None:
        abort(404)
    audit.record_stream(db.session(), current_user, clip.id, access.role_on(current_user, clip))
    return transcript


@bp.get("/api/clips/<int:clip_id>/transcript")
@login_required
def api_transcript(clip_id: int):
    response = jsonify(transcripts.transcript_json(_watched_transcript(clip_id)))
    response.headers["Cache-Control"] = "private, no-store"  # what families said stays off shared caches
    return response


@bp.get("/api/clips/<int:clip_id>/transcript.vtt")
@login_required
def api_transcript_vtt(clip_id: int):
    """The captions for the players' `<track>`."""
    response = Response(transcripts.as_webvtt(_watched_transcript(clip_id)), mimetype="text/vtt")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.delete("/api/clips/<int:clip_id>/transcript")
@login_required
def api_transcript_delete(clip_id: int):
    clip = access.get_or_404(current_user, "edit", Clip, clip_id)
    if not transcripts.delete_transcript(db.session(), clip, current_user, access.role_on(current_user, clip)):
        abort(404)
    return "", 204


def _private_image(key: str):
    # Pictures of families must not stay in a shared computer's browser cache: storage sends them
    # private and no-store; the server caches them.
    return storage.current().send(key, "image/jpeg")


def _form_int(name: str) -> int | None:
    raw = request.form.get(name, "")
    try:
        value = int(raw) if len(raw) <= 20 else None  # Python refuses to read thousands of digits
    except ValueError:
        return None
    return value if db.is_id(value) else None
