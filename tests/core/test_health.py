"""/healthz (the process answers) and /readyz (database, Redis, media folder): for the process manager and
the load balancer, without a log-in, a session, a limit or an audit line."""

import shutil
import socket

import pytest

from tests.conftest import APP_CONFIG, complete_log_in
from vib import create_app
from vib.core import db
from vib.core.audit import AuditEvent

REDIS_URL = "redis://127.0.0.1:6379/8"  # the tests' own Redis database


def closed_port() -> int:
    """A local port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def audit_count(app) -> int:
    with app.app_context():
        return db.session().query(AuditEvent).count()


def test_healthz_answers_ok_without_a_session_or_an_audit_line(app):
    before = audit_count(app)
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 200
    assert answer.json == {"status": "ok"}
    assert "Set-Cookie" not in answer.headers
    assert audit_count(app) == before


def test_readyz_with_everything_up_names_each_check(app):
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 200, answer.json
    assert answer.json == {"status": "ok", "checks": {"database": "ok", "media": "ok"}}
    assert "Set-Cookie" not in answer.headers


def test_readyz_checks_redis_when_it_is_configured(app):
    app.config["VIB_REDIS_URL"] = REDIS_URL
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 200, answer.json
    assert answer.json["checks"] == {"database": "ok", "redis": "ok", "media": "ok"}


def test_readyz_names_redis_when_it_does_not_answer(app):
    app.config["VIB_REDIS_URL"] = f"redis://:secret-password@127.0.0.1:{closed_port()}/0"
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.json == {"status": "unavailable", "checks": {"database": "ok", "redis": "failed", "media": "ok"}}
    assert "secret-password" not in answer.get_data(as_text=True)


def test_readyz_names_the_database_when_it_does_not_answer(tmp_path):
    url = f"postgresql+psycopg://vib:secret-password@127.0.0.1:{closed_port()}/vib"
    app = create_app({"VIB_HOME": tmp_path / "home", "VIB_DATABASE_URL": url, **APP_CONFIG})
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.json == {"status": "unavailable", "checks": {"database": "failed", "media": "ok"}}
    assert "secret-password" not in answer.get_data(as_text=True)
    assert app.test_client().get("/healthz").status_code == 200  # alive, only not ready


def test_readyz_names_the_media_folder_when_no_file_can_be_made_there(app):
    tmp = app.config["VIB_MEDIA_DIR"] / "tmp"
    shutil.rmtree(tmp)
    tmp.write_text("a file where the folder should be")  # unwritable even for root, unlike a chmod
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.json == {"status": "unavailable", "checks": {"database": "ok", "media": "failed"}}


def test_the_readiness_probe_leaves_no_file_behind(app):
    assert app.test_client().get("/readyz").status_code == 200
    assert list((app.config["VIB_MEDIA_DIR"] / "tmp").iterdir()) == []


@pytest.mark.parametrize("url", ["/healthz", "/readyz"])
def test_a_logged_in_browser_keeps_its_session_untouched(app, people, url):
    client = app.test_client()
    complete_log_in(client, people["worker"].email)
    answer = client.get(url)
    assert answer.status_code == 200
    assert "Set-Cookie" not in answer.headers  # the idle timer is not reset by a probe
