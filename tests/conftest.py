"""Fixtures: an app on SQLite (or PostgreSQL with VIB_TEST_DATABASE_URL), users of every role,
API clients, and generated videos."""

from __future__ import annotations

import gc
import json
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, make_url, select, text

from tests.days import organisation_today
from tests.videos import build
from vib import create_app
from vib.accounts import second_factor
from vib.accounts.models import User
from vib.accounts.operations import add_user, create_token
from vib.clips.models import Clip
from vib.coding.models import AudioAnalysis, Suggestion
from vib.core import audit, db
from vib.core.db import Base, migrate, utcnow
from vib.core.jobs import RedisJobs

PG_URL = os.environ.get("VIB_TEST_DATABASE_URL")
if PG_URL and "options" not in make_url(PG_URL).query:
    # Commits do not wait for the disk (as SQLite's on /dev/shm, see sqlite_dir): this session only, and
    # only what a crash of the server would lose differs; what the tests see does not.
    PG_URL = make_url(PG_URL).update_query_dict({"options": "-c synchronous_commit=off"}).render_as_string(hide_password=False)
# With pytest-xdist (`-n 2`) each worker process gets a database of its own, created beside the given
# one: two workers emptying the same tables would see each other's rows.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
PASSWORD = "correct horse battery"
APP_CONFIG = {"TESTING": True, "VIB_DEFAULT_LOCALE": "en"}
# Where the browser tests note what axe-core could not decide (tests/browser/conftest.py); the run's
# summary lists it. Set by the controlling process, so that xdist's workers write to one file.
AXE_INCOMPLETE_ENV = "VIB_AXE_INCOMPLETE"


def pytest_configure(config):
    # Python collects young garbage every 700 new objects by default; a test request makes thousands
    # that die when it ends, and every collection in between moves the live ones on to the old
    # generation, whose full collections (up to half a second each, with the SQL caches every app's
    # engine adds to the ORM's mappers) took a sixth of the suite's time. Collecting less often
    # lets them die young.
    gc.set_threshold(20_000, 10, 10)
    if not hasattr(config, "workerinput"):
        handle, path = tempfile.mkstemp(prefix="vib-axe-incomplete-", suffix=".jsonl")
        os.close(handle)
        os.environ[AXE_INCOMPLETE_ENV] = path


def pytest_terminal_summary(terminalreporter, config):
    """axe-core's "incomplete" items: what it could not decide and a person should look at."""
    path = os.environ.get(AXE_INCOMPLETE_ENV)
    if hasattr(config, "workerinput") or not path or not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as log:
        rows = [json.loads(line) for line in log if line.strip()]
    os.unlink(path)
    if not rows:
        return
    pages: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        pages.setdefault((row["id"], row["help"]), set()).add(re.sub(r"https?://[^/]+", "", row["url"]))
    terminalreporter.section("axe-core: incomplete (to be checked by a person)")
    for (rule, help_text), urls in sorted(pages.items()):
        terminalreporter.write_line(f"{rule}: {help_text} -- {len(urls)} page(s): {', '.join(sorted(urls)[:6])}")


@pytest.fixture(scope="session")
def videos(tmp_path_factory):
    return build(tmp_path_factory.mktemp("videos"))


@pytest.fixture(scope="session")
def postgres_migrated():
    """A PostgreSQL schema made by the migrations, once per test run."""
    if not PG_URL:
        return None
    url = PG_URL
    if XDIST_WORKER:
        url = worker_database(make_url(PG_URL), XDIST_WORKER).render_as_string(hide_password=False)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    migrate(url)
    return url


def worker_database(url, worker: str):
    """The URL of this xdist worker's own database (`test_gw0` beside `test`), created when missing."""
    name = f"{url.database}_{worker}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.set(database=name)


