"""The JSON API of supervision: review requests, feedback, answers and notifications (docs/api.md)."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user, login_required

from vib.accounts.certificates import askable_supervisors
from vib.clips.models import Clip
from vib.core import access, db
from vib.core.api import accepts, json_body
from vib.supervision import notifications
from vib.supervision import operations as ops
from vib.supervision.models import FeedbackItem, ReviewRequest
from vib.supervision.schemas import AnswerBody, FeedbackBody, ReviewRequestBody
from vib.supervision.serialise import answer_json, feedback_json, review_json

bp = Blueprint("supervision_api", __name__, url_prefix="/api")


def _review(review_id: int) -> ReviewRequest:
    return access.get_or_404(current_user, "view", ReviewRequest, review_id)


def _feedback_item(review_id: int, item_id: int) -> FeedbackItem:
    item = ops.feedback_item(_review(review_id), item_id)
    if item is None:
        abort(404)
    return item


@bp.post("/clips/<int:clip_id>/reviews")
@login_required
@accepts(ReviewRequestBody)
def request_review(clip_id: int):
    clip = access.get_or_404(current_user, "own", Clip, clip_id)  # only its owner asks
    body = json_body()
    review = ops.request_review(db.session(), clip, current_user, body.get("supervisor"), body.get("question"))
    return jsonify(review_json(db.session(), review, current_user)), 201


@bp.get("/supervisors")
@login_required
def supervisors():
    if not current_user.has_role("worker"):
        abort(403)
    return jsonify([
        {"id": u.id, "name": u.name, "email": u.email, "valid_until": u.certificate.valid_until.isoformat()}
        for u in askable_supervisors(db.session()) if u.id != current_user.id
    ])  # fmt: skip


@bp.get("/reviews")
@login_required
def list_reviews():
    reviews = ops.reviews_for(db.session(), current_user, request.args.get("state") or None)
    return jsonify([review_json(db.session(), r, current_user, full=False) for r in reviews])


@bp.get("/reviews/<int:review_id>")
@login_required
def get_review(review_id: int):
    review = _review(review_id)
    ops.open_review(db.session(), review, current_user)
    return jsonify(review_json(db.session(), review, current_user))


@bp.get("/clips/<int:clip_id>/feedback")
@login_required
def clip_feedback(clip_id: int):
    clip = access.get_or_404(current_user, "media", Clip, clip_id)
    return jsonify([feedback_json(f) for f in ops.clip_feedback(db.session(), clip, current_user)])


@bp.post("/reviews/<int:review_id>/feedback")
@login_required
@accepts(FeedbackBody)
def add_feedback(review_id: int):
    item = ops.add_feedback(db.session(), _review(review_id), current_user, json_body())
    return jsonify(feedback_json(item)), 201


@bp.patch("/reviews/<int:review_id>/feedback/<int:item_id>")
@login_required
@accepts(FeedbackBody)
def update_feedback(review_id: int, item_id: int):
    item = _feedback_item(review_id, item_id)
    return jsonify(feedback_json(ops.update_feedback(db.session(), item, current_user, json_body())))


@bp.delete("/reviews/<int:review_id>/feedback/<int:item_id>")
@login_required
def delete_feedback(review_id: int, item_id: int):
    ops.delete_feedback(db.session(), _feedback_item(review_id, item_id), current_user)
    return "", 204


@bp.post("/reviews/<int:review_id>/send")
@login_required
def send(review_id: int):
    review = ops.send_feedback(db.session(), _review(review_id), current_user)
    return jsonify(review_json(db.session(), review, current_user))


@bp.post("/reviews/<int:review_id>/answers")
@login_required
@accepts(AnswerBody)
def answer(review_id: int):
    reply = ops.answer(db.session(), _review(review_id), current_user, json_body())
    return jsonify(answer_json(reply)), 201


@bp.post("/reviews/<int:review_id>/withdraw")
@login_required
def withdraw(review_id: int):
    review = ops.withdraw(db.session(), _review(review_id), current_user)
    return jsonify(review_json(db.session(), review, current_user))


@bp.post("/reviews/<int:review_id>/close")
@login_required
def close(review_id: int):
    review = ops.close(db.session(), _review(review_id), current_user)
    return jsonify(review_json(db.session(), review, current_user))


@bp.get("/notifications")
@login_required
def list_notifications():
    rows = notifications.for_user(db.session(), current_user, unread_only=request.args.get("unread") == "1")
    return jsonify([notifications.notification_json(n) for n in rows])


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def read_notification(notification_id: int):
    notification = notifications.notification_or_none(db.session(), current_user, notification_id)
    if notification is None:
        abort(404)
    notifications.mark_read(db.session(), notification)
    return jsonify(notifications.notification_json(notification))


@bp.post("/notifications/read")
@login_required
def read_all_notifications():
    return jsonify(read=notifications.mark_all_read(db.session(), current_user))
