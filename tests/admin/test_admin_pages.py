"""The admin pages: accounts, roles, certificates and the audit log, for admins only."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, csrf_token
from tests.days import organisation_today
from vib.accounts.certificates import certificate_state, certify
from vib.accounts.models import User
from vib.core import db
from vib.core.audit import AuditEvent

PAGES = ["/admin/", "/admin/users", "/admin/users/{worker}", "/admin/audit", "/admin/audit.csv"]


def urls(people):
    return [page.format(worker=people["worker"].id) for page in PAGES]


def audit_rows(app, action=None):
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        return [(r.user_email, r.role, r.action, r.object_type, r.object_id) for r in db.session().scalars(query)]


def get_user(app, user_id) -> User:
    with app.app_context():
        user = db.session().get(User, user_id)
        _ = (user.roles, user.certificate)  # load before the session closes
        return user


def user_count(app) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count(User.id)))


def certify_now(app, people, who, valid_until):
    with app.app_context():
        session = db.session()
        certify(session, session.get(User, people[who].id), "123", "AIT", valid_until)
        session.commit()


# -- who may ------------------------------------------------------------------------------------


def test_only_an_admin_sees_the_admin_pages(people, browser_login):
    admin = browser_login("admin")
    for url in urls(people):
        assert admin.get(url).status_code in (200, 302), url
    for who in people:
        if who == "admin":
            continue
        client = browser_login(who)
        for url in urls(people):
            assert client.get(url).status_code == 404, (who, url)
        posted = client.post(
            "/admin/users",
            data={"email": "x@example.org", "name": "X", "roles": ["admin"], "password": PASSWORD, "csrf_token": client.csrf},
        )
        assert posted.status_code == 404
    assert user_count(admin.application) == len(people)


def test_anonymous_visitors_are_sent_to_the_login_page(app, people):
    for url in urls(people):
        response = app.test_client().get(url)
        assert response.status_code == 302 and response.location.startswith("/login"), url


def test_the_navigation_shows_administration_to_admins_only(browser_login):
    assert 'href="/admin/users"' in browser_login("admin").get("/cases").get_data(as_text=True)
    for who in ("worker", "supervisor", "trainer"):
        assert 'href="/admin/users"' not in browser_login(who).get("/cases").get_data(as_text=True)


def test_forms_need_the_csrf_token(app, people, browser_login):
    admin = browser_login("admin")
    assert (
        admin.post("/admin/users", data={"email": "x@example.org", "name": "X", "roles": ["worker"], "password": PASSWORD}).status_code
        == 400
    )
    assert user_count(app) == len(people)


# -- accounts -----------------------------------------------------------------------------------


def test_the_users_page_lists_everyone_with_roles_and_certificates(app, people, browser_login):
    certify_now(app, people, "supervisor", organisation_today() + timedelta(days=30))
    page = browser_login("admin").get("/admin/users").get_data(as_text=True)
    for person in people.values():
        assert person.email in page
    assert "Certificates that need attention" in page and "expires within 90 days" in page
    assert "AIT · no. 123" in page


def test_an_admin_adds_a_user(app, people, browser_login):
    admin = browser_login("admin")
    response = admin.post(
        "/admin/users",
        data={
            "email": "New@Example.org",
            "name": "Nina New",
            "roles": ["worker", "supervisor"],
            "password": "a good password",
            "csrf_token": admin.csrf,
        },
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session().scalar(select(User).where(User.email == "new@example.org"))
        assert (user.name, user.roles, user.active) == ("Nina New", {"worker", "supervisor"}, True)
    assert audit_rows(app, "user.create") == [("admin@example.org", "admin", "user.create", "user", user.id)]
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"email": "new@example.org", "password": "a good password", "csrf_token": token}).status_code == 302


@pytest.mark.parametrize(("data", "message"), [
    ({"email": "worker@example.org", "name": "Again", "roles": ["worker"]}, "already an account"),
    ({"email": "not-an-address", "name": "X", "roles": ["worker"]}, "Not an e-mail address"),
    ({"email": "x@example.org", "name": "X", "roles": ["boss"]}, "Give at least one role"),
    ({"email": "x@example.org", "name": "X", "roles": []}, "Give at least one role"),
    ({"email": "x@example.org", "name": "  ", "roles": ["worker"]}, "Give a name"),
    ({"email": "x@example.org", "name": "X", "roles": ["worker"], "password": "short"}, "at least 8 characters"),
])  # fmt: skip
def test_adding_a_user_with_bad_input_says_why_and_stores_nothing(app, people, browser_login, data, message):
    admin = browser_login("admin")
    response = admin.post("/admin/users", data={"password": "a good password", **data, "csrf_token": admin.csrf})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert user_count(app) == len(people)
    assert audit_rows(app) == []


def test_an_admin_changes_name_and_roles(app, people, browser_login):
    admin = browser_login("admin")
    worker_id = people["worker"].id
    response = admin.post(
        f"/admin/users/{worker_id}", data={"name": "Wim Worker", "roles": ["worker", "supervisor"], "active": "y", "csrf_token": admin.csrf}
    )
    assert response.status_code == 302
    user = get_user(app, worker_id)
    assert (user.name, user.roles, user.active) == ("Wim Worker", {"worker", "supervisor"}, True)
    assert audit_rows(app) == [("admin@example.org", "admin", "user.update", "user", worker_id)]
    # Sending the same again changes nothing, and records nothing.
    admin.post(
        f"/admin/users/{worker_id}", data={"name": "Wim Worker", "roles": ["worker", "supervisor"], "active": "y", "csrf_token": admin.csrf}
    )
    assert len(audit_rows(app)) == 1


def test_a_deactivated_user_cannot_log_in_until_reactivated(app, people, browser_login):
    admin = browser_login("admin")
    logged_in_worker = browser_login("worker")
    worker_id = people["worker"].id
    admin.post(f"/admin/users/{worker_id}", data={"name": "Worker", "roles": ["worker"], "csrf_token": admin.csrf})
    assert get_user(app, worker_id).active is False
    assert logged_in_worker.get("/cases").status_code == 302  # an open session ends too
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"email": "worker@example.org", "password": PASSWORD, "csrf_token": token}).status_code == 401
    assert client.get("/api/cases", headers={"Authorization": f"Bearer {people['worker'].token}"}).status_code == 401
    assert "deactivated" in admin.get("/admin/users").get_data(as_text=True)
    admin.post(f"/admin/users/{worker_id}", data={"name": "Worker", "roles": ["worker"], "active": "y", "csrf_token": admin.csrf})
    assert browser_login("worker").get("/cases").status_code == 200
    assert [row[2] for row in audit_rows(app)] == ["user.update", "login.failed", "user.update"]  # the refused log-in too


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "Admin", "roles": ["worker"], "active": "y"}, "cannot remove your own administrator role"),
    ({"name": "Admin", "roles": ["admin"]}, "cannot deactivate your own account"),
    ({"name": "Admin", "roles": ["admin", "chief"], "active": "y"}, "Give at least one role"),
    ({"name": "", "roles": ["admin", "worker"], "active": "y"}, "Give a name"),
])  # fmt: skip
def test_an_admin_cannot_lock_themselves_out_or_store_bad_input(app, people, browser_login, data, message):
    admin = browser_login("admin")
    response = admin.post(f"/admin/users/{people['admin'].id}", data={**data, "csrf_token": admin.csrf})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    user = get_user(app, people["admin"].id)
    assert (user.name, user.roles, user.active) == ("Admin", {"admin"}, True)
    assert audit_rows(app) == []


def test_another_admin_may_remove_an_admin_role(app, people, browser_login):
    admin = browser_login("admin")
    admin.post(
        f"/admin/users/{people['trainer'].id}",
        data={"name": "Trainer", "roles": ["trainer", "admin"], "active": "y", "csrf_token": admin.csrf},
    )
    trainer = browser_login("trainer")
    response = trainer.post(
        f"/admin/users/{people['admin'].id}", data={"name": "Admin", "roles": ["worker"], "active": "y", "csrf_token": trainer.csrf}
    )
    assert response.status_code == 302
    assert get_user(app, people["admin"].id).roles == {"worker"}
    assert admin.get("/admin/users").status_code == 404


def test_an_admin_sets_a_new_password(app, people, browser_login):
    admin = browser_login("admin")
    url = f"/admin/users/{people['worker'].id}/password"
    refused = admin.post(url, data={"password": "short", "csrf_token": admin.csrf}, follow_redirects=True)
    assert "at least 8 characters" in refused.get_data(as_text=True)
    assert audit_rows(app) == []
    assert admin.post(url, data={"password": "a brand new secret", "csrf_token": admin.csrf}).status_code == 302
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    assert (
        client.post("/login", data={"email": "worker@example.org", "password": "a brand new secret", "csrf_token": token}).status_code
        == 302
    )
    assert audit_rows(app) == [("admin@example.org", "admin", "user.update", "user", people["worker"].id)]


# -- certificates -------------------------------------------------------------------------------


def test_an_admin_records_and_renews_a_certificate(app, people, browser_login):
    admin = browser_login("admin")
    supervisor_id = people["supervisor"].id
    url = f"/admin/users/{supervisor_id}/certificate"
    soon = (organisation_today() + timedelta(days=60)).isoformat()
    assert admin.post(url, data={"number": "AIT-77", "issuer": "AIT", "valid_until": soon, "csrf_token": admin.csrf}).status_code == 302
    with app.app_context():  # "expiring" counts from the organisation's day (VIB_TIMEZONE)
        assert certificate_state(get_user(app, supervisor_id)) == "expiring"
    later = (organisation_today() + timedelta(days=3 * 365)).isoformat()
    admin.post(url, data={"number": "AIT-78", "issuer": "AIT", "valid_until": later, "csrf_token": admin.csrf})
    user = get_user(app, supervisor_id)
    with app.app_context():
        assert (user.certificate.number, user.certificate.valid_until.isoformat(), certificate_state(user)) == ("AIT-78", later, "valid")
    assert audit_rows(app) == [("admin@example.org", "admin", "certificate.set", "certificate", supervisor_id)] * 2
    assert "AIT-78" in admin.get(f"/admin/users/{supervisor_id}").get_data(as_text=True)


@pytest.mark.parametrize(("who", "data", "message"), [
    ("supervisor", {"number": "1", "issuer": "AIT", "valid_until": "2027-13-01"}, "as YYYY-MM-DD"),
    ("supervisor", {"number": "1", "issuer": "AIT", "valid_until": ""}, "as YYYY-MM-DD"),
    ("supervisor", {"number": "", "issuer": "AIT", "valid_until": "2027-01-01"}, "certificate number"),
    ("supervisor", {"number": "1", "issuer": "AIT", "valid_until": "2099-01-01"}, "check the year"),
    ("worker", {"number": "1", "issuer": "AIT", "valid_until": "2027-01-01"}, "supervisor role first"),
])  # fmt: skip
def test_a_bad_certificate_is_refused_with_a_message(app, people, browser_login, who, data, message):
    admin = browser_login("admin")
    response = admin.post(f"/admin/users/{people[who].id}/certificate", data={**data, "csrf_token": admin.csrf})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert get_user(app, people[who].id).certificate is None
    assert audit_rows(app) == []


def test_a_supervisor_sees_a_notice_when_the_certificate_runs_out(app, people, browser_login):
    supervisor = browser_login("supervisor")
    assert "No supervisor certificate is recorded for you" in supervisor.get("/cases").get_data(as_text=True)
    certify_now(app, people, "supervisor", organisation_today() + timedelta(days=200))
    assert "certificate-notice" not in supervisor.get("/cases").get_data(as_text=True)
    certify_now(app, people, "supervisor", organisation_today() + timedelta(days=90))
    page = supervisor.get("/cases").get_data(as_text=True)
    assert "Your supervisor certificate (AIT, no. 123) is valid until" in page and "Renew it in time" in page
    certify_now(app, people, "supervisor", organisation_today() - timedelta(days=1))
    assert "expired on" in supervisor.get("/cases").get_data(as_text=True)
    assert "certificate-notice" not in browser_login("worker").get("/cases").get_data(as_text=True)


# -- the audit log ------------------------------------------------------------------------------


@pytest.fixture
def logged(app):
    """Rows at known times (UTC; the page shows them in the organisation's zone, Europe/Amsterdam)."""
    start = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
    rows = [
        (0, "worker@example.org", "worker", "clip.view", "clip", 5),
        (1, "supervisor@example.org", "supervisor", "review.open", "review", 3),
        (24, "worker@example.org", "worker", "moment.create", "moment", 12),
        (48, "admin@example.org", "admin", "certificate.set", "certificate", 4),
    ]
    with app.app_context():
        for hours, email, role, action, object_type, object_id in rows:
            db.session().add(
                AuditEvent(
                    at=start + timedelta(hours=hours),
                    user_email=email,
                    role=role,
                    action=action,
                    object_type=object_type,
                    object_id=object_id,
                )
            )
        db.session().commit()


def shown_actions(client, query=""):
    page = client.get("/admin/audit" + query).get_data(as_text=True)
    return [line.split("<code>")[1].split("</code>")[0] for line in page.splitlines() if "<code>" in line]


def test_the_audit_page_lists_rows_newest_first_and_filters_them(people, browser_login, logged):
    admin = browser_login("admin")
    assert shown_actions(admin) == ["certificate.set", "moment.create", "review.open", "clip.view"]
    assert shown_actions(admin, "?user=Worker@example.org") == ["moment.create", "clip.view"]
    assert shown_actions(admin, "?action=review.open") == ["review.open"]
    assert shown_actions(admin, "?object_type=moment&object_id=12") == ["moment.create"]
    assert shown_actions(admin, "?object_type=clip&object_id=12") == []
    assert shown_actions(admin, "?from=2026-01-11") == ["certificate.set", "moment.create"]
    assert shown_actions(admin, "?to=2026-01-11") == ["moment.create", "review.open", "clip.view"]  # the end day included
    assert shown_actions(admin, "?from=2026-01-11&to=2026-01-11") == ["moment.create"]
    page = admin.get("/admin/audit").get_data(as_text=True)
    assert "10 Jan 2026 10:00:00" in page and "Europe/Amsterdam" in page  # 09:00 UTC is 10:00 in winter


@pytest.mark.parametrize(("query", "message"), [
    ("?from=10-01-2026", "YYYY-MM-DD"),
    ("?action=clip.download", "Unknown action"),
    ("?object_type=client", "Unknown object type"),
    ("?object_id=abc", "whole number"),
    ("?from=2026-02-01&to=2026-01-01", "before the start date"),
])  # fmt: skip
def test_bad_filters_say_why(browser_login, logged, query, message):
    response = browser_login("admin").get("/admin/audit" + query)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert "<code>" not in response.get_data(as_text=True)


def test_the_audit_page_has_pages_of_a_hundred(app, people, browser_login):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with app.app_context():
        for i in range(105):
            db.session().add(
                AuditEvent(
                    at=start + timedelta(minutes=i),
                    user_email="worker@example.org",
                    role="worker",
                    action="clip.view",
                    object_type="clip",
                    object_id=i,
                )
            )
        db.session().commit()
    admin = browser_login("admin")
    first = admin.get("/admin/audit?action=clip.view").get_data(as_text=True)
    assert first.count("<code>") == 100 and "page=2" in first and ">104<" in first
    second = admin.get("/admin/audit?action=clip.view&page=2").get_data(as_text=True)
    assert second.count("<code>") == 5 and ">0<" in second


def test_the_csv_download_has_the_export_columns_and_the_same_filters(browser_login, logged):
    response = browser_login("admin").get("/admin/audit.csv?user=worker@example.org")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    assert response.get_data(as_text=True).splitlines() == [
        "time,user,role,action,object type,object id,detail",
        "2026-01-10T09:00:00+00:00,worker@example.org,worker,clip.view,clip,5,",
        "2026-01-11T09:00:00+00:00,worker@example.org,worker,moment.create,moment,12,",
    ]  # fmt: skip
    page = browser_login("admin").get("/admin/audit?user=worker@example.org").get_data(as_text=True)
    assert 'href="/admin/audit.csv?user=worker@example.org"' in page


# -- what people type is shown as text ----------------------------------------------------------


def test_names_are_escaped(app, people, browser_login):
    admin = browser_login("admin")
    admin.post(
        "/admin/users",
        data={
            "email": "x@example.org",
            "name": "<script>alert(1)</script>",
            "roles": ["supervisor"],
            "password": PASSWORD,
            "csrf_token": admin.csrf,
        },
    )
    with app.app_context():
        user_id = db.session().scalar(select(User.id).where(User.email == "x@example.org"))
    for url in ("/admin/users", f"/admin/users/{user_id}"):
        page = admin.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_audit_page_counts_days_in_the_organisations_time_zone(app, people, browser_login):
    # 23:30 UTC on 10 January is half past midnight on 11 January in Amsterdam.
    with app.app_context():
        db.session().add(
            AuditEvent(
                at=datetime(2026, 1, 10, 23, 30, tzinfo=UTC),
                user_email="worker@example.org",
                role="worker",
                action="clip.view",
                object_type="clip",
                object_id=1,
            )
        )
        db.session().commit()
    admin = browser_login("admin")
    assert shown_actions(admin, "?from=2026-01-11&to=2026-01-11") == ["clip.view"]
    assert shown_actions(admin, "?to=2026-01-10") == []
    assert "11 Jan 2026 00:30:00" in admin.get("/admin/audit").get_data(as_text=True)


def test_an_unknown_time_zone_stops_the_start_with_a_clear_message(tmp_path):
    from vib import create_app

    with pytest.raises(ValueError, match="VIB_TIMEZONE"):
        create_app({"VIB_HOME": tmp_path, "BABEL_DEFAULT_TIMEZONE": "Mars/Olympus"})
