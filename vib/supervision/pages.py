"""Supervision pages: my reviews, the review page (the coding page with the feedback panel beside
it), asking for a review from a clip's page, and the notifications with the unread badge. The
operations they call commit their own changes.

The business rules live in vib.supervision.operations (and .notifications, .language); these views
only call them and show what they answer."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from vib.clips.views import clip_json
from vib.coding import schemes
from vib.coding.views import viewed_clip
from vib.core import access, db
from vib.core.errors import UserError
from vib.supervision import language, notifications, operations

bp = Blueprint("supervision", __name__)

STATE_LABELS = {
    "requested": _l("Requested"),
    "in_review": _l("In review"),
    "feedback_sent": _l("Feedback sent"),
    "answered": _l("Answered"),
    "closed": _l("Closed"),
    "withdrawn": _l("Withdrawn"),
}
# The states in the order a review goes through them (withdrawn ends it early).
STEPS = ("requested", "in_review", "feedback_sent", "answered", "closed")


def state_labels() -> dict[str, str]:
    return {state: str(label) for state, label in STATE_LABELS.items()}


@bp.app_context_processor
def supervision_globals() -> dict:
    """The unread count for the top bar's badge (asked for only by base.html) and the state labels."""

    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        return notifications.unread_count(db.session(), current_user)

    return {"unread_notifications": unread_notifications, "review_state_labels": STATE_LABELS}


# -- reviews --------------------------------------------------------------------------------------


@bp.get("/reviews")
@login_required
def list_page():
    session = db.session()
    found = operations.reviews_for(session, current_user)
    reviews = [operations.review_json(session, r, current_user, full=False) for r in found]
    return render_template(
        "supervision/list.html",
        asked_of_me=[r for r in reviews if r["my_part"] == "supervisor"],
        my_requests=[r for r in reviews if r["my_part"] == "worker"],
        created={r.id: r.created_at for r in found},
    )


@bp.get("/reviews/<int:review_id>")
@login_required
def review_page(review_id: int):
    session = db.session()
    review = access.review_or_404(current_user, review_id)
    # The supervisor's first look moves it into review; for either party, opening it reads its notifications.
    operations.open_review(session, review, current_user)
    clip = review.clip
    if access.may_clip(current_user, "view", clip):
        viewed_clip(clip.id)  # the audit log records that the clip was looked at
        media_refusal = access.media_refusal(clip, current_user)
    else:  # withdrawn, or the supervisor's access after closing has ended
        media_refusal = str(_l("This clip is no longer shared with you."))
    data = operations.review_json(session, review, current_user, full=True)
    items = list(data.get("feedback") or []) + ([data["summary"]] if data.get("summary") else [])
    base = url_for("supervision_api.get_review", review_id=review.id)
    return render_template(
        "coding/code.html",
        clip=clip,
        clip_data=clip_json(clip),
        scheme=schemes.scheme_json(schemes.scheme_for_clip(session, clip)),
        media_refusal=media_refusal,
        may_code=access.may_clip(current_user, "code", clip),
        is_owner=access.is_owner(current_user, clip),
        review=data,
        review_obj=review,
        review_steps=STEPS,
        feedback_data={"items": items, "kind_labels": language.kind_labels()},
        review_ui={
            "starters": language.starters(str(get_locale())),
            "fault_words": language.fault_words(),
            "kind_labels": language.kind_labels(),
            "state_labels": state_labels(),
            # The server's hint (language.hint_for), shown while typing: the same words, the same text.
            "hint": language.hint_message("{words}"),
            "urls": {
                "review": base,
                "feedback": f"{base}/feedback",
                "send": f"{base}/send",
                "answers": f"{base}/answers",
            },
        },
    )


@bp.post("/clips/<int:clip_id>/reviews")
@login_required
def ask_page(clip_id: int):
    clip = access.clip_or_404(current_user, "view", clip_id)
    if not access.is_owner(current_user, clip):
        abort(404)
    session = db.session()
    try:
        review = operations.request_review(
            session, clip, current_user, request.form.get("supervisor", ""), request.form.get("question", "")
        )
    except UserError as exc:
        session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("clips.clip_page", clip_id=clip.id, _anchor="reviews"))
    flash(_l("Your request has been sent to %(name)s.", name=review.supervisor.name), "info")
    return redirect(url_for("supervision.review_page", review_id=review.id))


@bp.post("/reviews/<int:review_id>/withdraw")
@login_required
def withdraw_page(review_id: int):
    return _act(review_id, operations.withdraw, _l("The request has been withdrawn: the supervisor no longer sees this clip."))


@bp.post("/reviews/<int:review_id>/close")
@login_required
def close_page(review_id: int):
    return _act(review_id, operations.close, _l("The review is closed."))


def _act(review_id: int, operation, done_message) -> object:
    session = db.session()
    review = access.review_or_404(current_user, review_id)
    try:
        operation(session, review, current_user)
        flash(done_message, "info")
    except UserError as exc:
        session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("supervision.review_page", review_id=review.id))


# -- notifications --------------------------------------------------------------------------------


@bp.get("/notifications")
@login_required
def notifications_page():
    rows = [(n, notifications.notification_json(n)) for n in notifications.for_user(db.session(), current_user)]
    return render_template("supervision/notifications.html", rows=rows, any_unread=any(not data["read"] for _, data in rows))


@bp.get("/notifications/<int:notification_id>")
@login_required
def open_notification(notification_id: int):
    """Marks one notification read and goes to what it is about (one GET: it can be opened in a tab)."""
    session = db.session()
    notification = notifications.notification_or_none(session, current_user, notification_id)
    if notification is None:
        abort(404)
    url = notifications.notification_json(notification).get("url") or ""
    notifications.mark_read(session, notification)
    # Only a path of this site: a notification never sends anyone elsewhere.
    if not url.startswith("/") or url.startswith("//"):
        url = url_for("supervision.notifications_page")
    return redirect(url)


@bp.post("/notifications/read")
@login_required
def read_all_page():
    session = db.session()
    notifications.mark_all_read(session, current_user)
    return redirect(url_for("supervision.notifications_page"))
