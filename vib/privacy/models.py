from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from vib.core.db import Base, UTCDateTime, utcnow

# Why a clip was deleted (a tombstone's reason).
OWNER, WITHDRAWAL, RETENTION_CLOSED, RETENTION_MAX = "owner", "withdrawal", "retention_closed", "retention_max"
REASONS = (OWNER, WITHDRAWAL, RETENTION_CLOSED, RETENTION_MAX)

# The organisation's retention policy: defaults and limits (domain.md, "Retention").
DEFAULT_POLICY = {"clip_months_after_close": 2, "clip_max_months": 12, "fragment_months": 60}
POLICY_LIMITS = {"clip_months_after_close": 120, "clip_max_months": 120, "fragment_months": 60}


class RetentionPolicy(Base):
    """The organisation's one retention policy (a single row, id 1; absent means the defaults)."""

    __tablename__ = "retention_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    clip_months_after_close: Mapped[int] = mapped_column(default=DEFAULT_POLICY["clip_months_after_close"])
    clip_max_months: Mapped[int] = mapped_column(default=DEFAULT_POLICY["clip_max_months"])
    fragment_months: Mapped[int] = mapped_column(default=DEFAULT_POLICY["fragment_months"])
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ClipTombstone(Base):
    """What is left of a deleted clip: that it existed, in which case, and when, why and by whom it
    was deleted. `files_removed_at` is empty until every file is gone: the rows went in one
    transaction with this one, the files follow it, and a restart finishes what a crash interrupted."""

    __tablename__ = "clip_tombstones"

    clip_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # the clip row is gone: no key
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())  # when it was uploaded
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reason: Mapped[str] = mapped_column(String(20))
    deleted_by_id: Mapped[int | None]  # None: vib itself (retention, a withdrawal's grace period ending)
    deleted_by_email: Mapped[str] = mapped_column(String(254))
    removed: Mapped[dict] = mapped_column(JSON, default=dict)  # what went, counted: {"moments": 3, ...}
    storage_prefixes: Mapped[list[str]] = mapped_column(JSON, default=list)  # the folders to remove
    files_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
