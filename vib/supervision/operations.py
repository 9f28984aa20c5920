"""Supervision: the rules of a review request's life, of feedback and of the worker's answers.

Views ask `access` whether someone is a party of the review at all (others get "not found"); the
rules here say what each party may do in each state (a wrong state answers 409 with the reason).
Every change goes to the audit log in the same transaction as the change.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from vib.accounts.certificates import may_be_asked
from vib.accounts.models import User
from vib.cases.operations import set_next_goal, supervision_refusal
from vib.clips.models import READY, Clip
from vib.coding.models import Moment
from vib.coding.operations import is_analysis_only
from vib.core import access, audit
from vib.core.db import is_id, utcnow
from vib.core.errors import FieldError
from vib.supervision import notifications
from vib.supervision.models import (
    ANSWERED,
    CLOSED,
    ENDED,
    FEEDBACK_KINDS,
    FEEDBACK_SENT,
    IN_REVIEW,
    OPEN_STATES,
    REQUESTED,
    SENT_STATES,
    STATES,
    SUMMARY,
    WITHDRAWN,
    FeedbackItem,
    ReviewAnswer,
    ReviewRequest,
)  # fmt: skip

MAX_QUESTION = 2000
MAX_TEXT = 5000
ANCHOR_FIELDS = ("moment_id", "start_ms", "end_ms")
ANSWERABLE = (FEEDBACK_SENT, ANSWERED)


class ReviewError(FieldError):
    """A review request or feedback that breaks a rule."""


def _state_error(message) -> ReviewError:
    return ReviewError(message, status=409)


# -- requests ------------------------------------------------------------------------------------


def request_review(db: Session, clip: Clip, worker: User, supervisor_ref, question: str) -> ReviewRequest:
    """The worker (the clip's owner) asks a certified supervisor to review the clip."""
    question = (question or "").strip() if isinstance(question, str) else ""
    if not question:
        raise ReviewError(_l("Write your question for the supervisor: what should they look at?"), "question")
    if len(question) > MAX_QUESTION:
        raise ReviewError(_l("The question is too long (at most %(n)d characters).", n=MAX_QUESTION), "question")
    supervisor = _find_supervisor(db, supervisor_ref)
    if supervisor is None or not may_be_asked(supervisor):
        raise ReviewError(_l("Choose a supervisor with a valid certificate."), "supervisor")
    if supervisor.id == worker.id:
        raise ReviewError(_l("You cannot ask yourself for a review: choose another supervisor."), "supervisor")
    refusal = supervision_refusal(clip.case)
    if refusal:
        raise ReviewError(refusal, "consent")
    if clip.status != READY:
        raise _state_error(_l("The clip can be reviewed once it has been processed."))
    if db.scalar(select(ReviewRequest.id).where(
        ReviewRequest.clip_id == clip.id, ReviewRequest.supervisor_id == supervisor.id,
        ReviewRequest.state.in_((REQUESTED, IN_REVIEW, FEEDBACK_SENT, ANSWERED)),
    )):  # fmt: skip
        raise _state_error(_l("%(name)s already has an open review request for this clip.", name=supervisor.name))
    review = ReviewRequest(clip=clip, worker_id=worker.id, supervisor_id=supervisor.id, question=question, state=REQUESTED)
    db.add(review)
    db.flush()
    _audit(db, worker, "review.request", review, "worker")
    notifications.notify(db, supervisor, "review_requested", review, worker)
    db.flush()
    return review


def _find_supervisor(db: Session, ref) -> User | None:
    if isinstance(ref, bool):
        return None
    if isinstance(ref, str) and ref.strip().isdigit():
        ref = int(ref) if len(ref.strip()) <= 10 else 0  # no id is longer; Python refuses thousands of digits
    if isinstance(ref, int):
        return db.get(User, ref) if is_id(ref) else None
    if isinstance(ref, str) and ref.strip():
        return db.scalar(select(User).where(User.email == ref.strip().lower()))
    return None


def open_review(db: Session, review: ReviewRequest, user: User) -> None:
    """The supervisor's first look moves a request into review; opening reads its notifications."""
    if user.id == review.supervisor_id and review.state == REQUESTED:
        review.state, review.opened_at = IN_REVIEW, utcnow()
        _audit(db, user, "review.open", review, "supervisor")
        db.flush()
    notifications.mark_review_read(db, user, review)


def withdraw(db: Session, review: ReviewRequest, user: User) -> ReviewRequest:
    _require_worker(review, user)
    if review.state not in OPEN_STATES:
        raise _state_error(_l("Only a request whose feedback has not been sent yet can be withdrawn."))
    review.state, review.withdrawn_at = WITHDRAWN, utcnow()
    _audit(db, user, "review.withdraw", review, "worker")
    notifications.notify(db, review.supervisor, "review_withdrawn", review, user)
    db.flush()
    return review


def end_for_withdrawal(db: Session, review: ReviewRequest, by: User) -> None:
    """Consent for supervision was withdrawn: the review ends at once, whatever its state (but one that
    is over already); what was sent stays with the worker. Both parties are told."""
    if review.state in (WITHDRAWN, ENDED) or (review.state == CLOSED and review.access_until and review.access_until <= utcnow()):
        return
    review.state, review.ended_at, review.end_reason = ENDED, utcnow(), "supervision_withdrawn"
    _audit(db, by, "review.end", review, "worker")
    for party in (review.supervisor, review.worker):
        notifications.notify(db, party, "review_ended", review)
    db.flush()


def close(db: Session, review: ReviewRequest, user: User) -> ReviewRequest:
    """Either party closes a review once its feedback is sent; the supervisor keeps access for a while."""
    if review.state not in ANSWERABLE:
        raise _state_error(_l("A review can be closed once its feedback has been sent."))
    review.state, review.closed_at = CLOSED, utcnow()
    review.access_until = review.closed_at + timedelta(days=current_app.config["VIB_REVIEW_ACCESS_DAYS"])
    _audit(db, user, "review.close", review, part_of(review, user))
    other = review.supervisor if user.id == review.worker_id else review.worker
    notifications.notify(db, other, "review_closed", review, user)
    db.flush()
    return review


def granting_reviews(user: User) -> Select[tuple[int]]:
    """The ids of the clips whose review requests give `user` access now: named supervisor, not
    withdrawn, not closed longer ago than VIB_REVIEW_ACCESS_DAYS."""
    return select(ReviewRequest.clip_id).where(
        ReviewRequest.supervisor_id == user.id,
        ReviewRequest.state.not_in((WITHDRAWN, ENDED)),
        or_(ReviewRequest.access_until.is_(None), ReviewRequest.access_until > utcnow()),
    )


def sent_review_authors(db: Session, clip: Clip) -> set[int]:
    """The supervisors who sent feedback on this clip (the owner sees their moments)."""
    return set(db.scalars(select(ReviewRequest.supervisor_id).where(ReviewRequest.clip_id == clip.id, feedback_was_sent())))


def reviews_for(db: Session, user: User, state: str | None = None) -> list[ReviewRequest]:
    """The reviews `user` is a party of, as worker or as supervisor, newest first."""
    query = select(ReviewRequest).where(or_(ReviewRequest.worker_id == user.id, ReviewRequest.supervisor_id == user.id))
    if state is not None:
        if state not in STATES:
            raise ReviewError(_l("state must be one of: %(states)s.", states=", ".join(STATES)), "state")
        query = query.where(ReviewRequest.state == state)
    return list(db.scalars(query.order_by(ReviewRequest.id.desc())))


def clip_reviews(db: Session, clip: Clip, user: User) -> list[ReviewRequest]:
    """The reviews of `clip` that `user` is a party of."""
    return [r for r in reviews_for(db, user) if r.clip_id == clip.id]


# -- feedback ------------------------------------------------------------------------------------


def add_feedback(db: Session, review: ReviewRequest, user: User, fields: dict) -> FeedbackItem:
    _require_writing(review, user)
    _refuse_unknown(fields, ("kind", "text", *ANCHOR_FIELDS))
    kind = fields.get("kind")
    if kind not in (*FEEDBACK_KINDS, SUMMARY):
        raise ReviewError(_l("Give the kind of feedback: %(kinds)s.", kinds=", ".join((*FEEDBACK_KINDS, SUMMARY))), "kind")
    if kind == SUMMARY and any(f.kind == SUMMARY for f in review.feedback):
        raise _state_error(_l("This review already has a summary: change that one."))
    item = FeedbackItem(kind=kind, author=user, text=_text(fields))
    _anchor(db, review, user, item, fields)
    if review.state == REQUESTED:
        open_review(db, review, user)
    item.review = review  # only now: a refused item must not join the review
    db.add(item)
    db.flush()
    _audit(db, user, "feedback.create", item, "supervisor")
    db.flush()
    return item


def update_feedback(db: Session, item: FeedbackItem, user: User, fields: dict) -> FeedbackItem:
    review = item.review
    _require_writing(review, user)
    _refuse_unknown(fields, ("kind", "text", *ANCHOR_FIELDS))
    if "kind" in fields:
        kind = fields["kind"]
        if (kind == SUMMARY) != (item.kind == SUMMARY) or kind not in (*FEEDBACK_KINDS, SUMMARY):
            raise ReviewError(_l("Give the kind of feedback: %(kinds)s.", kinds=", ".join(FEEDBACK_KINDS)), "kind")
        item.kind = kind
    if "text" in fields:
        item.text = _text(fields)
    if any(name in fields for name in ANCHOR_FIELDS):
        _anchor(db, review, user, item, fields)
    _audit(db, user, "feedback.update", item, "supervisor")
    db.flush()
    return item


def delete_feedback(db: Session, item: FeedbackItem, user: User) -> None:
    _require_writing(item.review, user)
    _audit(db, user, "feedback.delete", item, "supervisor")
    db.delete(item)
    db.flush()


def send_feedback(db: Session, review: ReviewRequest, user: User) -> ReviewRequest:
    """The supervisor sends the feedback: from now on the worker sees it, and it no longer changes."""
    _require_writing(review, user)
    if not review.feedback:
        raise ReviewError(_l("Write at least one piece of feedback or a summary before you send."), "feedback")
    review.state, review.sent_at = FEEDBACK_SENT, utcnow()
    _audit(db, user, "review.send", review, "supervisor")
    notifications.notify(db, review.worker, "feedback_sent", review, user)
    db.flush()
    return review


def feedback_item(review: ReviewRequest, item_id: int) -> FeedbackItem | None:
    """One of the review's feedback items (None: it is not one of them)."""
    return next((f for f in review.feedback if f.id == item_id), None)


def feedback_was_sent():
    """Reviews whose feedback the worker has: sent, also when the review ended afterwards."""
    return or_(ReviewRequest.state.in_(SENT_STATES), (ReviewRequest.state == ENDED) & ReviewRequest.sent_at.is_not(None))


def clip_feedback(db: Session, clip: Clip, viewer: User) -> list[FeedbackItem]:
    """The feedback on a clip that `viewer` sees: its worker, what was sent; a supervisor, their own."""
    query = select(FeedbackItem).join(FeedbackItem.review).where(ReviewRequest.clip_id == clip.id)
    if access.may(viewer, "own", clip):
        query = query.where(feedback_was_sent())
    else:
        query = query.where(ReviewRequest.supervisor_id == viewer.id, ReviewRequest.state != WITHDRAWN)
    return list(db.scalars(query.order_by(FeedbackItem.start_ms, FeedbackItem.id)))


def _require_writing(review: ReviewRequest, user: User) -> None:
    if user.id != review.supervisor_id:
        raise ReviewError(_l("Only the supervisor who was asked writes feedback in this review."), status=403)
    if review.state not in OPEN_STATES:
        raise _state_error(_l("This feedback has been sent (or the request withdrawn): it can no longer change."))


def _text(fields: dict) -> str:
    text = fields.get("text")
    text = text.strip() if isinstance(text, str) else ""
    if not text:
        raise ReviewError(_l("Write the feedback text."), "text")
    if len(text) > MAX_TEXT:
        raise ReviewError(_l("The text is too long (at most %(n)d characters).", n=MAX_TEXT), "text")
    return text


def _anchor(db: Session, review: ReviewRequest, user: User, item: FeedbackItem, fields: dict) -> None:
    """Anchor an item on a moment (copying its times) or on a time range; a summary on nothing."""
    if item.kind == SUMMARY:
        if any(fields.get(name) is not None for name in ANCHOR_FIELDS):
            raise ReviewError(_l("The summary is about the whole clip: give it no moment or time."), "moment_id")
        item.moment_id = item.start_ms = item.end_ms = None
        return
    moment_id = fields.get("moment_id")
    if moment_id is not None:
        moment = db.get(Moment, moment_id) if is_id(moment_id) else None
        if moment is None or moment.clip_id != review.clip_id or not access.may(user, "media", moment):
            raise ReviewError(_l("Anchor the feedback on a moment of this clip."), "moment_id")
        if is_analysis_only(db, moment):
            raise ReviewError(
                _l("This code is for analysis only and is never shown to the worker: anchor the feedback on what goes well."), "moment_id"
            )
        item.moment_id, item.start_ms, item.end_ms = moment.id, moment.start_ms, moment.end_ms
        return
    start, end = fields.get("start_ms", item.start_ms), fields.get("end_ms")
    duration = review.clip.duration_ms or 0
    if not _is_int(start) or not 0 <= start <= duration:
        raise ReviewError(_l("Anchor the feedback on a moment (moment_id) or a time in the clip (start_ms)."), "start_ms")
    if end is not None and (not _is_int(end) or not start < end <= duration):
        raise ReviewError(_l("end_ms must lie after start_ms and within the clip."), "end_ms")
    item.moment_id, item.start_ms, item.end_ms = None, start, end


# -- answers -------------------------------------------------------------------------------------


def answer(db: Session, review: ReviewRequest, user: User, fields: dict) -> ReviewAnswer:
    """The worker answers one item or the whole feedback, and may set the case's next learning goal."""
    _require_worker(review, user)
    _refuse_unknown(fields, ("feedback_id", "text", "next_goal"))
    if review.state not in ANSWERABLE:
        raise _state_error(_l("You can answer once the feedback has been sent, until the review is closed."))
    feedback_id = fields.get("feedback_id")
    if feedback_id is not None and not any(f.id == feedback_id for f in review.feedback if _is_int(feedback_id)):
        raise ReviewError(_l("Answer a feedback item of this review."), "feedback_id")
    goal = fields.get("next_goal")
    goal = goal.strip() if isinstance(goal, str) else None
    if goal and len(goal) > MAX_QUESTION:
        raise ReviewError(_l("The learning goal is too long (at most %(n)d characters).", n=MAX_QUESTION), "next_goal")
    # A next learning goal alone is an answer too; otherwise the answer needs words.
    given = fields.get("text")
    text = _text(fields) if not goal or (isinstance(given, str) and given.strip()) else ""
    reply = ReviewAnswer(feedback_id=feedback_id, author=user, text=text, next_goal=goal or None)
    reply.review = review
    db.add(reply)
    if goal:
        set_next_goal(db, review.clip.case, goal, user)
    if review.state == FEEDBACK_SENT:
        review.state, review.answered_at = ANSWERED, utcnow()
    db.flush()
    _audit(db, user, "review.answer", review, "worker")
    notifications.notify(db, review.supervisor, "review_answered", review, user)
    db.flush()
    return reply


# -- helpers -------------------------------------------------------------------------------------


def part_of(review: ReviewRequest, user: User) -> str:
    """The side `user` is on in the review."""
    return "worker" if user.id == review.worker_id else "supervisor"


def _require_worker(review: ReviewRequest, user: User) -> None:
    if user.id != review.worker_id:
        raise ReviewError(_l("Only the worker who asked for this review can do this."), status=403)


def _refuse_unknown(fields: dict, known: tuple[str, ...]) -> None:
    unknown = sorted(set(fields) - set(known))
    if unknown:
        raise ReviewError(_l("Unknown field: %(fields)s.", fields=", ".join(unknown)), unknown[0])


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _audit(db: Session, user: User, action: str, obj, role: str) -> None:
    object_type = "review" if isinstance(obj, ReviewRequest) else "feedback"
    audit.record(db, user, action, object_type, obj.id, role)
