"""Running real vib processes for the load and worker benchmarks: `vib` commands, servers and workers
started from this tree, a throw-away PostgreSQL database schema and Redis database, and the stopping
of every process started here (also on Ctrl+C or an error).

Nothing here touches a database other than the one named (never `test` or `test_*`), nor a Redis
database other than the one named (FLUSHDB, never FLUSHALL).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from sqlalchemy import make_url

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
REDIS_SERVER = "redis://127.0.0.1:6379"
SECRET_KEY = "bench-" + "0123456789abcdef" * 4  # the same for every process of one vib


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reset_postgres(database: str) -> str:
    """Create `database` if need be and give it an empty public schema; returns its SQLAlchemy URL."""
    import psycopg

    if database == "test" or database.startswith("test_") or not database.startswith("bench_"):
        raise SystemExit(f"refusing to reset database {database!r}: only bench_* databases")
    server = make_url(POSTGRES_SERVER)
    params = {"host": server.host, "port": server.port, "user": server.username}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{database}"')
    with psycopg.connect(dbname=database, autocommit=True, **params) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return f"{POSTGRES_SERVER}/{database}"


def reset_redis(db: int) -> str:
    """FLUSHDB Redis database `db` (that one only); returns its URL."""
    import redis

    if db in (0,):
        raise SystemExit("refusing to flush Redis database 0")
    url = f"{REDIS_SERVER}/{db}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    return url


def vib_env(home: Path, database_url: str | None = None, redis_url: str | None = None, **extra: str) -> dict:
    """The environment of every process of one vib: this tree first on the path, its own VIB_* only."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("VIB_")}
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(VIB_HOME=str(home), VIB_SECRET_KEY=SECRET_KEY, VIB_DEFAULT_LOCALE="en")
    if database_url:
        env["VIB_DATABASE_URL"] = database_url
    if redis_url:
        env["VIB_REDIS_URL"] = redis_url
    env.update(extra)
    return env


