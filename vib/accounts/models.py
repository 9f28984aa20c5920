from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vib.core.db import Base, UTCDateTime, utcnow

ROLES = ("worker", "supervisor", "trainer", "admin")


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    # Every log-in session carries the generation it began in; raising it ends them all at once
    # (log-out, a new password, "log out everywhere").
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # The user's own settings that follow them from device to device, by name (e.g. "shortcuts": the
    # coding page's keys, vib.coding.shortcuts). None: none set yet.
    preferences: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    certificate: Mapped[Certificate | None] = relationship(back_populates="user", cascade="all, delete-orphan", lazy="selectin")
    second_factor: Mapped[SecondFactor | None] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def roles(self) -> set[str]:
        return {row.role for row in self.role_rows}

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated account cannot log in
        return self.active


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class ApiToken(Base):
    """A personal API token. Only its SHA-256 is stored; the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="joined")


class Certificate(Base):
    """A supervisor's certificate (e.g. from AIT, valid three years). One per user: re-certification
    replaces it, and the audit log keeps what it was."""

    __tablename__ = "certificates"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    number: Mapped[str] = mapped_column(String(80))
    issuer: Mapped[str] = mapped_column(String(120))
    valid_until: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(back_populates="certificate")


class SecondFactor(Base):
    """A user's authenticator app (TOTP, RFC 6238) and recovery codes. Until `confirmed_at` is set the
    secret is only offered (enrolment): a log-in does not ask for it yet."""

    __tablename__ = "second_factors"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))  # base32, as the authenticator app holds it
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The time step of the last code accepted: a code is never accepted twice (someone watching).
    last_counter: Mapped[int] = mapped_column(default=0)
    recovery_hashes: Mapped[list[str]] = mapped_column(JSON, default=list)  # SHA-256 of each unused code


class SecurityPolicy(Base):
    """The organisation's security settings (one row, id 1; absent: the defaults)."""

    __tablename__ = "security_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Supervisors, trainers and admins always need a second factor; workers when this says "required".
    second_factor_for_workers: Mapped[str] = mapped_column(String(10), default="required")
