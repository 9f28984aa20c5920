"""Supervisor certificates: who may be asked for a review, and whose certificate runs out soon."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from vib.accounts.models import Certificate, User, UserRole
from vib.core.errors import UserError

EXPIRY_WARNING = timedelta(days=90)
VALID, EXPIRING, EXPIRED = "valid", "expiring", "expired"


class CertificateError(UserError):
    pass


def certificate_state(user: User, today: date | None = None) -> str | None:
    """"valid", "expiring" (within 90 days, still valid), "expired", or None without a certificate."""
    certificate = user.certificate
    if certificate is None:
        return None
    today = today or date.today()
    if certificate.valid_until < today:
        return EXPIRED
    return EXPIRING if certificate.valid_until - today <= EXPIRY_WARNING else VALID


def may_be_asked(user: User, today: date | None = None) -> bool:
    """A supervisor with a valid certificate, and an active account, can be asked for a review."""
    return user.active and user.has_role("supervisor") and certificate_state(user, today) in (VALID, EXPIRING)


def askable_supervisors(db: Session, today: date | None = None) -> list[User]:
    today = today or date.today()
    query = (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .join(Certificate, Certificate.user_id == User.id)
        .where(UserRole.role == "supervisor", User.active.is_(True), Certificate.valid_until >= today)
        .order_by(User.name, User.id)
    )
    return list(db.scalars(query).unique())


def certify(db: Session, user: User, number: str, issuer: str, valid_until: date | str) -> Certificate:
    """Record (or renew) a supervisor's certificate."""
    number, issuer = (number or "").strip(), (issuer or "").strip()
    if not number or len(number) > 80:
        raise CertificateError(_l("Give the certificate number (at most 80 characters)."))
    if not issuer or len(issuer) > 120:
        raise CertificateError(_l("Give the body that issued the certificate, e.g. AIT (at most 120 characters)."))
    if not isinstance(valid_until, date):
        try:
            valid_until = date.fromisoformat(str(valid_until))
        except ValueError:
            raise CertificateError(_l("Give the date the certificate is valid until as YYYY-MM-DD.")) from None
    if not user.has_role("supervisor"):
        raise CertificateError(_l("Only a supervisor has a certificate: give %(email)s the supervisor role first.", email=user.email))
    if user.certificate is None:
        user.certificate = Certificate(number=number, issuer=issuer, valid_until=valid_until)
    else:
        user.certificate.number, user.certificate.issuer, user.certificate.valid_until = number, issuer, valid_until
    db.flush()
    return user.certificate
