"""A forgotten password: a link by e-mail (with SMTP configured), signed, valid 30 minutes, used once.

The link carries the user's id, when it expires and a fingerprint of the password it replaces: once
the password has changed (by this link or otherwise), every earlier link stops working. The page that
asks for the link answers the same whether or not the address has an account, and the e-mail is sent
by a job, so neither the words nor the time of the answer tell an attacker which addresses exist.
"""

from __future__ import annotations

import hashlib
import time

from flask import current_app, url_for
from flask_babel import force_locale, gettext
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from vib.accounts.models import User
from vib.core import jobs, mail
from vib.core.db import session as current_session

VALID_SECONDS = 30 * 60
SALT = "vib-password-reset"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(f"{user.password_hash}:{user.session_generation}".encode()).hexdigest()[:16]


def make_token(user: User, now: float | None = None) -> str:
    issued = time.time() if now is None else now
    return _serializer().dumps({"u": user.id, "f": _fingerprint(user), "e": int(issued + VALID_SECONDS)})


def user_for_token(db: Session, token: str) -> User | None:
    """The user the link is for, while it is valid and unused; None otherwise."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or data.get("e", 0) < time.time():
        return None
    user = db.get(User, data["u"])
    if user is None or not user.active or data.get("f") != _fingerprint(user):
        return None
    return user


@jobs.task("password_reset_email")
def send_reset_link(user_id: int) -> None:
    db = current_session()
    user = db.get(User, user_id)
    config = current_app.config
    if user is None or not user.active or not mail.enabled():
        return
    with current_app.test_request_context(base_url=config["VIB_BASE_URL"]):  # a link outside a request
        link = url_for("accounts.reset_password", token=make_token(user), _external=True)
    with force_locale(user.locale or config["VIB_DEFAULT_LOCALE"]):
        subject = gettext("vib: a new password")
        body = gettext(
            "Someone, hopefully you, asked for a new password for vib. Choose it here within 30 minutes:\n\n%(link)s\n\n"
            "The link works once. If you did not ask for it, ignore this message: your password stays as it is.",
            link=link,
        )
    mail.send(mail.message(user.email, subject, body))
