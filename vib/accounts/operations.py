"""Accounts: create users, check passwords, issue and resolve API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from vib.accounts.models import ROLES, ApiToken, User, UserRole
from vib.core.db import utcnow

MIN_PASSWORD_LENGTH = 8
TOKEN_USE_RESOLUTION = timedelta(minutes=5)


class AccountError(ValueError):
    pass


def add_user(db: Session, email: str, roles: list[str], name: str | None = None, password: str | None = None) -> User:
    """Create a user, or give an existing user more roles (a supervisor is often a worker too)."""
    email = email.strip().lower()
    if "@" not in email:
        raise AccountError(f"not an e-mail address: {email!r}")
    unknown = sorted(set(roles) - set(ROLES))
    if unknown or not roles:
        raise AccountError(f"roles must be among {', '.join(ROLES)}")
    user = find_user(db, email)
    if user is None:
        user = User(email=email, name=name or email.split("@")[0])
        db.add(user)
    elif name:
        user.name = name
    for role in sorted(set(roles) - user.roles):
        user.role_rows.append(UserRole(role=role))
    if password is not None:
        set_password(user, password)
    db.flush()
    return user


def set_password(user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = generate_password_hash(password)


def find_user(db: Session, email: str) -> User | None:
    return db.scalar(select(User).where(User.email == email.strip().lower()))


def authenticate(db: Session, email: str, password: str) -> User | None:
    user = find_user(db, email)
    if user is None or not user.password_hash or not user.active:
        check_password_hash(_DUMMY_HASH, password)  # same time whether or not the account exists
        return None
    return user if check_password_hash(user.password_hash, password) else None


_DUMMY_HASH = generate_password_hash("not-a-real-password")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(db: Session, user: User) -> str:
    """A new personal API token; returned once, stored only as a hash."""
    token = "vib_" + secrets.token_urlsafe(32)
    db.add(ApiToken(user_id=user.id, token_hash=_digest(token)))
    db.flush()
    return token


def user_for_token(db: Session, token: str) -> User | None:
    row = db.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or not row.user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > TOKEN_USE_RESOLUTION:
        row.last_used_at = now  # coarse, so that reading the API does not write on every request
        db.commit()
    return row.user
