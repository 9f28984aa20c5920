"""Stored code scheme versions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vib.core.db import Base, UTCDateTime, utcnow

ACTORS = ("worker", "client", "other", "both")


class CodeScheme(Base):
    """One version of a code scheme, as it was when first used or imported. Never changed afterwards:
    moments name (scheme, version, code), so what was coded keeps its meaning."""

    __tablename__ = "code_schemes"
    __table_args__ = (UniqueConstraint("scheme_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[str] = mapped_column(String(63))
    version: Mapped[int]
    document: Mapped[dict] = mapped_column(JSON)  # the scheme file's canonical content
    origin: Mapped[str] = mapped_column(String(20))  # "builtin" (annotations/) or "import"
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
