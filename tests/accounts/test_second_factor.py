"""The second factor: who needs one, enrolment at the first log-in, codes from the app (never twice),
recovery codes (each once), throttling of the second step, and the admin's reset."""

from __future__ import annotations

import re
import time

import pyotp
from sqlalchemy import select

from tests.conftest import PASSWORD, csrf_token
from tests.privacy.conftest import cli
from vib.accounts import second_factor
from vib.accounts.models import User
from vib.accounts.operations import add_user
from vib.core import db
from vib.core.audit import AuditEvent


def password_step(client, email, password=PASSWORD):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def code_step(client, code):
    token = csrf_token(client.get("/login/code").get_data(as_text=True))
    return client.post("/login/code", data={"code": code, "csrf_token": token})


def new_user(app, email, roles) -> None:
    with app.app_context():
        add_user(db.session(), email, roles, name="New Person", password="a long password")
        db.session().commit()


def enrol_through_the_page(client, url="/login/enrol"):
    """Scan (read the key off the page), confirm with the app's code; returns (secret, recovery codes)."""
    page = client.get(url).get_data(as_text=True)
    assert "<svg" in page  # the QR code, drawn on the server
    secret = re.search(r'<code class="secret"[^>]*>([A-Z2-7]+)</code>', page).group(1)
    token = csrf_token(page)
    wrong = client.post(url, data={"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111", "csrf_token": token})
    assert wrong.status_code == 422 and "not right" in wrong.get_data(as_text=True)
    done = client.post(url, data={"code": pyotp.TOTP(secret).now(), "csrf_token": token})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def test_a_supervisor_sets_up_the_app_at_the_first_log_in(app):
    new_user(app, "sam@example.org", ["supervisor"])
    client = app.test_client()
    answer = password_step(client, "sam@example.org", "a long password")
    assert answer.location.endswith("/login/enrol")
    assert client.get("/cases").status_code == 302  # not in yet
    secret, codes = enrol_through_the_page(client)
    assert client.get("/cases").status_code == 200  # in now
    with app.app_context():
        user = db.session().scalar(select(User).where(User.email == "sam@example.org"))
        assert user.second_factor.secret == secret and second_factor.is_enrolled(user)
        assert db.session().scalar(select(AuditEvent.action).where(AuditEvent.action == "second_factor.enrol"))


def test_workers_need_it_by_default_and_not_when_the_organisation_says_optional(app):
    new_user(app, "wim@example.org", ["worker"])
    assert password_step(app.test_client(), "wim@example.org", "a long password").location.endswith("/login/enrol")
    shown = cli(app, "policy", "set", "--second-factor-for-workers", "optional")
    assert shown.exit_code == 0 and "second_factor_for_workers = optional" in shown.output
    client = app.test_client()
    assert password_step(client, "wim@example.org", "a long password").location == "/"
    assert client.get("/cases").status_code == 200
    assert "Set up an authenticator app" in client.get("/account").get_data(as_text=True)
    new_user(app, "sue@example.org", ["supervisor"])  # supervisors always need it
    assert password_step(app.test_client(), "sue@example.org", "a long password").location.endswith("/login/enrol")


def test_a_code_from_the_app_logs_in_once_and_a_recovery_code_once(app, people):
    totp = pyotp.TOTP(people["worker"].totp_secret)
    first = app.test_client()
    assert password_step(first, "worker@example.org").location.endswith("/login/code")
    code = totp.now()
    assert code_step(first, code).status_code == 302 and first.get("/cases").status_code == 200
    again = app.test_client()
    password_step(again, "worker@example.org")
    replay = code_step(again, code)
    assert replay.status_code == 401 and "used before" in replay.get_data(as_text=True)

    recovery = people["worker"].recovery_codes[0]
    assert code_step(again, recovery.upper()).status_code == 302  # as typed, in capitals
    assert "9 are left" in again.get("/cases").get_data(as_text=True)
    third = app.test_client()
    password_step(third, "worker@example.org")
    assert code_step(third, recovery).status_code == 401


def test_the_second_step_is_throttled_and_expires(app, people):
    client = app.test_client()
    password_step(client, "worker@example.org")
    for _ in range(5):
        assert code_step(client, "12345678").status_code == 401
    assert code_step(client, people["worker"].recovery_codes[0]).status_code == 429

    late = app.test_client()
    password_step(late, "other_worker@example.org")
    with late.session_transaction() as session:
        session["vib_pending"] = {**session["vib_pending"], "at": time.time() - 301}  # five minutes later
    assert late.get("/login/code").location.endswith("/login")


def test_new_recovery_codes_replace_the_old_ones(app, people, browser_login):
    client = browser_login("worker")
    old = people["worker"].recovery_codes[0]
    page = client.post("/account/recovery-codes", data={"csrf_token": client.csrf}).get_data(as_text=True)
    new = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", page)
    assert len(new) == 10 and old not in new
    other = app.test_client()
    password_step(other, "worker@example.org")
    assert code_step(other, old).status_code == 401
    assert code_step(other, new[0]).status_code == 302


def test_the_admin_resets_a_lost_phone_and_the_person_enrols_again(app, people, browser_login):
    worker = browser_login("worker")
    admin = browser_login("admin")
    page = admin.get(f"/admin/users/{people['worker'].id}").get_data(as_text=True)
    assert "Reset the second factor" in page
    admin.post(f"/admin/users/{people['worker'].id}/second-factor/reset", data={"csrf_token": admin.csrf})
    assert worker.get("/cases").status_code == 302  # the sessions ended
    client = app.test_client()
    assert password_step(client, "worker@example.org").location.endswith("/login/enrol")
    enrol_through_the_page(client)
    with app.app_context():
        actions = (
            db.session().scalars(select(AuditEvent.action).where(AuditEvent.action.like("second_factor.%")).order_by(AuditEvent.id)).all()
        )
        assert actions == ["second_factor.reset", "second_factor.enrol"]


def test_api_tokens_need_no_second_factor(api):
    assert api("supervisor").get("/api/reviews").status_code == 200
