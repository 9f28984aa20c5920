from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vib.accounts.models import User
from vib.clips.models import Clip
from vib.core.db import Base, UTCDateTime, utcnow
from vib.schemes.models import ACTORS  # noqa: F401 (the actors of a moment; the scheme names them)


class Moment(Base):
    """A coded moment of a clip, or of a library fragment (an exercise): a point (no end) or a span, in
    integer ms from the video's first frame. Exactly one of clip_id and fragment_id is set."""

    __tablename__ = "moments"
    __table_args__ = (
        Index("ix_moments_clip_start", "clip_id", "start_ms"),
        Index("ix_moments_fragment_author", "fragment_id", "author_id"),
        CheckConstraint("(clip_id IS NULL) <> (fragment_id IS NULL)", name="one_video"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clip_id: Mapped[int | None] = mapped_column(ForeignKey("clips.id", ondelete="CASCADE"))
    # A higher feature's table (the library): coding knows it only by name, never imports it.
    fragment_id: Mapped[int | None] = mapped_column(ForeignKey("fragments.id", ondelete="CASCADE"))
    start_ms: Mapped[int]
    end_ms: Mapped[int | None]
    scheme_id: Mapped[str] = mapped_column(String(63))
    scheme_version: Mapped[int]
    code: Mapped[str] = mapped_column(String(80))
    actor: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Optimistic locking: a change names the version it was made on; SQLAlchemy also checks it in
    # the UPDATE, so two simultaneous writers cannot both succeed.
    version: Mapped[int] = mapped_column(default=1)

    clip: Mapped[Clip | None] = relationship()
    author: Mapped[User] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def times(self) -> list[int]:
        """The times a thumbnail shows: the start, and for a span also its middle and end."""
        if self.end_ms is None:
            return [self.start_ms]
        return [self.start_ms, (self.start_ms + self.end_ms) // 2, self.end_ms]


class AudioAnalysis(Base):
    """What the sound of a clip says (vib.analysis.speech), found by a job after processing: a row
    exists once the job has run. Its suggestions are rows of their own."""

    __tablename__ = "audio_analyses"
    __table_args__ = (CheckConstraint("status IN ('done', 'no_audio', 'failed')", name="status"),)

    clip_id: Mapped[int] = mapped_column(ForeignKey("clips.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(10))
    # Loudness per ENVELOPE_STEP_MS, one byte each (0..100): a 10-minute clip is 30 kB.
    envelope: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    # How many voices the analysis told apart (0, 1 or 2), and who they are: {"A": "worker", ...},
    # set by the clip's owner once per clip.
    voice_count: Mapped[int] = mapped_column(default=0)
    voices: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    overlaps: Mapped[list[list[int]]] = mapped_column(JSON, default=list)
    analysed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Suggestion(Base):
    """A moment the sound suggests (speech of a voice, a pause, a turn): never a moment until a coder
    accepts it. A turn is a point (start_ms == end_ms)."""

    __tablename__ = "suggestions"
    __table_args__ = (
        Index("ix_suggestions_clip_start", "clip_id", "start_ms"),
        CheckConstraint("kind IN ('speech', 'pause', 'turn')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clip_id: Mapped[int] = mapped_column(ForeignKey("clips.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    start_ms: Mapped[int]
    end_ms: Mapped[int]
    voice: Mapped[str | None] = mapped_column(String(1))
    confidence: Mapped[float]

    clip: Mapped[Clip] = relationship()


class SuggestionDecision(Base):
    """A coder's answer to a suggestion: each coder of a clip (its worker, a supervisor in a review)
    accepts or dismisses for their own coding, and a dismissed suggestion stays dismissed."""

    __tablename__ = "suggestion_decisions"
    __table_args__ = (CheckConstraint("state IN ('accepted', 'dismissed')", name="state"),)

    suggestion_id: Mapped[int] = mapped_column(ForeignKey("suggestions.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(String(10))
    moment_id: Mapped[int | None] = mapped_column(ForeignKey("moments.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
