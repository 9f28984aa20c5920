"""Supervisor certificates: who may be asked for a review, and whose certificate runs out soon."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from vib.accounts.models import Certificate, User, UserRole
from vib.core.days import organisation_today
from vib.core.errors import UserError

EXPIRY_WARNING = timedelta(days=90)
# Certificates last three years; a date much further ahead is a typing slip (2062 for 2026).
LONGEST_VALIDITY = timedelta(days=5 * 366)
VALID, EXPIRING, EXPIRED = "valid", "expiring", "expired"


class CertificateError(UserError):
    pass


def certificate_state(user: User, today: date | None = None) -> str | None:
    """ "valid", "expiring" (within 90 days, still valid), "expired", or None without a certificate."""
    certificate = user.certificate
    if certificate is None:
        return None
    today = today or organisation_today()
    if certificate.valid_until < today:
        return EXPIRED
    return EXPIRING if certificate.valid_until - today <= EXPIRY_WARNING else VALID


def may_be_asked(user: User, today: date | None = None) -> bool:
    """A supervisor with a valid certificate, and an active account, can be asked for a review."""
    return user.active and user.has_role("supervisor") and certificate_state(user, today) in (VALID, EXPIRING)


def askable_supervisors(db: Session, today: date | None = None) -> list[User]:
    today = today or organisation_today()
    query = (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .join(Certificate, Certificate.user_id == User.id)
        .where(UserRole.role == "supervisor", User.active.is_(True), Certificate.valid_until >= today)
        .order_by(User.name, User.id)
    )
    return list(db.scalars(query).unique())


def needing_attention(db: Session, today: date | None = None) -> list[tuple[User, str | None]]:
    """Active supervisors whose certificate is expired, missing (None) or expiring: the admin's to-do
    list, most urgent first (expired, missing, then expiring by date)."""
    today = today or organisation_today()
    query = (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .outerjoin(Certificate, Certificate.user_id == User.id)
        .where(UserRole.role == "supervisor", User.active.is_(True))
        .where((Certificate.valid_until.is_(None)) | (Certificate.valid_until <= today + EXPIRY_WARNING))
    )
    found = [(user, certificate_state(user, today)) for user in db.scalars(query).unique()]
    order = {EXPIRED: 0, None: 1, EXPIRING: 2}
    return sorted(found, key=lambda pair: (order[pair[1]], pair[0].certificate.valid_until if pair[0].certificate else today, pair[0].name))


def certify(db: Session, user: User, number: str, issuer: str, valid_until: date | str, today: date | None = None) -> Certificate:
    """Record (or renew) a supervisor's certificate. The caller records it in the audit log."""
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
    if valid_until > (today or organisation_today()) + LONGEST_VALIDITY:
        raise CertificateError(_l("A certificate is valid for three years: check the year of %(date)s.", date=valid_until.isoformat()))
    if not user.has_role("supervisor"):
        raise CertificateError(_l("Only a supervisor has a certificate: give %(email)s the supervisor role first.", email=user.email))
    if user.certificate is None:
        user.certificate = Certificate(number=number, issuer=issuer, valid_until=valid_until)
    else:
        user.certificate.number, user.certificate.issuer, user.certificate.valid_until = number, issuer, valid_until
    db.flush()
    return user.certificate
