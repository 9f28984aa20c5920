"""Logging in, passwords, API tokens, CSRF and cookie flags."""

from tests.conftest import PASSWORD, complete_log_in, csrf_token
from vib.accounts.models import ApiToken, User
from vib.core import db


def test_login_and_logout(app, people):
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    wrong = client.post("/login", data={"email": "worker@example.org", "password": "nope-nope", "csrf_token": token})
    assert wrong.status_code == 401 and "wrong password" in wrong.get_data(as_text=True)
    ok = complete_log_in(client, "Worker@Example.org", next_url="/cases")
    assert ok.status_code == 302 and ok.location == "/cases"
    cookie = next(c for c in ok.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/cases").status_code == 200
    page_token = csrf_token(client.get("/cases").get_data(as_text=True))
    client.post("/logout", data={"csrf_token": page_token})
    assert client.get("/cases").status_code == 302


def test_login_never_redirects_to_another_site(app, people):
    client = app.test_client()
    response = complete_log_in(client, "worker@example.org", next_url="https://evil.example/x")
    assert response.location == "/"


def test_forms_without_csrf_token_are_refused(app, browser_login, people):
    client = app.test_client()
    assert client.post("/login", data={"email": "worker@example.org", "password": PASSWORD}).status_code == 400
    logged_in = browser_login("worker")
    assert logged_in.post("/cases", data={"code": "X-1", "learning_question": "Q?"}).status_code == 400
    # The page's own scripts send the token in a header.
    assert logged_in.post("/api/cases", json={"code": "X-1", "learning_question": "Q?"}).status_code == 400
    assert (
        logged_in.post("/api/cases", json={"code": "X-1", "learning_question": "Q?"}, headers={"X-CSRFToken": logged_in.csrf}).status_code
        == 201
    )


def test_passwords_and_tokens_are_stored_hashed(app, people):
    with app.app_context():
        user = db.session().get(User, people["worker"].id)
        assert PASSWORD not in user.password_hash
        hashes = [t.token_hash for t in db.session().query(ApiToken).all()]
    assert people["worker"].token not in hashes and len(hashes) == len(people)


def test_api_needs_a_valid_token(app, api):
    assert app.test_client().get("/api/cases", headers={"Authorization": "Bearer vib_wrong"}).status_code == 401
    assert api(None).get("/api/cases").json["error"].startswith("Authentication required")
    assert api("worker").get("/api/cases").status_code == 200


def test_pages_and_media_carry_protective_headers(browser_login, ready_clip):
    client = browser_login("worker")
    page = client.get(f"/clips/{ready_clip['id']}")
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Cache-Control"] == "no-store"
    media = client.get(f"/api/clips/{ready_clip['id']}/media")
    assert media.headers["Cache-Control"] == "private, no-store"


def test_a_token_works_for_a_script_that_keeps_cookies(app, people, browser_login):
    script = app.test_client()  # keeps cookies, like requests.Session
    assert script.get("/login").status_code == 200  # the page puts a CSRF token in a cookie session
    headers = {"Authorization": f"Bearer {people['worker'].token}"}
    assert script.get("/api/cases", headers=headers).status_code == 200
    assert script.post("/api/cases", headers=headers, json={"code": "T-1", "learning_question": "How?"}).status_code == 201
    # A token is the only identity of its request: another person's login cookie does not count.
    other = browser_login("other_worker")
    assert other.get("/api/cases", headers=headers).get_json()[0]["code"] == "T-1"