@pytest.fixture(scope="session")
def sqlite_dir(tmp_path_factory):
    """Where the tests' SQLite databases live: in memory (/dev/shm) where the system has it, because
    a commit there costs no wait for the disk; each test's database is removed after the test."""
    if not (os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK)):
        yield tmp_path_factory.mktemp("sqlite")
        return
    folder = Path(tempfile.mkdtemp(prefix="vib-tests-", dir="/dev/shm"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def sqlite_migrated(sqlite_dir):
    """A SQLite database made by the migrations once; each test gets a copy (faster than migrating)."""
    path = sqlite_dir / "migrated.sqlite3"
    migrate(f"sqlite:///{path}")
    return path


def empty_postgres(conn) -> None:
    """Remove every row and restart every id, as in a new database. DELETE is much faster than a
    TRUNCATE of all tables when they hold a few rows; the audit log refuses DELETE (append-only), so
    it is truncated."""
    conn.execute(text("TRUNCATE audit_events"))
    for table in reversed(Base.metadata.sorted_tables):
        if table.name != "audit_events":
            conn.execute(table.delete())
    conn.execute(text("SELECT setval(oid, 1, false) FROM pg_class WHERE relkind = 'S' AND relnamespace = current_schema()::regnamespace"))


@pytest.fixture
def app(tmp_path, postgres_migrated, sqlite_migrated):
    with fresh_app(tmp_path, postgres_migrated, sqlite_migrated) as made:
        yield made


@contextmanager
def fresh_app(tmp_path, postgres_migrated, sqlite_migrated, **settings):
    """An app on a fresh copy of the migrated database, emptied again when the block ends."""
    if postgres_migrated:
        url = postgres_migrated
    else:
        database = sqlite_migrated.with_name(f"{tmp_path.name}.sqlite3")
        shutil.copyfile(sqlite_migrated, database)
        url = f"sqlite:///{database}"
    app = create_app({"VIB_HOME": tmp_path / "home", "VIB_DATABASE_URL": url, **APP_CONFIG, **settings})
    try:
        yield app
    finally:
        release_app(app)
        with app.app_context():
            if postgres_migrated:
                with db.engine().begin() as conn:
                    empty_postgres(conn)
            db.engine().dispose()
        if not postgres_migrated:
            for path in database.parent.glob(f"{database.name}*"):  # with its -wal and -shm files
                path.unlink()


def release_app(app) -> None:
    """Let the app go once its jobs are done. Its idle worker thread lives on for seconds and holds it,
    with its caches (routes, templates, SQL): dozens of apps alive at once made each of Python's full
    garbage collections take up to a second."""
    jobs = app.extensions["vib.jobs"]
    if not isinstance(jobs, RedisJobs):  # queued jobs wait for a worker process that a test may not start
        jobs.wait_idle(30)
    jobs.app = None


def wait_for_jobs(app) -> None:
    assert app.extensions["vib.jobs"].wait_idle(120), "background jobs did not finish"


@dataclass
class Person:
    id: int
    email: str
    token: str
    totp_secret: str = ""  # the authenticator app's key (pyotp.TOTP(secret).now() is a code)
    recovery_codes: list[str] = field(default_factory=list)  # unused ones; a log-in in a test uses one


# Everyone's unused recovery codes by e-mail address, for the log-in helpers (tests/browser too).
RECOVERY_CODES: dict[str, list[str]] = {}


def enrol(session, user) -> tuple[str, list[str]]:
    """Give `user` a confirmed authenticator app, as vib's enrolment leaves it; returns its key and codes."""
    factor = second_factor.begin_enrolment(session, user)
    factor.confirmed_at = utcnow()
    return factor.secret, second_factor.new_recovery_codes(factor)


def complete_log_in(client, email: str, password: str = PASSWORD, next_url: str | None = None):
    """Log a test client in through both steps (the second with one of the person's recovery codes);
    returns the last answer (a redirect to where the log-in leads)."""
    token = csrf_token(client.get("/login").get_data(as_text=True))
    answer = client.post(
        "/login" + (f"?next={next_url}" if next_url else ""), data={"email": email, "password": password, "csrf_token": token}
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)
    if answer.location.endswith("/login/code"):
        token = csrf_token(client.get("/login/code").get_data(as_text=True))
        answer = client.post("/login/code", data={"code": RECOVERY_CODES[email.lower()].pop(), "csrf_token": token})
        assert answer.status_code == 302, answer.get_data(as_text=True)
    return answer


@cache
def _password_hash() -> str:
    """scrypt, as vib hashes passwords, with less work (N=2**10, not 2**15): a log-in checks it the same
    way in 2 ms instead of 80; the suite logs in some 200 times. Passwords set through vib in the
    tests get vib's own hash."""
    from werkzeug.security import generate_password_hash

    return generate_password_hash(PASSWORD, method="scrypt:1024:8:1")


def make_people(app) -> dict[str, Person]:
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
            user.password_hash = _password_hash()  # hashed once, with less work: see there
            secret, codes = enrol(session, user)
            RECOVERY_CODES[user.email] = list(codes)
            made[key] = Person(user.id, user.email, create_token(session, user), secret, codes)
        session.commit()
    return made


@pytest.fixture
def people(app):
    """One user of each kind the access rules tell apart, each with an API token."""
    return make_people(app)


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


def make_case(worker: Api) -> dict:
    """A case of `worker` whose people all consent to analysis."""
    made = worker.post("/api/cases", json={"code": "2026-017", "learning_question": "How do I keep the father engaged?"})
    assert made.status_code == 201, made.json
    for person, role in (("father", "parent"), ("worker", "worker")):
        r = worker.post(
            f"/api/cases/{made.json['id']}/consents",
            json={"person": person, "role": role, "purposes": ["analysis"], "date": organisation_today().isoformat()},
        )
        assert r.status_code == 201, r.json
    return made.json


@pytest.fixture
def case(api):
    """A case of `worker` whose people all consent to analysis."""
    return make_case(api("worker"))


def upload_and_process(app, client: Api, case_id: int, path) -> dict:
    """Upload a video through the API, wait for its processing (remux, filmstrip), return the clip."""
    response = client.upload(case_id, path)
    assert response.status_code == 201, response.json
    wait_for_jobs(app)
    clip = client.get(f"/api/clips/{response.json['id']}").json
    assert clip["status"] == "ready", clip
    return clip


# The columns of a clip row that belong to the test it is copied into; the others come from the video.
PER_TEST_COLUMNS = {"id", "case_id", "uploaded_by_id", "created_at", "ready_at"}


@pytest.fixture(scope="session")
def processed_clip(tmp_path_factory, sqlite_migrated, videos):
    """cfr.mp4 uploaded and processed once per test run, in an app of its own: the column values of
    its clip row (but PER_TEST_COLUMNS), its media folder and what its sound's analysis stored (the
    row's values and its suggestions'), for `ready_clip` to copy."""
    home = tmp_path_factory.mktemp("processed_clip")
    shutil.copyfile(sqlite_migrated, home / "vib.sqlite3")
    app = create_app({"VIB_HOME": home / "home", "VIB_DATABASE_URL": f"sqlite:///{home / 'vib.sqlite3'}", **APP_CONFIG})
    worker = Api(app.test_client(), make_people(app)["worker"].token)
    clip = upload_and_process(app, worker, make_case(worker)["id"], videos["cfr.mp4"])
    with app.app_context():
        row = db.session().get(Clip, clip["id"])
        values = {c.key: getattr(row, c.key) for c in inspect(Clip).column_attrs if c.key not in PER_TEST_COLUMNS}
        folder = app.config["VIB_MEDIA_DIR"] / row.folder
        sound = db.session().get(AudioAnalysis, clip["id"])
        sound_values = {c.key: getattr(sound, c.key) for c in inspect(AudioAnalysis).column_attrs if c.key != "clip_id"}
        heard = db.session().scalars(select(Suggestion).where(Suggestion.clip_id == clip["id"])).all()
        heard_values = [
            {c.key: getattr(s, c.key) for c in inspect(Suggestion).column_attrs if c.key not in ("id", "clip_id")} for s in heard
        ]
        db.engine().dispose()
    release_app(app)
    return values, folder, (sound_values, heard_values)


@pytest.fixture
def ready_clip(app, api, people, case, processed_clip):
    """A processed clip of `worker` in `case` (frame i shows index i): a copy of `processed_clip`, its
    row and its media folder, as an upload of cfr.mp4 would leave them (tests/clips/test_upload.py
    checks that they are the same). Tests of uploading and processing use `uploaded_clip`."""
    made = api("worker").get(f"/api/clips/{copy_processed_clip(app, people, case['id'], processed_clip)}").json
    assert made["status"] == "ready", made
    return made


def copy_processed_clip(app, people, case_id: int, processed_clip, **columns) -> int:
    """Another ready copy of `processed_clip` in the case, with `columns` changed (title, cycle …)."""
    values, folder, (sound, heard) = processed_clip
    with app.app_context():
        session = db.session()
        now = utcnow()
        clip = Clip(**values | columns, case_id=case_id, uploaded_by_id=people["worker"].id, created_at=now, ready_at=now)
        session.add(clip)
        session.flush()  # the id names its media folder
        session.add(AudioAnalysis(**sound, clip_id=clip.id))
        session.add_all(Suggestion(**suggestion, clip_id=clip.id) for suggestion in heard)
        shutil.copytree(folder, app.config["VIB_MEDIA_DIR"] / clip.folder)
        uploader = session.get(User, people["worker"].id)
        audit.record(session, uploader, "clip.upload", "clip", clip.id, "worker", detail=f"bytes={clip.size_bytes}")
        session.commit()
        return clip.id


@pytest.fixture
def uploaded_clip(app, api, case, videos):
    """A clip of `worker` uploaded through the API and processed in the test (frame i shows index i)."""
    return upload_and_process(app, api("worker"), case["id"], videos["cfr.mp4"])


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


@pytest.fixture
def browser_login(app, people):
    """A cookie-session test client logged in as a person, with the page's CSRF token."""

    def login(who: str):
        client = app.test_client()
        complete_log_in(client, people[who].email)
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
            certify(session, session.get(User, people[who].id), f"AIT-{who}", "AIT", organisation_today() + timedelta(days=730))
        session.commit()


def consent_to_supervision(api, case) -> None:
    for person in ("father", "worker"):
        r = api("worker").post(
            f"/api/cases/{case['id']}/consents",
            json={
                "person": person,
                "role": "parent" if person == "father" else "worker",
                "purposes": ["supervision"],
                "date": organisation_today().isoformat(),
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
