"""What an admin does: add and change accounts, record certificates, read the audit log.

Every change is written to the audit log in the same transaction, with the role "admin" (or "cli"
for the `vib` command). The caller commits; on an error nothing has been stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from vib.accounts import operations as accounts
from vib.accounts import second_factor
from vib.accounts.certificates import certify
from vib.accounts.models import Certificate, User
from vib.core import audit
from vib.core.audit import AuditEvent
from vib.core.db import is_id
from vib.core.errors import UserError

ADMIN = "admin"
# The kinds of object the audit log names (see vib.core.audit.ACTIONS).
OBJECT_TYPES = ("case", "certificate", "clip", "feedback", "job", "moment", "policy", "review", "user")
PAGE_SIZE = 100


class AuditFilterError(UserError):
    pass


# -- accounts -----------------------------------------------------------------------------------


def create_user(db: Session, by: User, email: str, name: str, roles: list[str], password: str, role: str = ADMIN) -> User:
    """A new account. Unlike `accounts.add_user` (which also adds roles to an existing account, as the
    command line does), the admin page refuses an address that is taken."""
    if accounts.find_user(db, email or "") is not None:
        raise accounts.AccountError(_l("There is already an account for %(email)s.", email=(email or "").strip().lower()))
    if not (name or "").strip():
        raise accounts.AccountError(_l("Give a name (at most 200 characters)."))
    user = accounts.add_user(db, email, roles, name=name, password=password)
    audit.record(db, by, "user.create", "user", user.id, role)
    return user


def update_user(db: Session, by: User, user: User, name: str, roles: list[str], active: bool, role: str = ADMIN) -> bool:
    """Change name, roles and whether the account may log in. True when something changed (and was
    recorded in the audit log)."""
    before = (user.name, user.roles, user.active)
    accounts.rename(user, name)
    accounts.set_active(user, active, by=by)
    accounts.set_roles(db, user, roles, by=by)
    changed = (user.name, user.roles, user.active) != before
    if changed:
        audit.record(db, by, "user.update", "user", user.id, role)
    db.flush()
    return changed


def end_sessions(db: Session, by: User, user: User, role: str = ADMIN) -> None:
    """Log the user out on every device (a lost laptop)."""
    accounts.end_sessions(user)
    audit.record(db, by, "user.sessions_ended", "user", user.id, role)
    db.flush()


def reset_second_factor(db: Session, by: User, user: User, role: str = ADMIN) -> None:
    """A lost phone: the user sets up an authenticator app again at their next log-in (and every
    session of theirs ends now)."""
    second_factor.reset(db, user)
    accounts.end_sessions(user)
    audit.record(db, by, "second_factor.reset", "user", user.id, role)
    db.flush()


def change_password(db: Session, by: User, user: User, password: str, role: str = ADMIN) -> None:
    accounts.set_password(user, password)
    audit.record(db, by, "user.update", "user", user.id, role)
    db.flush()


def set_certificate(db: Session, by, user: User, number: str, issuer: str, valid_until: date | str, role: str = ADMIN) -> Certificate:
    """Record or renew a supervisor's certificate (audit: certificate.set, object id = the user's id,
    since a user has one certificate)."""
    certificate = certify(db, user, number, issuer, valid_until)
    audit.record(db, by, "certificate.set", "certificate", user.id, role)
    return certificate


def all_users(db: Session) -> list[User]:
    return list(db.scalars(select(User).order_by(func.lower(User.name), User.id)))


# -- the audit log ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    """The audit page's filters. Dates are whole days in `zone` (the zone the page shows times in);
    `to_date` is included."""

    from_date: date | None = None
    to_date: date | None = None
    user_email: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: int | None = None

    @classmethod
    def parse(cls, args) -> AuditFilter:
        """From a request's query arguments; AuditFilterError (with a message) on bad input."""
        values = {key: (args.get(key) or "").strip() for key in ("from", "to", "user", "action", "object_type", "object_id")}
        if values["action"] and values["action"] not in audit.ACTIONS:
            raise AuditFilterError(_l("Unknown action: %(action)s.", action=values["action"]))
        if values["object_type"] and values["object_type"] not in OBJECT_TYPES:
            raise AuditFilterError(_l("Unknown object type: %(type)s.", type=values["object_type"]))
        object_id = None
        if values["object_id"]:
            if not values["object_id"].isdigit() or len(values["object_id"]) > 10 or not is_id(int(values["object_id"])):
                raise AuditFilterError(_l("An object id is a whole number."))
            object_id = int(values["object_id"])
        made = cls(_date(values["from"]), _date(values["to"]), values["user"].lower() or None, values["action"] or None,
                   values["object_type"] or None, object_id)  # fmt: skip
        if made.from_date and made.to_date and made.to_date < made.from_date:
            raise AuditFilterError(_l("The end date lies before the start date."))
        return made

    def query_args(self) -> dict:
        """The same filters as query arguments (for links: pages, the CSV download)."""
        values = {
            "from": self.from_date.isoformat() if self.from_date else None,
            "to": self.to_date.isoformat() if self.to_date else None,
            "user": self.user_email, "action": self.action, "object_type": self.object_type,
            "object_id": self.object_id,
        }  # fmt: skip
        return {key: value for key, value in values.items() if value is not None}

    def select(self, zone: tzinfo) -> Select[tuple[AuditEvent]]:
        return audit.matching(
            since=_start_of(self.from_date, zone) if self.from_date else None,
            until=_start_of(self.to_date + timedelta(days=1), zone) if self.to_date else None,
            user_email=self.user_email, action=self.action, object_type=self.object_type, object_id=self.object_id,
        )  # fmt: skip


def audit_page(db: Session, filters: AuditFilter, zone: tzinfo, page: int = 1, size: int = PAGE_SIZE) -> tuple[list[AuditEvent], bool]:
    """One page of rows, newest first, and whether there are older ones."""
    page = max(1, page)
    query = filters.select(zone).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).offset((page - 1) * size).limit(size + 1)
    rows = list(db.scalars(query))
    return rows[:size], len(rows) > size


def audit_rows_for_export(db: Session, filters: AuditFilter, zone: tzinfo):
    """All matching rows in time order, streamed (for the CSV download)."""
    query = filters.select(zone).order_by(AuditEvent.at, AuditEvent.id)
    return db.scalars(query.execution_options(yield_per=1000))


def _date(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise AuditFilterError(_l("Give dates as YYYY-MM-DD (not %(text)s).", text=text[:40])) from None


def _start_of(day: date, zone: tzinfo) -> datetime:
    midnight = datetime.combine(day, time.min)
    if hasattr(zone, "localize"):  # pytz (Flask-Babel's zones): never pass one as tzinfo=
        return zone.localize(midnight)
    return midnight.replace(tzinfo=zone)
