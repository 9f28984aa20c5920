"""Supervision's part in the privacy lifecycle: a clip's reviews (feedback, answers, notifications)
go with it; withdrawing consent for supervision ends the case's reviews; a case's export lists them."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from vib.cases.models import Case
from vib.clips.models import Clip
from vib.core.db import session as current_session
from vib.privacy import registry
from vib.privacy.hooks import deletion_approaching
from vib.supervision import notifications
from vib.supervision.models import FeedbackItem, Notification, ReviewAnswer, ReviewRequest
from vib.supervision.operations import end_for_withdrawal, feedback_was_sent
from vib.supervision.serialise import answer_json, feedback_json


def delete_clip_reviews(db: Session, clip: Clip) -> dict[str, int]:
    reviews = select(ReviewRequest.id).where(ReviewRequest.clip_id == clip.id)
    counts = {
        "reviews": db.scalar(select(func.count()).select_from(reviews.subquery())) or 0,
        "feedback": db.scalar(select(func.count(FeedbackItem.id)).where(FeedbackItem.review_id.in_(reviews))) or 0,
        "answers": db.scalar(select(func.count(ReviewAnswer.id)).where(ReviewAnswer.review_id.in_(reviews))) or 0,
    }
    fetch = {"synchronize_session": "fetch"}
    db.execute(delete(Notification).where(Notification.review_id.in_(reviews) | (Notification.clip_id == clip.id)), execution_options=fetch)
    db.execute(delete(ReviewAnswer).where(ReviewAnswer.review_id.in_(reviews)), execution_options=fetch)
    db.execute(delete(FeedbackItem).where(FeedbackItem.review_id.in_(reviews)), execution_options=fetch)
    db.execute(delete(ReviewRequest).where(ReviewRequest.clip_id == clip.id), execution_options=fetch)
    return counts


def end_case_reviews(db: Session, case: Case, person: str, by) -> None:
    for review in db.scalars(select(ReviewRequest).join(ReviewRequest.clip).where(Clip.case_id == case.id)):
        end_for_withdrawal(db, review, by)


def export_reviews(db: Session, case: Case) -> registry.ExportPart:
    """The case's reviews with the feedback the worker received and their answers (drafts stay out)."""
    reviews = db.scalars(select(ReviewRequest).join(ReviewRequest.clip).where(Clip.case_id == case.id).order_by(ReviewRequest.id)).all()
    data, feedback_ids = [], []
    for review in reviews:
        sent = db.scalar(select(ReviewRequest.id).where(ReviewRequest.id == review.id, feedback_was_sent())) is not None
        items = [feedback_json(item) for item in review.feedback] if sent else []
        feedback_ids += [item["id"] for item in items]
        data.append(
            {
                "id": review.id,
                "clip_id": review.clip_id,
                "supervisor": review.supervisor.name,
                "question": review.question,
                "state": review.state,
                "end_reason": review.end_reason,
                **{name: value.isoformat() if (value := getattr(review, name)) else None for name in ("created_at", "sent_at", "closed_at", "ended_at")},
                "feedback": [{key: item[key] for key in ("id", "kind", "moment_id", "start_ms", "end_ms", "text", "created_at")} for item in items],
                "answers": [{key: answer[key] for key in ("id", "feedback_id", "text", "next_goal", "created_at")} for answer in map(answer_json, review.answers)],
            }
        )  # fmt: skip
    return registry.ExportPart(data, audit_objects={"review": [r.id for r in reviews], "feedback": feedback_ids})


@deletion_approaching.connect
def _warn_owner(clip: Clip, on) -> None:
    notifications.notify(current_session(), clip.case.owner, "clip_deletion_due", clip_id=clip.id, on_date=on)


registry.clip_dependent("supervision", delete=delete_clip_reviews)
registry.on_withdrawal("supervision", "supervision", end_case_reviews)
registry.exporter("reviews", export_reviews)
