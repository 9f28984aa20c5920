"""Reviews, feedback and answers as the API and the pages answer them."""

from __future__ import annotations

from flask import url_for
from sqlalchemy.orm import Session

from vib.accounts.models import User
from vib.supervision import language
from vib.supervision.models import OPEN_STATES, SENT_STATES, SUMMARY, FeedbackItem, ReviewAnswer, ReviewRequest
from vib.supervision.operations import ANSWERABLE, part_of


def review_json(db: Session, review: ReviewRequest, viewer: User, full: bool = True) -> dict:
    part = part_of(review, viewer)
    shown = review.state in SENT_STATES or review.sent_at is not None or part == "supervisor"  # an ended review keeps what was sent
    data = {
        "id": review.id,
        "clip_id": review.clip_id,
        "clip_title": review.clip.title,
        "case_code": review.clip.case.code,
        "learning_question": review.clip.case.learning_question,
        "question": review.question,
        "state": review.state,
        "end_reason": review.end_reason,
        "my_part": part,
        "worker": _person(review.worker),
        "supervisor": _person(review.supervisor),
        **{
            name: _time(getattr(review, name))
            for name in ("created_at", "opened_at", "sent_at", "answered_at", "closed_at", "withdrawn_at", "ended_at", "access_until")
        },
        "next_learning_goal": review.clip.case.next_learning_goal,
        "page_url": url_for("supervision.review_page", review_id=review.id),
        "may": {
            "write": part == "supervisor" and review.state in OPEN_STATES,
            "send": part == "supervisor" and review.state in OPEN_STATES and bool(review.feedback),
            "answer": part == "worker" and review.state in ANSWERABLE,
            "withdraw": part == "worker" and review.state in OPEN_STATES,
            "close": review.state in ANSWERABLE,
        },
    }
    if full:
        items = review.feedback if shown else []
        data["feedback"] = [feedback_json(f) for f in items if f.kind != SUMMARY]
        summary = next((f for f in items if f.kind == SUMMARY), None)
        data["summary"] = feedback_json(summary) if summary else None
        data["answers"] = [answer_json(a) for a in review.answers]
    return data


def feedback_json(item: FeedbackItem) -> dict:
    return {
        "id": item.id,
        "review_id": item.review_id,
        "kind": item.kind,
        "kind_label": language.kind_labels()[item.kind],
        "moment_id": item.moment_id,
        "start_ms": item.start_ms,
        "end_ms": item.end_ms,
        "text": item.text,
        "author": _person(item.author),
        "created_at": item.created_at.isoformat(),
        "updated_at": item.updated_at.isoformat(),
        "draft": item.review.state in OPEN_STATES,
        "hint": language.hint_for(item.text),
    }


def answer_json(reply: ReviewAnswer) -> dict:
    return {
        "id": reply.id,
        "review_id": reply.review_id,
        "feedback_id": reply.feedback_id,
        "text": reply.text,
        "next_goal": reply.next_goal,
        "author": _person(reply.author),
        "created_at": reply.created_at.isoformat(),
    }


def _person(user: User) -> dict:
    return {"id": user.id, "name": user.name}


def _time(value) -> str | None:
    return value.isoformat() if value else None
