"""The meetings JSON API: a case's progress, its meetings and their items, the handout (docs/api.md)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify
from flask_login import current_user, login_required

from vib.cases.models import Case
from vib.core import access, db
from vib.core.api import accepts, json_body
from vib.meetings import handout as handouts
from vib.meetings import operations as ops
from vib.meetings import progress
from vib.meetings.models import Meeting, MeetingItem
from vib.meetings.schemas import ItemChange, ItemFields, MeetingFields
from vib.meetings.serialise import item_json, meeting_json

bp = Blueprint("meetings", __name__, url_prefix="/api")


def _meeting(meeting_id: int, action: str = "view") -> Meeting:
    return access.get_or_404(current_user, action, Meeting, meeting_id)


def _item(meeting: Meeting, item_id: int) -> MeetingItem:
    item = ops.meeting_item(meeting, item_id)
    if item is None:
        abort(404)
    return item


# -- progress -------------------------------------------------------------------------------------


@bp.get("/cases/<int:case_id>/progress")
@login_required
def case_progress(case_id: int):
    case = access.get_or_404(current_user, "view", Case, case_id)
    rows = progress.case_progress(db.session(), case, current_user)
    return jsonify({"clips": [row.as_dict() for row in rows], "sentences": progress.sentences(rows)})


@bp.get("/cases/<int:case_id>/progress.svg")
@login_required
def case_progress_chart(case_id: int):
    case = access.get_or_404(current_user, "view", Case, case_id)
    svg = progress.chart_svg(progress.case_progress(db.session(), case, current_user))
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "private, no-store"})


# -- meetings -------------------------------------------------------------------------------------


@bp.get("/cases/<int:case_id>/meetings")
@login_required
def list_meetings(case_id: int):
    case = access.get_or_404(current_user, "view", Case, case_id)
    return jsonify([meeting_json(db.session(), m, current_user, with_items=False) for m in ops.case_meetings(db.session(), case)])


@bp.post("/cases/<int:case_id>/meetings")
@login_required
@accepts(MeetingFields)
def create_meeting(case_id: int):
    case = access.get_or_404(current_user, "edit", Case, case_id)
    meeting = ops.create_meeting(db.session(), case, current_user, json_body())
    return jsonify(meeting_json(db.session(), meeting, current_user)), 201


@bp.get("/meetings/<int:meeting_id>")
@login_required
def get_meeting(meeting_id: int):
    meeting = _meeting(meeting_id)
    ops.record_view(db.session(), current_user, meeting)
    return jsonify(meeting_json(db.session(), meeting, current_user))


@bp.patch("/meetings/<int:meeting_id>")
@login_required
@accepts(MeetingFields)
def update_meeting(meeting_id: int):
    meeting = ops.update_meeting(db.session(), _meeting(meeting_id, "edit"), current_user, json_body())
    return jsonify(meeting_json(db.session(), meeting, current_user))


@bp.delete("/meetings/<int:meeting_id>")
@login_required
def delete_meeting(meeting_id: int):
    ops.delete_meeting(db.session(), _meeting(meeting_id, "edit"), current_user)
    return "", 204


# -- items ----------------------------------------------------------------------------------------


@bp.post("/meetings/<int:meeting_id>/items")
@login_required
@accepts(ItemFields)
def add_item(meeting_id: int):
    item = ops.add_item(db.session(), _meeting(meeting_id, "edit"), current_user, json_body())
    return jsonify(item_json(db.session(), item, current_user)), 201


@bp.patch("/meetings/<int:meeting_id>/items/<int:item_id>")
@login_required
@accepts(ItemChange)
def update_item(meeting_id: int, item_id: int):
    meeting = _meeting(meeting_id, "edit")
    item = ops.update_item(db.session(), meeting, _item(meeting, item_id), current_user, json_body())
    return jsonify(item_json(db.session(), item, current_user))


@bp.delete("/meetings/<int:meeting_id>/items/<int:item_id>")
@login_required
def remove_item(meeting_id: int, item_id: int):
    meeting = _meeting(meeting_id, "edit")
    ops.remove_item(db.session(), meeting, _item(meeting, item_id), current_user)
    return "", 204


# -- the handout ----------------------------------------------------------------------------------


@bp.get("/meetings/<int:meeting_id>/handout.pdf")
@login_required
def handout(meeting_id: int):
    meeting = _meeting(meeting_id, "print")
    ops.record_view(db.session(), current_user, meeting, "meeting.handout")
    pdf = handouts.handout_pdf(db.session(), meeting, current_user)
    filename = f"handout-meeting-{meeting.id}.pdf"  # never the case code: file names travel
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "private, no-store"},
    )