def vib(env: dict, *arguments: str, stdin: str | None = None) -> str:
    """Run one `vib` command of this tree to its end; its standard output."""
    done = subprocess.run(
        [sys.executable, "-m", "vib.cli", *arguments], env=env, input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    if done.returncode != 0:
        raise RuntimeError(f"vib {' '.join(arguments)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return done.stdout


class Processes:
    """The long-running processes of a run, each in a process group of its own, all stopped by stop()."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, env: dict, *arguments: str) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "vib.cli", *arguments],
            env=env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.started.append((name, process))
        return process

    def check_alive(self) -> None:
        for name, process in self.started:
            if process.poll() is not None:
                raise RuntimeError(f"{name} stopped (exit {process.returncode}):\n{self.tail(name)}")

    def tail(self, name: str, size: int = 3000) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-size:] if path.exists() else ""

    def stop(self) -> None:
        """SIGTERM to every process group started here, then SIGKILL to what is still there after 15 s."""
        for _, process in self.started:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 15
        for _, process in self.started:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for _, process in self.started:
            try:
                os.killpg(process.pid, signal.SIGKILL)  # also children left behind by a stopped leader
            except (ProcessLookupError, PermissionError):
                pass
            if process.poll() is None:
                process.wait(timeout=5)
        self.started.clear()


@contextmanager
def stack(prefix: str) -> Iterator[tuple[Path, Processes]]:
    """A temporary VIB_HOME and the processes of one run: on a failure the last lines of each process's
    log are printed; at the end every process stops and the folder goes."""
    home = Path(tempfile.mkdtemp(prefix=prefix))
    processes = Processes(home)
    try:
        yield home, processes
    except BaseException:
        for name, _ in processes.started:
            print(f"--- last lines of {name} ---\n{processes.tail(name)}", file=sys.stderr)
        raise
    finally:
        processes.stop()
        shutil.rmtree(home, ignore_errors=True)


def wait_until_up(base: str, processes: Processes, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        processes.check_alive()
        try:
            if requests.get(base + "/readyz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"vib did not answer {base}/readyz within {timeout:.0f} s")


def add_worker(env: dict, email: str, password: str) -> str:
    """A worker account made with `vib user add`, and its API token from `vib token create`."""
    vib(env, "user", "add", email, "--role", "worker", "--password-stdin", stdin=password + "\n")
    return vib(env, "token", "create", email).strip()


class Api:
    """The JSON API of a running vib, with one worker's token (for the set-up, not the timed part)."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, expect: int = 200, **kwargs):
        response = self.http.request(method, self.base + path, timeout=120, **kwargs)
        if response.status_code != expect:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:500]}")
        return response.json() if response.content else None

    def case_with_consent(self, code: str) -> int:
        case = self.call("POST", "/api/cases", 201, json={"code": code, "learning_question": "How do I keep the father engaged?"})
        today = time.strftime("%Y-%m-%d")
        self.call(
            "POST",
            f"/api/cases/{case['id']}/consents",
            201,
            json={"person": "father", "role": "parent", "purposes": ["analysis", "supervision"], "date": today},
        )
        return case["id"]

    def upload_small(self, case_id: int, path: Path, title: str) -> int:
        """POST /api/clips (multipart): for a file under a piece (8 MB)."""
        with open(path, "rb") as f:
            clip = self.call(
                "POST", "/api/clips", 201, files={"file": ("clip.mp4", f, "video/mp4")}, data={"case_id": str(case_id), "title": title}
            )
        return clip["id"]

    def upload_tus(self, case_id: int, path: Path, title: str, piece: int = 8 * 1024 * 1024 - 4096) -> int:
        """tus 1.0 (/api/tus): create, then PATCH pieces of at most 8 MB; the clip id of the last answer."""
        import base64

        size = path.stat().st_size
        meta = f"case_id {base64.b64encode(str(case_id).encode()).decode()}, title {base64.b64encode(title.encode()).decode()}"
        tus = {"Tus-Resumable": "1.0.0"}
        created = self.http.post(self.base + "/api/tus", headers={**tus, "Upload-Length": str(size), "Upload-Metadata": meta}, timeout=60)
        if created.status_code != 201:
            raise RuntimeError(f"tus create: {created.status_code} {created.text[:500]}")
        url = self.base + created.headers["Location"] if created.headers["Location"].startswith("/") else created.headers["Location"]
        offset, answer = 0, None
        with open(path, "rb") as f:
            while offset < size:
                chunk = f.read(piece)
                headers = {**tus, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"}
                answer = self.http.patch(url, data=chunk, headers=headers, timeout=120)
                if answer.status_code != 204:
                    raise RuntimeError(f"tus PATCH at {offset}: {answer.status_code} {answer.text[:500]}")
                offset = int(answer.headers["Upload-Offset"])
        return int(answer.headers["Vib-Clip-Id"])

    def clip(self, clip_id: int) -> dict:
        return self.call("GET", f"/api/clips/{clip_id}")


def wait_ready(api: Api, clip_ids: list[int], timeout: float, with_filmstrip: bool = True, poll: float = 0.5) -> dict[int, float]:
    """Wait until every clip is ready (and its filmstrip made or failed); when each was, in seconds
    from the call (to within `poll`)."""
    started = time.monotonic()
    done: dict[int, float] = {}
    while len(done) < len(clip_ids):
        for clip_id in clip_ids:
            if clip_id in done:
                continue
            clip = api.clip(clip_id)
            if clip["status"] == "failed":
                raise RuntimeError(f"clip {clip_id} failed: {clip['error']}")
            if clip["status"] == "ready" and (not with_filmstrip or clip["filmstrip_ready"] or clip["filmstrip_failed"]):
                done[clip_id] = time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"only {len(done)} of {len(clip_ids)} clips ready after {timeout:.0f} s")
        if len(done) < len(clip_ids):
            time.sleep(poll)
    return done
