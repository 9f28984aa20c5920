"""Deleting a clip, a case's data export and the deletion dates on the clip and case pages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, request, send_file, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from vib.cases.hooks import case_page_sections
from vib.cases.models import Case
from vib.clips.hooks import clip_page_sections
from vib.clips.models import Clip
from vib.core import access, db
from vib.core.api import accepts, json_body
from vib.core.hooks import Section
from vib.privacy import operations as ops
from vib.privacy.export import export_case
from vib.privacy.models import OWNER
from vib.privacy.schemas import PolicyChange

bp = Blueprint("privacy", __name__)


@bp.delete("/api/clips/<int:clip_id>")
@login_required
def api_delete_clip(clip_id: int):
    clip = access.get_or_404(current_user, "delete", Clip, clip_id)
    tombstone = ops.delete_clip(db.session(), clip, OWNER, current_user, "worker")
    return jsonify(ops.tombstone_json(tombstone)), 200


@bp.post("/clips/<int:clip_id>/delete")
@login_required
def delete_clip_page(clip_id: int):
    clip = access.get_or_404(current_user, "delete", Clip, clip_id)
    case_id, title = clip.case_id, clip.title
    ops.delete_clip(db.session(), clip, OWNER, current_user, "worker")
    flash(gettext("The clip %(title)s and everything made from it have been deleted.", title=title), "success")
    return redirect(url_for("cases.case_page", case_id=case_id))


@bp.get("/api/cases/<int:case_id>/deleted-clips")
@login_required
def api_deleted_clips(case_id: int):
    case = access.get_or_404(current_user, "view", Case, case_id)
    return jsonify([ops.tombstone_json(t) for t in ops.tombstones(db.session(), case)])


@bp.get("/api/cases/<int:case_id>/export")
@login_required
def api_export(case_id: int):
    case = access.get_or_404(current_user, "export", Case, case_id)
    media = request.args.get("media") == "1"
    archive = export_case(db.session(), case, current_user, "worker", media=media)
    return send_file(archive, mimetype="application/zip", as_attachment=True, download_name=f"vib-case-{case.code}.zip", max_age=0)


@bp.get("/api/policy")
@login_required
def api_policy():
    _administrators_only()
    return jsonify(ops.policy_json(ops.policy(db.session())))


@bp.put("/api/policy")
@login_required
@accepts(PolicyChange)
def api_set_policy():
    _administrators_only()
    return jsonify(ops.policy_json(ops.set_policy(db.session(), current_user, "admin", json_body())))


def _administrators_only() -> None:
    if not access.may_do(current_user, "administer"):
        abort(404)


@clip_page_sections.connect
def clip_deletion_section(clip: Clip, user) -> Section | None:
    """When and why the clip will be deleted, and (for its owner) deleting it now."""
    if not access.may(user, "own", clip):
        return None
    plan = ops.planned_deletion(clip, ops.policy(db.session()))
    return Section("privacy/_clip_deletion.html", {"plan": plan})


@case_page_sections.connect
def case_privacy_section(case: Case, user) -> Section:
    """The case's retention, its data export and its deleted clips."""
    current = ops.policy(db.session())
    return Section(
        "privacy/_case_privacy.html",
        {
            "policy": current,
            "withdrawal_due": ops.withdrawal_due(case),
            "tombstones": ops.tombstones(db.session(), case),
            "reason_labels": ops.REASON_LABELS,
        },
    )
