"""Supervisor certificates: valid, expiring (within 90 days) or expired; only supervisors have one."""

from datetime import date, timedelta

import pytest

from vib.accounts.certificates import (
    EXPIRED,
    EXPIRING,
    VALID,
    CertificateError,
    askable_supervisors,
    certificate_state,
    certify,
    may_be_asked,
    needing_attention,
)  # fmt: skip
from vib.accounts.models import User
from vib.core import db

TODAY = date(2026, 3, 1)


@pytest.fixture
def session(app):
    with app.test_request_context():
        yield db.session()


def user(session, people, who) -> User:
    return session.get(User, people[who].id)


@pytest.mark.parametrize(
    ("valid_until", "state"),
    [
        (TODAY + timedelta(days=91), VALID),
        (TODAY + timedelta(days=90), EXPIRING),  # exactly 90 days ahead: the warning starts
        (TODAY + timedelta(days=1), EXPIRING),
        (TODAY, EXPIRING),  # valid through its last day
        (TODAY - timedelta(days=1), EXPIRED),
    ],
)
def test_the_state_of_a_certificate_follows_its_date(session, people, valid_until, state):
    supervisor = user(session, people, "supervisor")
    certify(session, supervisor, "123", "AIT", valid_until, today=TODAY)
    assert certificate_state(supervisor, TODAY) == state
    assert may_be_asked(supervisor, TODAY) == (state != EXPIRED)


def test_a_supervisor_without_a_certificate_cannot_be_asked(session, people):
    supervisor = user(session, people, "supervisor")
    assert certificate_state(supervisor, TODAY) is None
    assert not may_be_asked(supervisor, TODAY)
    assert askable_supervisors(session, TODAY) == []


def test_only_supervisors_have_a_certificate(session, people):
    for who in ("worker", "trainer", "admin"):
        with pytest.raises(CertificateError, match="supervisor role"):
            certify(session, user(session, people, who), "123", "AIT", "2027-01-01")
        assert user(session, people, who).certificate is None


@pytest.mark.parametrize("bad", ["2027-13-01", "next year", "", None, "01-02-2027", "2062-01-01"])
def test_a_bad_date_is_refused(session, people, bad):
    supervisor = user(session, people, "supervisor")
    with pytest.raises(CertificateError):
        certify(session, supervisor, "123", "AIT", bad, today=TODAY)
    assert supervisor.certificate is None


@pytest.mark.parametrize(("number", "issuer"), [("", "AIT"), ("123", ""), ("  ", "AIT"), ("1" * 81, "AIT")])
def test_number_and_issuer_are_required(session, people, number, issuer):
    with pytest.raises(CertificateError):
        certify(session, user(session, people, "supervisor"), number, issuer, "2027-01-01", today=TODAY)


def test_renewing_replaces_the_certificate(session, people):
    supervisor = user(session, people, "supervisor")
    certify(session, supervisor, "old-1", "AIT", "2026-04-01", today=TODAY)
    session.commit()
    certify(session, supervisor, "new-2", "AIT", date(2029, 4, 1), today=TODAY)
    session.commit()
    session.expire_all()
    supervisor = user(session, people, "supervisor")
    assert (supervisor.certificate.number, supervisor.certificate.valid_until) == ("new-2", date(2029, 4, 1))
    assert certificate_state(supervisor, TODAY) == VALID


def test_the_admin_sees_the_supervisors_whose_certificate_needs_attention(session, people):
    from vib.accounts.operations import add_user

    supervisor = user(session, people, "supervisor")
    certify(session, supervisor, "1", "AIT", TODAY - timedelta(days=1), today=TODAY)
    expiring = add_user(session, "soon@example.org", ["supervisor", "worker"], name="Soon")
    certify(session, expiring, "2", "AIT", TODAY + timedelta(days=30), today=TODAY)
    fine = add_user(session, "fine@example.org", ["supervisor"], name="Fine")
    certify(session, fine, "3", "AIT", TODAY + timedelta(days=400), today=TODAY)
    missing = add_user(session, "missing@example.org", ["supervisor"], name="Missing")
    gone = add_user(session, "gone@example.org", ["supervisor"], name="Gone")
    gone.active = False
    session.flush()
    mine = {supervisor.email, expiring.email, fine.email, missing.email, gone.email}
    assert [(u.email, state) for u, state in needing_attention(session, TODAY) if u.email in mine] == [
        (supervisor.email, EXPIRED), (missing.email, None), (expiring.email, EXPIRING),
    ]  # fmt: skip
    assert [u.email for u in askable_supervisors(session, TODAY) if u.email in mine] == ["fine@example.org", "soon@example.org"]
