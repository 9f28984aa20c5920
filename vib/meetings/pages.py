"""The meetings' pages: planning and preparing a meeting (its items, moments of the case's clips to
pick from, before and after), presenting it, and its print layout (the handout's template)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from vib.cases.models import Case
from vib.core import access, db
from vib.core.pages import flashing_refusal
from vib.meetings import handout
from vib.meetings import operations as ops
from vib.meetings.models import Meeting
from vib.meetings.serialise import meeting_json

bp = Blueprint("meeting_pages", __name__, url_prefix="/meetings")

MEETING_FIELDS = ("date", "question", "title")


def _form() -> dict:
    return {name: request.form.get(name, "") for name in MEETING_FIELDS}


@bp.post("/for-case/<int:case_id>")
@login_required
def create_page(case_id: int):
    case = access.get_or_404(current_user, "edit", Case, case_id)
    with flashing_refusal() as outcome:
        meeting = ops.create_meeting(db.session(), case, current_user, _form())
    if outcome.refused:
        return redirect(url_for("cases.case_page", case_id=case.id) + "#meetings")
    return redirect(url_for("meeting_pages.meeting_page", meeting_id=meeting.id))


@bp.get("/<int:meeting_id>")
@login_required
def meeting_page(meeting_id: int):
    meeting = access.get_or_404(current_user, "view", Meeting, meeting_id)
    ops.record_view(db.session(), current_user, meeting)
    return render_template(
        "meetings/meeting.html",
        meeting=meeting,
        data=meeting_json(db.session(), meeting, current_user),
        picker=ops.pickable_moments(db.session(), meeting, current_user),
        media_refusal=access.refusal(current_user, "present", meeting),
    )


@bp.post("/<int:meeting_id>/edit")
@login_required
def edit_page(meeting_id: int):
    meeting = access.get_or_404(current_user, "edit", Meeting, meeting_id)
    with flashing_refusal():
        ops.update_meeting(db.session(), meeting, current_user, _form())
    return redirect(url_for("meeting_pages.meeting_page", meeting_id=meeting.id))


@bp.post("/<int:meeting_id>/delete")
@login_required
def delete_page(meeting_id: int):
    meeting = access.get_or_404(current_user, "edit", Meeting, meeting_id)
    case_id = meeting.case_id
    ops.delete_meeting(db.session(), meeting, current_user)
    return redirect(url_for("cases.case_page", case_id=case_id) + "#meetings")


@bp.get("/<int:meeting_id>/present")
@login_required
def present_page(meeting_id: int):
    meeting = access.get_or_404(current_user, "present", Meeting, meeting_id)
    ops.record_view(db.session(), current_user, meeting, "meeting.present")
    return render_template(
        "meetings/present.html",
        meeting=meeting,
        data=meeting_json(db.session(), meeting, current_user),
        progress=handout.progress_context(db.session(), meeting, current_user),
    )


@bp.get("/<int:meeting_id>/print")
@login_required
def print_page(meeting_id: int):
    """The handout as a web page (the same template as the PDF), for the browser's print."""
    meeting = access.get_or_404(current_user, "print", Meeting, meeting_id)
    ops.record_view(db.session(), current_user, meeting, "meeting.handout")
    return handout.handout_html(db.session(), meeting, current_user, for_pdf=False)
