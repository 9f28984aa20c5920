from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vib.accounts.models import User
from vib.core.db import Base, UTCDateTime, utcnow

PURPOSES = ("analysis", "supervision", "training", "presentation")
PERSON_ROLES = ("client", "parent", "child", "worker", "other")


class Case(Base):
    """A family or client trajectory, known only by a pseudonymous code."""

    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("owner_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    learning_question: Mapped[str] = mapped_column(Text)
    scheme_id: Mapped[str | None] = mapped_column(String(63))  # None: the organisation's default
    # What the worker wants to work on next, set when answering a supervisor's feedback.
    next_learning_goal: Mapped[str | None] = mapped_column(Text)
    next_learning_goal_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The end of the trajectory: a closed case takes no uploads, and its clips' retention counts from it.
    closed_on: Mapped[date | None] = mapped_column(Date)

    owner: Mapped[User] = relationship(lazy="joined")
    goals: Mapped[list[CaseGoal]] = relationship(order_by="CaseGoal.set_at, CaseGoal.id", cascade="all, delete-orphan")
    consent_records: Mapped[list[ConsentRecord]] = relationship(
        back_populates="case", order_by="ConsentRecord.id", cascade="all, delete-orphan"
    )


class ConsentRecord(Base):
    """One consent event for one person: purposes granted or withdrawn. Never edited afterwards;
    what a person currently consents to is the sum of their records (see cases.consent)."""

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    person: Mapped[str] = mapped_column(String(80))
    person_role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(10))  # "grant" or "withdraw"
    purposes: Mapped[list[str]] = mapped_column(JSON)
    consent_date: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[Case] = relationship(back_populates="consent_records")
    recorded_by: Mapped[User] = relationship(lazy="joined")


LEARNING_QUESTION, NEXT_GOAL = "learning_question", "next_goal"


class CaseGoal(Base):
    """One learning goal of a case as it was set: the learning question at the start, then each next
    goal (usually set when answering a review). Kept, never edited, so every cycle shows the goal that
    held when it was filmed."""

    __tablename__ = "case_goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # LEARNING_QUESTION or NEXT_GOAL
    text: Mapped[str] = mapped_column(Text)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
