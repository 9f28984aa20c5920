from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vib.accounts.models import User
from vib.clips.models import Clip
from vib.core.db import Base, UTCDateTime, utcnow

# The life of a review request. "withdrawn" ends it early (by the worker, before feedback is sent);
# "ended" ends it when a person in the case withdraws consent to supervision (end_reason says so).
REQUESTED, IN_REVIEW, FEEDBACK_SENT, ANSWERED, CLOSED, WITHDRAWN, ENDED = (
    "requested", "in_review", "feedback_sent", "answered", "closed", "withdrawn", "ended",
)  # fmt: skip
STATES = (REQUESTED, IN_REVIEW, FEEDBACK_SENT, ANSWERED, CLOSED, WITHDRAWN, ENDED)
END_REASONS = ("supervision_withdrawn",)
OPEN_STATES = (REQUESTED, IN_REVIEW)  # the supervisor is still writing
SENT_STATES = (FEEDBACK_SENT, ANSWERED, CLOSED)  # the worker sees the feedback

# Kinds of feedback item. "summary" is the one overall text of a review, anchored on nothing.
FEEDBACK_KINDS = ("strength", "effect", "question", "next_step")
SUMMARY = "summary"


class ReviewRequest(Base):
    """A worker's request to a named supervisor to review one clip. While it is open (and for a
    while after it is closed) it grants that supervisor access to that clip, and nothing else."""

    __tablename__ = "review_requests"
    __table_args__ = (Index("ix_review_requests_supervisor", "supervisor_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clip_id: Mapped[int] = mapped_column(ForeignKey("clips.id", ondelete="CASCADE"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    question: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default=REQUESTED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(40))
    # The end of the supervisor's access once closed (closed_at + the configured period).
    access_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    clip: Mapped[Clip] = relationship()
    worker: Mapped[User] = relationship(foreign_keys=[worker_id], lazy="joined")
    supervisor: Mapped[User] = relationship(foreign_keys=[supervisor_id], lazy="joined")
    feedback: Mapped[list[FeedbackItem]] = relationship(
        back_populates="review", order_by="FeedbackItem.start_ms, FeedbackItem.id", cascade="all, delete-orphan"
    )
    answers: Mapped[list[ReviewAnswer]] = relationship(back_populates="review", order_by="ReviewAnswer.id", cascade="all, delete-orphan")


class FeedbackItem(Base):
    """One piece of the supervisor's feedback: anchored on a moment or a time range (both kept, so
    the anchor survives when the moment is deleted), or the review's overall summary."""

    __tablename__ = "feedback_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review_requests.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    moment_id: Mapped[int | None] = mapped_column(ForeignKey("moments.id", ondelete="SET NULL"))
    start_ms: Mapped[int | None]
    end_ms: Mapped[int | None]
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    review: Mapped[ReviewRequest] = relationship(back_populates="feedback")
    author: Mapped[User] = relationship(lazy="joined")


class ReviewAnswer(Base):
    """The worker's answer to one feedback item (feedback_id) or to the feedback as a whole."""

    __tablename__ = "review_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review_requests.id", ondelete="CASCADE"), index=True)
    feedback_id: Mapped[int | None] = mapped_column(ForeignKey("feedback_items.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    next_goal: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    review: Mapped[ReviewRequest] = relationship(back_populates="answers")
    author: Mapped[User] = relationship(lazy="joined")


class Notification(Base):
    """Something a person should look at. Stores what happened, not text: the words are made when it
    is shown, in the reader's language, and never carry client data into an e-mail."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))  # review_requested, feedback_sent, review_answered, ...
    review_id: Mapped[int | None] = mapped_column(ForeignKey("review_requests.id", ondelete="CASCADE"))
    # About a clip rather than a review (its deletion is near); gone with the clip.
    clip_id: Mapped[int | None] = mapped_column(ForeignKey("clips.id", ondelete="CASCADE"))
    # A date the text needs (the deletion date), kept as data so the words are made when shown.
    on_date: Mapped[date | None] = mapped_column(Date)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="joined")
    review: Mapped[ReviewRequest | None] = relationship()
