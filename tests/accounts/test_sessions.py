"""Log-in sessions that end: at log-out, a new password and "log out everywhere" every other session
of the person ends at once (a copied cookie stops working); a session also ends after 30 minutes
without activity and 12 hours after the log-in."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import PASSWORD, complete_log_in, csrf_token
from vib.core import db
from vib.core.audit import AuditEvent


def logged_in(app, email="worker@example.org", password=PASSWORD):
    client = app.test_client()
    complete_log_in(client, email, password)
    client.csrf = csrf_token(client.get("/cases").get_data(as_text=True))
    return client


def copy_of(app, client):
    """Another browser holding a copy of the client's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def is_in(client) -> bool:
    return client.get("/cases").status_code == 200


def test_a_cookie_copied_before_log_out_no_longer_works(app, people):
    client = logged_in(app)
    thief = copy_of(app, client)
    assert is_in(thief)
    client.post("/logout", data={"csrf_token": client.csrf})
    assert not is_in(client) and not is_in(thief)
    assert thief.get("/cases").location.startswith("/login")


def test_a_new_password_from_the_admin_ends_every_session(app, people):
    client = logged_in(app)
    admin = logged_in(app, "admin@example.org")
    admin.post(f"/admin/users/{people['worker'].id}/password", data={"password": "another long password", "csrf_token": admin.csrf})
    assert not is_in(client)
    assert logged_in(app, password="another long password")


def test_the_person_changes_their_password_and_only_this_session_goes_on(app, people):
    here, elsewhere = logged_in(app), logged_in(app)
    wrong = here.post(
        "/account/password",
        data={"current": "nope", "new": "a new long password", "repeated": "a new long password", "csrf_token": here.csrf},
    )
    assert wrong.status_code == 422 and "current password is not right" in wrong.get_data(as_text=True)
    differ = here.post(
        "/account/password", data={"current": PASSWORD, "new": "a new long password", "repeated": "another", "csrf_token": here.csrf}
    )
    assert differ.status_code == 422 and "differ" in differ.get_data(as_text=True)
    assert is_in(elsewhere)
    done = here.post(
        "/account/password",
        data={"current": PASSWORD, "new": "a new long password", "repeated": "a new long password", "csrf_token": here.csrf},
    )
    assert done.status_code == 302
    assert is_in(here) and not is_in(elsewhere)
    assert logged_in(app, password="a new long password")


def test_log_out_everywhere_else_and_the_admins_log_out_everywhere(app, people):
    here, elsewhere = logged_in(app), logged_in(app)
    here.post("/account/sessions/end", data={"csrf_token": here.csrf})
    assert is_in(here) and not is_in(elsewhere)
    admin = logged_in(app, "admin@example.org")
    admin.post(f"/admin/users/{people['worker'].id}/sessions", data={"csrf_token": admin.csrf})
    assert not is_in(here)
    with app.app_context():
        rows = db.session().scalars(select(AuditEvent).where(AuditEvent.action == "user.sessions_ended")).all()
        assert [(r.user_email, r.object_id) for r in rows] == [
            ("worker@example.org", people["worker"].id),
            ("admin@example.org", people["worker"].id),
        ]


def test_a_session_ends_after_thirty_idle_minutes_and_twelve_hours_in_all(app, people):
    client = logged_in(app)
    with client.session_transaction() as session:
        session["vib_seen_at"] -= 29 * 60
    assert is_in(client)  # 29 minutes is not yet idle; and the request counts as activity
    with client.session_transaction() as session:
        session["vib_seen_at"] -= 31 * 60
    assert not is_in(client)

    client = logged_in(app)
    with client.session_transaction() as session:
        session["vib_login_at"] -= 12 * 3600 + 1
    assert not is_in(client)


def test_the_page_warns_before_the_idle_end_and_the_api_says_how_long(app, people, api):
    client = logged_in(app)
    page = client.get("/cases").get_data(as_text=True)
    assert 'class="session-warning" role="alertdialog"' in page and 'data-idle-seconds="1800"' in page
    assert client.get("/api/session").json["idle_seconds"] == 1800
    assert "session-warning" not in app.test_client().get("/login").get_data(as_text=True)
