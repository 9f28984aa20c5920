from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vib.accounts.models import User
from vib.cases.models import Case
from vib.core.db import Base, UTCDateTime, utcnow

PROCESSING, READY, FAILED = "processing", "ready", "failed"


class Clip(Base):
    __tablename__ = "clips"
    # Never reuse the id of a deleted clip: its media folder is named by it.
    __table_args__ = (CheckConstraint("cycle >= 1", name="cycle_from_one"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    scheme_id: Mapped[str | None] = mapped_column(String(63))  # None: the case's scheme
    status: Mapped[str] = mapped_column(String(20), default=PROCESSING, index=True)
    progress: Mapped[int] = mapped_column(default=0)  # percent, while processing
    error: Mapped[str | None] = mapped_column(String(40))  # a MediaError reason, when failed
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    duration_ms: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    rotation: Mapped[int] = mapped_column(default=0)
    fps: Mapped[float]
    variable_frame_rate: Mapped[bool] = mapped_column(default=False)
    has_audio: Mapped[bool] = mapped_column(default=False)
    video_codec: Mapped[str] = mapped_column(String(40))
    audio_codec: Mapped[str | None] = mapped_column(String(40))
    pix_fmt: Mapped[str | None] = mapped_column(String(40))
    frame_count: Mapped[int] = mapped_column(default=0)
    filmstrip_ready: Mapped[bool] = mapped_column(default=False)
    filmstrip_failed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When it was filmed (the container's creation time, else the upload date) and which round of
    # filming, analysis and review of its case it belongs to (domain.md, "The cycle"); both editable.
    recorded_on: Mapped[date] = mapped_column(Date)
    cycle: Mapped[int] = mapped_column(default=1)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The deletion date the owner was last warned of (privacy): warned again only if it moves.
    deletion_warned_for: Mapped[date | None] = mapped_column(Date)

    case: Mapped[Case] = relationship(lazy="joined")
    uploaded_by: Mapped[User] = relationship()

    # Where the clip's files live in storage; everything of a clip is below one folder.
    @property
    def folder(self) -> str:
        return f"clips/{self.id}"

    @property
    def original_key(self) -> str:
        return f"{self.folder}/original"

    @property
    def playable_key(self) -> str:
        return f"{self.folder}/playable.mp4"

    @property
    def filmstrip_key(self) -> str:
        return f"{self.folder}/filmstrip.jpg"

    @property
    def filmstrip_index_key(self) -> str:
        return f"{self.folder}/filmstrip.json"

    @property
    def frames_key(self) -> str:
        return f"{self.folder}/frames.json"

    def thumbnail_key(self, t_ms: int, width: int) -> str:
        return f"{self.folder}/thumbs/{width}/{t_ms}.jpg"


class UploadSession(Base):
    """A video arriving in pieces (each request small, so that no request body is ever large; the
    protocol is tus 1.0, vib.clips.tus): who sends it for which case, how big it is and how much has
    arrived. The bytes collect in a temporary file of the media folder until the last piece makes them
    a clip. An upload not finished within LIFETIME of its start is deleted, row and bytes."""

    __tablename__ = "upload_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str | None] = mapped_column(String(200))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    received_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    TEMP_PREFIX = "upload-session-"
    LIFETIME = timedelta(hours=24)  # tus's Upload-Expires; the daily purge deletes what is older

    @property
    def temp_name(self) -> str:
        return f"{self.TEMP_PREFIX}{self.id}"

    @property
    def expires_at(self) -> datetime:
        return self.created_at + self.LIFETIME

    @property
    def complete(self) -> bool:
        return self.received_bytes == self.size_bytes


class Transcript(Base):
    """What was said in a clip, as timed cues ({start_ms, end_ms, speaker, text}, in time order): the
    clip's captions and the coding page's transcript panel. One per clip; a new upload replaces it.
    It is client data: it goes with the clip (the privacy registry) and into the case's export."""

    __tablename__ = "transcripts"

    id: Mapped[int] = mapped_column(primary_key=True)
    clip_id: Mapped[int] = mapped_column(ForeignKey("clips.id", ondelete="CASCADE"), unique=True)
    language: Mapped[str] = mapped_column(String(35))  # BCP 47: "nl", "en", "pt-BR"
    cues: Mapped[list[dict]] = mapped_column(JSON)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
