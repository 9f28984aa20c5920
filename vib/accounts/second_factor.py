"""The second factor: an authenticator app's six-digit codes (TOTP) and ten one-time recovery codes.

Supervisors, trainers and admins always need one; workers when the organisation's policy says so
(default: required). A person who needs one and has none enrols at their next log-in. API tokens are
not affected: a token is created by someone already logged in, and revoked on its own.
"""

from __future__ import annotations

import hashlib
import secrets

import pyotp
import segno
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from vib.accounts.models import SecondFactor, SecurityPolicy, User
from vib.core.db import utcnow
from vib.core.errors import UserError

REQUIRED, OPTIONAL = "required", "optional"
ALWAYS_REQUIRED_ROLES = ("supervisor", "trainer", "admin")
RECOVERY_CODES = 10
ISSUER = "vib"


class SecondFactorError(UserError):
    """A code that is wrong, used before or malformed (401: it counts as a failed log-in)."""

    status = 401


def security_policy(db: Session) -> SecurityPolicy:
    return db.get(SecurityPolicy, 1) or SecurityPolicy(id=1, second_factor_for_workers=REQUIRED)


def set_second_factor_for_workers(db: Session, value: str) -> SecurityPolicy:
    if value not in (REQUIRED, OPTIONAL):
        raise UserError(_l("The second factor for workers is %(a)s or %(b)s.", a=REQUIRED, b=OPTIONAL))
    policy = security_policy(db)
    policy.second_factor_for_workers = value
    if policy not in db:
        db.add(policy)
    db.flush()
    return policy


def is_required(db: Session, user: User) -> bool:
    if any(user.has_role(role) for role in ALWAYS_REQUIRED_ROLES):
        return True
    return security_policy(db).second_factor_for_workers == REQUIRED


def is_enrolled(user: User) -> bool:
    return user.second_factor is not None and user.second_factor.confirmed_at is not None


def begin_enrolment(db: Session, user: User) -> SecondFactor:
    """A new secret on offer (an earlier unconfirmed one is replaced; a confirmed one is kept)."""
    factor = user.second_factor
    if factor is not None and factor.confirmed_at is not None:
        return factor
    if factor is None:
        factor = SecondFactor(user_id=user.id)
        user.second_factor = factor
    factor.secret = pyotp.random_base32()
    db.flush()
    return factor


def provisioning_uri(user: User) -> str:
    return pyotp.TOTP(user.second_factor.secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(user: User) -> str:
    """The QR code an authenticator app scans, as inline SVG (nothing leaves the server)."""
    return segno.make(provisioning_uri(user), error="m").svg_inline(scale=4, dark="#111", light="#fff")


def confirm_enrolment(db: Session, user: User, code: str) -> list[str]:
    """The first code from the app confirms the secret; returns the ten recovery codes (shown once)."""
    factor = user.second_factor
    if factor is None or factor.confirmed_at is not None:
        raise UserError(_l("There is no authenticator app to confirm: start again."), status=409)
    _accept_code(factor, code)
    factor.confirmed_at = utcnow()
    codes = new_recovery_codes(factor)
    db.flush()
    return codes


def new_recovery_codes(factor: SecondFactor) -> list[str]:
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    factor.recovery_hashes = [_digest(code) for code in codes]
    return codes


def verify(db: Session, user: User, code: str) -> str:
    """Check a log-in's second step: a code from the app ("app") or an unused recovery code
    ("recovery", which is then used up). Raises SecondFactorError otherwise."""
    factor = user.second_factor
    code = "".join((code or "").split()).lower() if isinstance(code, str) else ""
    if factor is None or factor.confirmed_at is None or not code:
        raise SecondFactorError(_l("Give the code from your authenticator app, or a recovery code."))
    if code.isdigit():
        _accept_code(factor, code)
        db.flush()
        return "app"
    digest = _digest(code)
    if digest not in factor.recovery_hashes:
        raise SecondFactorError(_l("This code is not right, or was used before."))
    factor.recovery_hashes = [h for h in factor.recovery_hashes if h != digest]
    db.flush()
    return "recovery"


def reset(db: Session, user: User) -> None:
    """Forget the user's second factor (a lost phone): they enrol again at their next log-in."""
    if user.second_factor is not None:
        db.delete(user.second_factor)
        user.second_factor = None
    db.flush()


def _accept_code(factor: SecondFactor, code: str) -> None:
    """A six-digit code of this or a neighbouring 30-second step, newer than the last one accepted."""
    totp = pyotp.TOTP(factor.secret)
    code = "".join((code or "").split()) if isinstance(code, str) else ""
    now = utcnow()
    step = totp.timecode(now)
    for counter in (step - 1, step, step + 1):  # a phone's clock a little off
        if counter > factor.last_counter and secrets.compare_digest(totp.generate_otp(counter), code):
            factor.last_counter = counter
            return
    raise SecondFactorError(_l("This code is not right, or was used before."))


def _digest(code: str) -> str:
    # Recovery codes are random (48 bits), so a fast hash is enough; a slow one would only slow log-ins.
    return hashlib.sha256(code.encode()).hexdigest()
