"""Log-in throttling: after 5 failures in 15 minutes, for one account or from one address, a log-in is
refused (429) with the wait in words, even with the right password; unknown accounts alike. Right
log-ins never count. Failed and refused log-ins are in the audit log."""

from __future__ import annotations

import redis
from sqlalchemy import select

from tests.conftest import APP_CONFIG, PASSWORD, csrf_token
from vib import create_app
from vib.core import db
from vib.core.audit import AuditEvent


def log_in(client, email, password):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def audited(app, action) -> list[str]:
    with app.app_context():
        return [e.user_email for e in db.session().scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]


def test_five_wrong_passwords_then_even_the_right_one_waits(app, people):
    client = app.test_client()
    for _ in range(5):
        assert log_in(client, "worker@example.org", "wrong").status_code == 401
    refused = log_in(client, "worker@example.org", PASSWORD)
    assert refused.status_code == 429
    assert "Too many failed log-ins. Try again in 15 minutes." in refused.get_data(as_text=True)
    assert audited(app, "login.failed") == ["worker@example.org"] * 5
    assert audited(app, "login.throttled") == ["worker@example.org"]


def test_an_unknown_account_is_throttled_the_same(app, people):
    client = app.test_client()
    for _ in range(5):
        assert log_in(client, "nobody@example.org", "guess").status_code == 401
    assert log_in(client, "nobody@example.org", "guess").status_code == 429


def test_failures_from_one_address_for_many_accounts_count_together(app, people):
    client = app.test_client()
    for n in range(5):
        assert log_in(client, f"guess{n}@example.org", "guess").status_code == 401
    assert log_in(client, "worker@example.org", PASSWORD).status_code == 429


def test_right_log_ins_never_count_and_tokens_are_not_throttled(app, api, people):
    for _ in range(8):
        assert log_in(app.test_client(), "worker@example.org", PASSWORD).status_code == 302
    for _ in range(4):
        assert log_in(app.test_client(), "worker@example.org", "wrong").status_code == 401
    assert log_in(app.test_client(), "worker@example.org", PASSWORD).status_code == 302
    assert all(api("worker").get("/api/cases").status_code == 200 for _ in range(10))


def test_with_redis_every_process_shares_the_counts(app, people, tmp_path):
    """Two app instances (two processes of a scaled deployment) count failures together in Redis."""
    url = "redis://127.0.0.1:6379/15"  # Redis runs on every machine of this project, CI's included
    redis.Redis.from_url(url).flushdb()  # no server: this fails, as it should (the scaled path is untested)
    config = {**APP_CONFIG, "VIB_DATABASE_URL": app.config["VIB_DATABASE_URL"], "VIB_REDIS_URL": url}
    first = create_app({**config, "VIB_HOME": tmp_path / "first"})
    second = create_app({**config, "VIB_HOME": tmp_path / "second"})
    try:
        for _ in range(3):
            assert log_in(first.test_client(), "worker@example.org", "wrong").status_code == 401
        for _ in range(2):
            assert log_in(second.test_client(), "worker@example.org", "wrong").status_code == 401
        assert log_in(first.test_client(), "worker@example.org", PASSWORD).status_code == 429
        assert redis.Redis.from_url(url).keys("LIMITS*")  # the counts are in Redis, not in this process
    finally:
        redis.Redis.from_url(url).flushdb()
