from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vib.accounts.models import User
from vib.cases.models import Case
from vib.clips.models import Clip
from vib.coding.models import Moment
from vib.core.db import Base, UTCDateTime, utcnow


class Meeting(Base):
    """A progress meeting of one case: its date, the question the worker brings, and the items shown.
    It never leaves its worker's access: no training consent is needed, as it is for the library."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text)
    meeting_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # The handout made last (a derivative of client video: kept at most a day, see meetings.handout).
    handout_key: Mapped[str | None] = mapped_column(String(200))
    handout_made_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    case: Mapped[Case] = relationship(lazy="joined")
    created_by: Mapped[User] = relationship()
    items: Mapped[list[MeetingItem]] = relationship(
        back_populates="meeting", order_by="MeetingItem.position, MeetingItem.id", cascade="all, delete-orphan"
    )

    @property
    def folder(self) -> str:
        return f"meetings/{self.id}"


class MeetingItem(Base):
    """A span of one clip of the meeting's case, shown from pre-roll to post-roll, with what the
    worker wants to say about it; often one coded moment."""

    __tablename__ = "meeting_items"
    __table_args__ = (
        CheckConstraint("start_ms >= 0 AND end_ms > start_ms", name="span"),
        CheckConstraint("pre_roll_ms >= 0 AND post_roll_ms >= 0", name="rolls"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    clip_id: Mapped[int] = mapped_column(ForeignKey("clips.id", ondelete="CASCADE"), index=True)
    moment_id: Mapped[int | None] = mapped_column(ForeignKey("moments.id", ondelete="SET NULL"))
    start_ms: Mapped[int]
    end_ms: Mapped[int]
    pre_roll_ms: Mapped[int] = mapped_column(default=0)
    post_roll_ms: Mapped[int] = mapped_column(default=0)
    talking_point: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    clip: Mapped[Clip] = relationship(lazy="joined")
    moment: Mapped[Moment | None] = relationship()

    @property
    def play_from_ms(self) -> int:
        return max(0, self.start_ms - self.pre_roll_ms)

    @property
    def play_to_ms(self) -> int:
        return min(self.clip.duration_ms, self.end_ms + self.post_roll_ms)
