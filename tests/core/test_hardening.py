"""What vib does so that its answers, files and exports give nothing away: no caching of client data,
HSTS and secure cookies behind HTTPS, private files, spreadsheet-safe CSV, no cut-off upload left."""

from __future__ import annotations

import csv
import io
import os
import stat
import time
from pathlib import Path

from sqlalchemy import make_url

from tests.conftest import APP_CONFIG, PASSWORD, csrf_token
from vib import create_app
from vib.app import start_background_work
from vib.core import audit, db, storage


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_api_answers_with_client_data_are_never_cached(api, case, ready_clip):
    for url in (
        f"/api/cases/{case['id']}",
        f"/api/clips/{ready_clip['id']}",
        f"/api/clips/{ready_clip['id']}/moments",
        "/api/nothing-here",
    ):
        assert "no-store" in api("worker").get(url).headers["Cache-Control"], url
    assert "no-store" in api("worker").get(f"/api/clips/{ready_clip['id']}/thumbnail?t=0").headers["Cache-Control"]


def test_behind_https_cookies_are_secure_and_hsts_is_sent(app, people, tmp_path, monkeypatch):
    monkeypatch.setenv("VIB_HTTPS", "1")
    secure = create_app({**APP_CONFIG, "VIB_HOME": tmp_path / "secure", "VIB_DATABASE_URL": app.config["VIB_DATABASE_URL"]})
    client = secure.test_client()
    login = client.get("/login", base_url="https://localhost")
    assert "max-age=" in login.headers["Strict-Transport-Security"]
    token = csrf_token(login.get_data(as_text=True))
    answer = client.post(
        "/login",
        data={"email": "worker@example.org", "password": PASSWORD, "csrf_token": token},
        base_url="https://localhost",
        headers={"Referer": "https://localhost/login"},  # CSRF protection checks it over HTTPS
    )
    assert answer.status_code == 302 and "Secure" in answer.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in app.test_client().get("/login").headers  # not without HTTPS


def test_the_database_the_media_and_the_secret_key_are_private(app):
    home = Path(app.config["VIB_HOME"])
    assert mode(home) == 0o700 and mode(app.config["VIB_MEDIA_DIR"]) == 0o700
    url = make_url(app.config["VIB_DATABASE_URL"])
    if url.drivername.startswith("sqlite"):
        assert mode(url.database) == 0o600
    with app.app_context():
        fresh = home / "fresh.sqlite3"
        db.make_engine(f"sqlite:///{fresh}").dispose()
        assert mode(fresh) == 0o600


def test_a_csv_cell_that_starts_like_a_formula_is_kept_as_text(app):
    with app.app_context():
        session = db.session()
        for email in ('=HYPERLINK("http://evil")@x', "+1@x", "-1@x", "@x", "\tx@x", "ok@example.org"):
            audit.record(session, type("U", (), {"id": None, "email": email})(), "clip.view", "clip", 1, "worker")
        session.commit()
        rows = list(csv.reader(io.StringIO("".join(audit.csv_lines(audit.events(session))))))[1:]
    assert [row[1] for row in rows] == ['\'=HYPERLINK("http://evil")@x', "'+1@x", "'-1@x", "'@x", "'\tx@x", "ok@example.org"]


def test_an_upload_cut_off_by_a_crash_is_deleted_at_the_next_start(app):
    with app.app_context():
        media = storage.current()
        left = media.new_temp_file()
        left.write(b"x" * 1000)
        left.close()
        assert media.remove_temp_files(unchanged_for=3600) == 0  # a file being written stays
        os.utime(left.name, (time.time() - 7200, time.time() - 7200))
        assert media.remove_temp_files(unchanged_for=3600) == 1
        again = media.new_temp_file()
        again.close()
    start_background_work(app)
    assert not os.path.exists(again.name) and list(Path(app.config["VIB_MEDIA_DIR"], "tmp").iterdir()) == []
