"""Cases and consent: the rules for creating a case and for recording, adding and withdrawing consent."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from vib.accounts.models import User
from vib.cases.hooks import consent_withdrawn
from vib.cases.models import LEARNING_QUESTION, NEXT_GOAL, PERSON_ROLES, PURPOSES, Case, CaseGoal, ConsentRecord
from vib.core import audit
from vib.core.days import organisation_date, organisation_today
from vib.core.db import utcnow
from vib.core.errors import UserError, text_or_none
from vib.schemes.catalogue import check_scheme_choice

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
MAX_QUESTION = 2000
MAX_PERSON = 80


class CaseError(UserError):
    """A request about a case that breaks a rule; the message is for the user."""


@dataclass
class PersonConsent:
    person: str
    role: str
    purposes: set[str] = field(default_factory=set)


def create_case(db: Session, owner: User, code: str, learning_question: str, scheme_id: str | None = None) -> Case:
    """A new case; `scheme_id` chooses its code scheme (None: the organisation's default)."""
    code = (text_or_none(code, "code") or "").strip()
    question = (text_or_none(learning_question, "learning_question") or "").strip()
    if not CODE_PATTERN.match(code):
        raise CaseError(_l("A case code has 1 to 40 letters, digits, dots, dashes or underscores, and never a name."))
    if not question:
        raise CaseError(_l("Write the learning question: what do you want to learn from this conversation?"))
    if len(question) > MAX_QUESTION:
        raise CaseError(_l("The learning question is too long (at most %(n)d characters).", n=MAX_QUESTION))
    if db.scalar(select(Case.id).where(Case.owner_id == owner.id, Case.code == code)):
        raise CaseError(_l("You already have a case with code %(code)s.", code=code))
    case = Case(code=code, owner_id=owner.id, learning_question=question, scheme_id=check_scheme_choice(db, scheme_id))
    case.goals.append(CaseGoal(kind=LEARNING_QUESTION, text=question, set_by_id=owner.id))
    db.add(case)
    db.flush()
    return case


def set_next_goal(db: Session, case: Case, goal: str, by: User) -> CaseGoal:
    """What the worker works on next; the case keeps every goal with its date (see goal_on)."""
    entry = CaseGoal(kind=NEXT_GOAL, text=goal, set_by_id=by.id, set_at=utcnow())
    case.goals.append(entry)
    case.next_learning_goal, case.next_learning_goal_set_at = goal, entry.set_at
    db.flush()
    return entry


def goal_on(case: Case, day: date) -> CaseGoal | None:
    """The goal that held on `day`: the last one set on or before it (the first one for a clip
    filmed before the case was opened in vib)."""
    held = [goal for goal in case.goals if organisation_date(goal.set_at) <= day]
    return held[-1] if held else (case.goals[0] if case.goals else None)


def record_consent(db: Session, case: Case, by: User, person: str, role: str, purposes: list[str], on: date | str | None) -> ConsentRecord:
    """Record that a person consents to purposes; adds to what they consented to before."""
    person = _person_label(person)
    if role not in PERSON_ROLES:
        raise CaseError(_l("The person's role must be one of: %(roles)s.", roles=", ".join(PERSON_ROLES)))
    return _add_record(db, case, by, person, role, "grant", purposes, on)


def withdraw_consent(db: Session, case: Case, by: User, person: str, purposes: list[str], on: date | str | None = None) -> ConsentRecord:
    """Withdraw purposes a person consented to; access for those purposes stops at once."""
    person = _person_label(person)
    current = consents_by_person(case).get(person.casefold())
    if current is None:
        raise CaseError(_l("No consent is recorded for %(person)s in this case.", person=person))
    not_given = [p for p in dict.fromkeys(purposes or []) if p in PURPOSES and p not in current.purposes]
    if not_given:
        raise CaseError(
            _l(
                "%(person)s gave no consent for %(purposes)s: there is nothing to withdraw.",
                person=current.person,
                purposes=", ".join(not_given),
            )
        )
    record = _add_record(db, case, by, current.person, current.role, "withdraw", purposes, on or organisation_today())
    consent_withdrawn.send(case, person=current.person, purposes=list(record.purposes), by=by)
    return record


def close_case(db: Session, case: Case, by: User, on: date | str | None = None) -> Case:
    """End the case's trajectory: no more uploads, and its clips' retention counts from `on` (today)."""
    if case.closed_on is not None:
        raise CaseError(_l("This case is already closed (since %(date)s).", date=case.closed_on.isoformat()), status=409)
    closed_on = _past_date(
        on or organisation_today(), _l("Give the date the case closed as YYYY-MM-DD."), _l("A case cannot close in the future.")
    )
    opened_on = organisation_date(case.created_at)
    if closed_on < opened_on:
        raise CaseError(_l("A case cannot close before it was made (%(date)s).", date=opened_on.isoformat()))
    case.closed_on = closed_on
    db.flush()
    audit.record(db, by, "case.close", "case", case.id, "worker")
    return case


def reopen_case(db: Session, case: Case, by: User) -> Case:
    if case.closed_on is None:
        raise CaseError(_l("This case is open."), status=409)
    case.closed_on = None
    db.flush()
    audit.record(db, by, "case.reopen", "case", case.id, "worker")
    return case


def consents_by_person(case: Case) -> dict[str, PersonConsent]:
    """What each person consents to now: their grants minus their withdrawals, in order.
    Keyed by the person label, case-insensitively."""
    people: dict[str, PersonConsent] = {}
    for record in case.consent_records:
        entry = people.setdefault(record.person.casefold(), PersonConsent(record.person, record.person_role))
        if record.action == "grant":
            entry.role = record.person_role
            entry.purposes |= set(record.purposes)
        else:
            entry.purposes -= set(record.purposes)
    return people


def upload_refusal(case: Case) -> str | None:
    """Why a clip may not be uploaded to this case now, or None when it may."""
    if case.closed_on is not None:
        return str(_l("This case is closed: reopen it to upload a clip."))
    people = consents_by_person(case).values()
    if not people:
        return str(_l("Record the consent of everyone in the recording before you upload a clip."))
    missing = sorted(p.person for p in people if "analysis" not in p.purposes)
    if missing:
        return str(_l("Upload is not possible: %(people)s gave no consent for analysis.", people=", ".join(missing)))
    return None


def viewing_refusal(case: Case) -> str | None:
    """Why the case's clips may not be watched now (consent for analysis withdrawn), or None."""
    missing = sorted(p.person for p in consents_by_person(case).values() if "analysis" not in p.purposes)
    if missing:
        return str(
            _l(
                "Consent for analysis has been withdrawn (%(people)s): the clips of this case can no longer be watched.",
                people=", ".join(missing),
            )
        )
    return None


def supervision_refusal(case: Case) -> str | None:
    """Why the case's clips may not be shown to a supervisor now: everyone recorded on the case must
    consent to supervision, and none may have withdrawn it. None when they may."""
    people = consents_by_person(case).values()
    missing = sorted(p.person for p in people if "supervision" not in p.purposes)
    if not people or missing:
        return str(
            _l(
                "Not everyone in this case consents to review by a supervisor (%(people)s): the clip cannot be shared for supervision.",
                people=", ".join(missing) or "-",
            )
        )
    return None


def _person_label(person: str) -> str:
    person = " ".join((text_or_none(person, "person") or "").split())
    if not person or len(person) > MAX_PERSON:
        raise CaseError(
            _l(
                'Describe the person by their part in the conversation (e.g. "mother", "child 14y"), in at most %(n)d characters.',
                n=MAX_PERSON,
            )
        )
    return person


def _add_record(db, case, by, person, role, action, purposes, on) -> ConsentRecord:
    purposes = list(dict.fromkeys(purposes or []))
    if not purposes or set(purposes) - set(PURPOSES):
        raise CaseError(_l("Choose one or more purposes: %(purposes)s.", purposes=", ".join(PURPOSES)))
    on = _consent_date(on)
    record = ConsentRecord(
        case=case, person=person, person_role=role, action=action, purposes=purposes, consent_date=on, recorded_by_id=by.id
    )
    db.add(record)
    db.flush()
    audit.record(db, by, f"consent.{action}", "case", case.id, "worker")
    return record


def _consent_date(on: date | str | None) -> date:
    return _past_date(on, _l("Give the date of the consent as YYYY-MM-DD."), _l("The date of the consent cannot be in the future."))


def _past_date(on: date | str | None, malformed, future) -> date:
    if isinstance(on, date):
        value = on
    else:
        try:
            value = date.fromisoformat(str(on or ""))
        except ValueError:
            raise CaseError(malformed) from None
    if value > organisation_today():
        raise CaseError(future)
    return value
