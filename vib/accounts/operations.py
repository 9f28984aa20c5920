"""Accounts: create users, check passwords, issue and resolve API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from vib.accounts.models import ROLES, ApiToken, User, UserRole
from vib.core import audit
from vib.core.db import utcnow
from vib.core.errors import UserError

MIN_PASSWORD_LENGTH = 8
TOKEN_USE_RESOLUTION = timedelta(minutes=5)


class AccountError(UserError):
    """A refused account change; the message is for the person who asked (in their language)."""


def add_user(db: Session, email: str, roles: list[str], name: str | None = None, password: str | None = None) -> User:
    """Create a user, or give an existing user more roles (a supervisor is often a worker too)."""
    email = _checked_email(email)
    _check_roles(roles)
    name = _checked_name(name) if name else None
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
    """A new password, which ends every session of the user (a copied cookie stops working)."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_l("A password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    user.password_hash = generate_password_hash(password)
    end_sessions(user)


def change_own_password(db: Session, user: User, current: str, new: str, repeated: str) -> None:
    """The user changes their password: the current one first, the new one twice."""
    if not user.password_hash or not check_password_hash(user.password_hash, current or ""):
        raise AccountError(_l("Your current password is not right."))
    if new != repeated:
        raise AccountError(_l("The new password and its repetition differ."))
    set_password(user, new)
    audit.record(db, user, "user.password", "user", user.id)
    db.flush()


def end_sessions(user: User) -> None:
    """End every log-in session of the user, on every device, at their next request."""
    user.session_generation = (user.session_generation or 0) + 1


def rename(user: User, name: str) -> None:
    user.name = _checked_name(name)


def set_roles(db: Session, user: User, roles: list[str], by: User | None = None) -> None:
    """Give `user` exactly these roles. Nobody removes their own admin role (so that an organisation
    cannot lock itself out by a slip of the mouse): another admin has to do it."""
    _check_roles(roles)
    if by is not None and by.id == user.id and user.has_role("admin") and "admin" not in roles:
        raise AccountError(_l("You cannot remove your own administrator role: ask another administrator."))
    wanted = set(roles)
    for row in list(user.role_rows):
        if row.role not in wanted:
            user.role_rows.remove(row)
    for role in sorted(wanted - user.roles):
        user.role_rows.append(UserRole(role=role))
    db.flush()


def set_active(user: User, active: bool, by: User | None = None) -> None:
    """Deactivate (no login, no API token works) or reactivate an account; nobody deactivates
    themselves."""
    if by is not None and by.id == user.id and not active:
        raise AccountError(_l("You cannot deactivate your own account: ask another administrator."))
    user.active = bool(active)


def _checked_email(email: str | None) -> str:
    email = (email or "").strip().lower()
    local, _, domain = email.partition("@")
    if not local or not domain or " " in email or len(email) > 254:
        raise AccountError(_l("Not an e-mail address: %(email)s", email=email or "-"))
    return email


def _checked_name(name: str | None) -> str:
    name = " ".join((name or "").split())
    if not name or len(name) > 200:
        raise AccountError(_l("Give a name (at most 200 characters)."))
    return name


def _check_roles(roles: list[str]) -> None:
    unknown = sorted(set(roles) - set(ROLES))
    if unknown or not roles:
        raise AccountError(_l("Give at least one role, among: %(roles)s.", roles=", ".join(ROLES)))


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
    return row.user


def preference(user: User, name: str):
    """One of the user's own settings (None when never set). What it holds, the feature that uses it says."""
    return (user.preferences or {}).get(name)


def set_preference(user: User, name: str, value) -> None:
    """Store one of the user's settings; a new dict, so that the JSON column is seen as changed."""
    user.preferences = {**(user.preferences or {}), name: value}
