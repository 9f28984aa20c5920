"""Supervision pages: my reviews, the review page (the coding page with the feedback panel beside
it), asking for a review from a clip's page, and the notifications with the unread badge.

The business rules live in vib.supervision.operations (and .notifications, .language); these views
only call them and show what they answer."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from vib.accounts.certificates import askable_supervisors
from vib.cases.operations import supervision_refusal
from vib.clips import operations as clip_ops
from vib.clips.hooks import clip_page_sections
from vib.clips.models import Clip
from vib.clips.serialise import clip_json
from vib.coding import hooks as coding_hooks
from vib.coding.video import clip_page_video
from vib.core import access, db
from vib.core.hooks import Section
from vib.core.pages import flashing_refusal
from vib.schemes import catalogue as schemes
from vib.supervision import language, notifications, operations
from vib.supervision.models import ReviewRequest
from vib.supervision.serialise import feedback_json, review_json

bp = Blueprint("supervision", __name__)

STATE_LABELS = {
    "requested": _l("Requested"),
    "in_review": _l("In review"),
    "feedback_sent": _l("Feedback sent"),
    "answered": _l("Answered"),
    "closed": _l("Closed"),
    "withdrawn": _l("Withdrawn"),
    "ended": _l("Ended"),
}
# The states in the order a review goes through them (withdrawn and ended end it early).
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
    reviews = [review_json(session, r, current_user, full=False) for r in found]
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
    review = access.get_or_404(current_user, "view", ReviewRequest, review_id)
    # The supervisor's first look moves it into review; for either party, opening it reads its notifications.
    operations.open_review(session, review, current_user)
    clip = review.clip
    if access.may(current_user, "view", clip):
        clip_ops.record_view(session, current_user, clip)
        media_refusal = access.refusal(current_user, "media", clip)
    else:  # withdrawn, or the supervisor's access after closing has ended
        media_refusal = str(_l("This clip is no longer shared with you."))
    data = review_json(session, review, current_user, full=True)
    items = list(data.get("feedback") or []) + ([data["summary"]] if data.get("summary") else [])
    base = url_for("supervision_api.get_review", review_id=review.id)
    return render_template(
        "coding/code.html",
        clip=clip,
        clip_data=clip_json(clip, current_user),
        video=clip_page_video(clip),
        scheme=schemes.scheme_json(clip_ops.scheme_for_clip(session, clip)),
        media_refusal=media_refusal,
        may_code=access.may(current_user, "code", clip),
        is_owner=access.may(current_user, "own", clip),
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
    clip = access.get_or_404(current_user, "own", Clip, clip_id)
    with flashing_refusal() as outcome:
        review = operations.request_review(
            db.session(), clip, current_user, request.form.get("supervisor", ""), request.form.get("question", "")
        )
    if outcome.refused:
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
    review = access.get_or_404(current_user, "view", ReviewRequest, review_id)
    with flashing_refusal():
        operation(db.session(), review, current_user)
        flash(done_message, "info")
    return redirect(url_for("supervision.review_page", review_id=review.id))


# -- on the pages of clips and coding --------------------------------------------------------------


@clip_page_sections.connect
def clip_reviews_section(clip: Clip, user) -> Section:
    """The clip's reviews on its page, and for its owner the form to ask for one."""
    session = db.session()
    is_owner = access.may(user, "own", clip)
    reviews = operations.clip_reviews(session, clip, user)
    return Section(
        "supervision/_clip_reviews.html",
        {
            "is_owner": is_owner,
            "reviews": [(review_json(session, r, user, full=False), r.created_at) for r in reviews],
            "supervisors": [u for u in askable_supervisors(session) if u.id != user.id] if is_owner else [],
            "supervision_refusal": supervision_refusal(clip.case) if is_owner else None,
        },
    )


@coding_hooks.clip_feedback.connect
def feedback_on_clip(clip: Clip, viewer) -> dict:
    """Feedback in the timeline's feedback lane and beside the stills: what was sent (the worker), or
    the supervisor's own (drafts too)."""
    items = [feedback_json(f) for f in operations.clip_feedback(db.session(), clip, viewer)]
    return {"items": items, "kind_labels": language.kind_labels()}


@coding_hooks.clip_links.connect
def reviews_of_clip(clip: Clip, viewer) -> list[dict]:
    """The coding page's header links to each review of the clip that `viewer` is a party of."""
    links = []
    for review in operations.clip_reviews(db.session(), clip, viewer):
        if operations.part_of(review, viewer) == "worker":
            text = gettext("Review by %(name)s", name=review.supervisor.name)
        else:
            text = gettext("Your review")
        links.append({"url": url_for("supervision.review_page", review_id=review.id), "text": f"{text} ({STATE_LABELS[review.state]})"})
    return links


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
