from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vib.accounts.models import User
from vib.cases.models import Case
from vib.core.db import Base, UTCDateTime, utcnow

# A fragment's life: cut and faces found (detecting), the trainer chooses what to blur (review), the
# de-identified video is made (rendering), then it can be published (ready). `deleted`: its row waits
# for its files to be removed (a crash in between is finished by the resumer), then goes.
DETECTING, REVIEW, RENDERING, READY, FAILED, DELETED = "detecting", "review", "rendering", "ready", "failed", "deleted"
STATES = (DETECTING, REVIEW, RENDERING, READY, FAILED)
AUDIO_CHOICES = ("keep", "mute", "disguise")


class Fragment(Base):
    """A span of a clip proposed for the library, cut from the playable rendition; shown to others
    only once a trainer rendered (de-identified) and published it. It never shows its case, its
    worker or its clip to anyone but trainers and the proposer."""

    __tablename__ = "fragments"
    # Never reuse the id of a deleted fragment: its media folder is named by it.
    __table_args__ = (Index("ix_fragments_state_published", "state", "published_at"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    # The clip goes before its fragments (privacy registry); the case stays to check consent.
    clip_id: Mapped[int | None] = mapped_column(ForeignKey("clips.id", ondelete="SET NULL"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    start_ms: Mapped[int]  # in the clip
    end_ms: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    learning_points: Mapped[str] = mapped_column(Text, default="")
    scheme_id: Mapped[str] = mapped_column(String(63))
    scheme_version: Mapped[int]
    codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(20), default=DETECTING)
    error: Mapped[str | None] = mapped_column(String(40))  # a MediaError reason, when failed
    duration_ms: Mapped[int] = mapped_column(default=0)
    width: Mapped[int] = mapped_column(default=0)
    height: Mapped[int] = mapped_column(default=0)
    frame_count: Mapped[int] = mapped_column(default=0)
    # The face tracks found: [{id, first_ms, last_ms, score}]; their boxes per frame are in storage.
    tracks: Mapped[list[dict]] = mapped_column(JSON, default=list)
    blur_tracks: Mapped[list[int]] = mapped_column(JSON, default=list)
    regions: Mapped[list[dict]] = mapped_column(JSON, default=list)
    audio: Mapped[str] = mapped_column(String(10), default="keep")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Whose coding is the reference of the exercise (the trainer who codes it first).
    reference_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    expires_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    case: Mapped[Case] = relationship()
    proposed_by: Mapped[User] = relationship(foreign_keys=[proposed_by_id])

    @property
    def published(self) -> bool:
        return self.published_at is not None

    # Where the fragment's files live in storage: everything below one folder.
    @property
    def folder(self) -> str:
        return f"fragments/{self.id}"

    @property
    def cut_key(self) -> str:  # the span as cut: faces not yet blurred, seen only in review
        return f"{self.folder}/cut.mp4"

    @property
    def faces_key(self) -> str:
        return f"{self.folder}/faces.json"

    def still_key(self, track_id: int) -> str:
        return f"{self.folder}/stills/{track_id}.jpg"

    @property
    def video_key(self) -> str:  # the de-identified fragment
        return f"{self.folder}/fragment.mp4"

    @property
    def poster_key(self) -> str:
        return f"{self.folder}/poster.jpg"

    def frames_key(self, rendered: bool) -> str:
        return f"{self.folder}/{'fragment' if rendered else 'cut'}-frames.json"

    @property
    def download_folder(self) -> str:
        return f"{self.folder}/downloads"

    def download_key(self, user_id: int, day: date) -> str:
        return f"{self.download_folder}/{day.isoformat()}-{user_id}.mp4"


class Collection(Base):
    """An ordered list of fragments for a course, each with a note for the trainee."""

    __tablename__ = "collections"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    created_by: Mapped[User] = relationship()
    items: Mapped[list[CollectionItem]] = relationship(
        back_populates="collection", order_by="CollectionItem.position", cascade="all, delete-orphan"
    )


class CollectionItem(Base):
    __tablename__ = "collection_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"), index=True)
    fragment_id: Mapped[int] = mapped_column(ForeignKey("fragments.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    note: Mapped[str] = mapped_column(Text, default="")

    collection: Mapped[Collection] = relationship(back_populates="items")
    fragment: Mapped[Fragment] = relationship()
