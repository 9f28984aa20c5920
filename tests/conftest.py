"""Fixtures: an app on SQLite (or PostgreSQL with VIB_TEST_DATABASE_URL), users of every role,
API clients, and generated videos."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from datetime import date
from functools import cache

import pytest
from sqlalchemy import create_engine, text

from tests.videos import build
from vib import create_app
from vib.accounts.operations import add_user, create_token
from vib.core import db
from vib.core.db import Base, migrate

PG_URL = os.environ.get("VIB_TEST_DATABASE_URL")
PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def videos(tmp_path_factory):
    return build(tmp_path_factory.mktemp("videos"))


@pytest.fixture(scope="session")
def postgres_migrated():
    """A PostgreSQL schema made by the migrations, once per test run."""
    if not PG_URL:
        return None
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    migrate(PG_URL)
    return PG_URL


@pytest.fixture(scope="session")
def sqlite_migrated(tmp_path_factory):
    """A SQLite database made by the migrations once; each test gets a copy (faster than migrating)."""
    path = tmp_path_factory.mktemp("schema") / "vib.sqlite3"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture
def app(tmp_path, postgres_migrated, sqlite_migrated):
    url = postgres_migrated or f"sqlite:///{tmp_path / 'vib.sqlite3'}"
    if not postgres_migrated:
        shutil.copyfile(sqlite_migrated, tmp_path / "vib.sqlite3")
    app = create_app({"VIB_HOME": tmp_path / "home", "VIB_DATABASE_URL": url, "TESTING": True, "VIB_DEFAULT_LOCALE": "en"})
    yield app
    app.extensions["vib.jobs"].wait_idle(30)
    if postgres_migrated:
        with app.app_context(), db.engine().begin() as conn:
            tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    with app.app_context():
        db.engine().dispose()


def wait_for_jobs(app) -> None:
    assert app.extensions["vib.jobs"].wait_idle(120), "background jobs did not finish"


@dataclass
class Person:
    id: int
    email: str
    token: str


@cache
def _password_hash() -> str:
    from werkzeug.security import generate_password_hash

    return generate_password_hash(PASSWORD)


@pytest.fixture
def people(app):
    """One user of each kind the access rules tell apart, each with an API token."""
    made = {}
    with app.app_context():
        session = db.session()
        for key, roles in {
            "worker": ["worker"],
            "other_worker": ["worker"],
            "supervisor": ["supervisor"],
            "other_supervisor": ["supervisor"],
            "trainer": ["trainer"],
            "admin": ["admin"],
        }.items():
            user = add_user(session, f"{key}@example.org", roles, name=key.replace("_", " ").title())
            user.password_hash = _password_hash()  # hashed once: scrypt costs a quarter second a user
            made[key] = Person(user.id, user.email, create_token(session, user))
        session.commit()
    return made


class Api:
    """A test client that speaks to the JSON API as one user (Bearer token) or anonymously."""

    def __init__(self, client, token: str | None) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def __getattr__(self, method):
        def call(url, **kwargs):
            headers = {**self.headers, **kwargs.pop("headers", {})}
            return getattr(self.client, method)(url, headers=headers, **kwargs)

        return call

    def upload(self, case_id, path, title=None, filename=None):
        with open(path, "rb") as f:
            data = {"file": (f, filename or path.name), "case_id": str(case_id)}
            if title:
                data["title"] = title
            return self.post("/api/clips", data=data, content_type="multipart/form-data")


@pytest.fixture
def api(app, people):
    """api("worker") is a client for that person; api(None) is anonymous."""
    return lambda who: Api(app.test_client(), people[who].token if who else None)


@pytest.fixture
def case(api):
    """A case of `worker` whose people all consent to analysis."""
    worker = api("worker")
    made = worker.post("/api/cases", json={"code": "2026-017", "learning_question": "How do I keep the father engaged?"})
    assert made.status_code == 201, made.json
    for person, role in (("father", "parent"), ("worker", "worker")):
        r = worker.post(
            f"/api/cases/{made.json['id']}/consents",
            json={"person": person, "role": role, "purposes": ["analysis"], "date": date.today().isoformat()},
        )
        assert r.status_code == 201, r.json
    return made.json


@pytest.fixture
def ready_clip(app, api, case, videos):
    """An uploaded, processed clip of `worker` (frame i shows index i)."""
    response = api("worker").upload(case["id"], videos["cfr.mp4"])
    assert response.status_code == 201, response.json
    wait_for_jobs(app)
    clip = api("worker").get(f"/api/clips/{response.json['id']}").json
    assert clip["status"] == "ready", clip
    return clip


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


@pytest.fixture
def browser_login(app, people):
    """A cookie-session test client logged in as a person, with the page's CSRF token."""

    def login(who: str):
        client = app.test_client()
        token = csrf_token(client.get("/login").get_data(as_text=True))
        r = client.post("/login", data={"email": people[who].email, "password": PASSWORD, "csrf_token": token})
        assert r.status_code == 302, r.get_data(as_text=True)
        client.csrf = csrf_token(client.get("/cases").get_data(as_text=True))
        return client

    return login


@pytest.fixture
def certified(app, people):
    """Both supervisors hold a valid certificate (two years left)."""
    from datetime import timedelta

    from vib.accounts.certificates import certify
    from vib.accounts.models import User

    with app.app_context():
        session = db.session()
        for who in ("supervisor", "other_supervisor"):
            certify(session, session.get(User, people[who].id), f"AIT-{who}", "AIT", date.today() + timedelta(days=730))
        session.commit()


def consent_to_supervision(api, case) -> None:
    for person in ("father", "worker"):
        r = api("worker").post(
            f"/api/cases/{case['id']}/consents",
            json={
                "person": person,
                "role": "parent" if person == "father" else "worker",
                "purposes": ["supervision"],
                "date": date.today().isoformat(),
            },
        )
        assert r.status_code == 201, r.json


@pytest.fixture
def review(api, case, ready_clip, certified):
    """`worker` asked `supervisor` to review `ready_clip`; everyone consents to supervision."""
    consent_to_supervision(api, case)
    r = api("worker").post(
        f"/api/clips/{ready_clip['id']}/reviews", json={"supervisor": "supervisor@example.org", "question": "Look at how I start."}
    )
    assert r.status_code == 201, r.json
    return r.json
