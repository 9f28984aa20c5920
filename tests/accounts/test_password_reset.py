"""A forgotten password, with SMTP configured: a link by e-mail, valid 30 minutes, used once; the
page answers alike for every address. Without SMTP the page sends people to their administrator."""

from __future__ import annotations

import re
import time

from tests.conftest import complete_log_in, csrf_token, wait_for_jobs
from tests.supervision.test_notifications import smtp_server  # noqa: F401 (a fixture)
from vib.accounts.models import User
from vib.accounts.password_reset import make_token
from vib.core import db


def ask_for_a_link(client, email):
    token = csrf_token(client.get("/password/forgot").get_data(as_text=True))
    return client.post("/password/forgot", data={"email": email, "csrf_token": token})


def received_link(received) -> str:
    for _ in range(50):
        if received:
            break
        time.sleep(0.1)
    [mail] = received
    return re.search(r"https://vib\.example\.org(/password/reset/\S+)", mail.get_payload(decode=True).decode()).group(1)


def choose(client, link, password, repeated=None):
    token = csrf_token(client.get(link).get_data(as_text=True))
    return client.post(link, data={"new": password, "repeated": repeated or password, "csrf_token": token})


def test_a_link_by_e_mail_sets_a_new_password_once(app, people, smtp_server):  # noqa: F811
    port, received = smtp_server
    app.config.update(VIB_SMTP_HOST="127.0.0.1", VIB_SMTP_PORT=port, VIB_BASE_URL="https://vib.example.org")
    client = app.test_client()
    known, unknown = ask_for_a_link(client, "worker@example.org"), ask_for_a_link(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 302
    wait_for_jobs(app)
    link = received_link(received)
    assert len(received) == 1  # nothing went to the unknown address, and the answers were the same
    assert choose(client, link, "short").status_code == 422
    assert choose(client, link, "a fresh long password", "another").status_code == 422
    done = choose(client, link, "a fresh long password")
    assert done.status_code == 302 and done.location.endswith("/login")
    assert complete_log_in(app.test_client(), "worker@example.org", "a fresh long password").status_code == 302
    again = client.get(link)
    assert again.status_code == 302 and again.location.endswith("/password/forgot")  # used once


def test_a_link_expires_after_thirty_minutes_and_a_tampered_one_never_works(app, people):
    with app.app_context():
        user = db.session().get(User, people["worker"].id)
        old = make_token(user, now=time.time() - 31 * 60)
        fresh = make_token(user)
    client = app.test_client()
    assert client.get(f"/password/reset/{old}").location.endswith("/password/forgot")
    assert client.get(f"/password/reset/{fresh}").status_code == 200
    assert client.get(f"/password/reset/{fresh[:-2]}xy").location.endswith("/password/forgot")


def test_without_smtp_the_page_sends_people_to_their_administrator(app, people):
    page = app.test_client().get("/password/forgot").get_data(as_text=True)
    assert "Ask your administrator" in page and 'name="email"' not in page
