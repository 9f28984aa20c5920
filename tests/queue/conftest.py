"""The scaled path: an app whose jobs go to RQ queues in the Redis of this machine (every machine of
the project runs one, CI's included), and `vib worker` processes that run them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import redis
from rq import SimpleWorker

from tests.conftest import XDIST_WORKER, fresh_app

# A Redis database per xdist worker (1-7), so that one test emptying it (a "restart") leaves the
# others alone; 15 is the throttling test's.
REDIS_DB = 1 + (int(XDIST_WORKER.removeprefix("gw")) % 7 if XDIST_WORKER else 0)
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"


@pytest.fixture
def redis_url():
    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()  # no Redis: this fails, as it should (the scaled path would go untested)
    yield REDIS_URL
    connection.flushdb()


@pytest.fixture
def app(tmp_path, postgres_migrated, sqlite_migrated, redis_url):
    """The app of the other fixtures (people, api, case), with its jobs on the Redis queues."""
    with fresh_app(tmp_path, postgres_migrated, sqlite_migrated, VIB_REDIS_URL=redis_url, VIB_JOBS="rq") as made:
        yield made


def work_off(app) -> None:
    """Run every queued job in this process, as `vib worker --burst` would, then return."""
    runner = app.extensions["vib.jobs"]
    with app.app_context():
        SimpleWorker(list(runner.queues.values()), connection=runner.redis).work(burst=True, logging_level="WARNING")


def worker_env(app, **extra) -> dict[str, str]:
    """The environment of a `vib worker` process for this app (its database, media and Redis)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("VIB_")}
    env.update(
        VIB_HOME=str(app.config["VIB_HOME"]),
        VIB_DATABASE_URL=app.config["VIB_DATABASE_URL"],
        VIB_REDIS_URL=app.config["VIB_REDIS_URL"],
        VIB_SECRET_KEY=app.config["SECRET_KEY"],
    )
    env.update({key: str(value) for key, value in extra.items()})
    return env


def start_worker(app, *arguments: str, **extra) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "vib.cli", "worker", *arguments],
        env=worker_env(app, **extra),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, so that a test can kill all of it
    )


def kill_hard(process: subprocess.Popen) -> None:
    """SIGKILL a worker and every process it started (its sandboxed conversion): a machine lost."""
    try:
        family = [*psutil.Process(process.pid).children(recursive=True), psutil.Process(process.pid)]
    except psutil.NoSuchProcess:
        family = []
    for member in family:
        try:
            member.send_signal(signal.SIGKILL)
        except psutil.NoSuchProcess:
            pass
    process.wait(10)


def stop(process: subprocess.Popen) -> str:
    """End a worker as systemd would (SIGTERM: it finishes its job first); its error output."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            kill_hard(process)
    return process.stderr.read().decode(errors="replace") if process.stderr else ""


def wait_until(condition, timeout: float = 60, every: float = 0.1, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {message}")


def media_files(app) -> list[Path]:
    return sorted(p for p in Path(app.config["VIB_MEDIA_DIR"]).rglob("*") if p.is_file())


SERVER_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"  # runs on every machine of the project


@pytest.fixture(scope="session")
def server_database():
    """A migrated PostgreSQL database of this xdist worker's own, for the tests that need a server
    database whichever database the suite runs on (several processes, a restart of the server)."""
    from sqlalchemy import create_engine, make_url, text

    from tests.conftest import worker_database
    from vib.core.db import migrate

    url = worker_database(make_url(os.environ.get("VIB_TEST_DATABASE_URL") or SERVER_DATABASE), f"server_{XDIST_WORKER or 'main'}")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    rendered = url.render_as_string(hide_password=False)
    migrate(rendered)
    return url


class FlakyLine:
    """A TCP proxy between vib and PostgreSQL that a test can cut (every connection dropped, new ones
    refused, as while the server restarts) and mend again."""

    def __init__(self, target_port: int = 5432) -> None:
        import socket
        import threading

        self._socket, self._threading = socket, threading
        self.target_port = target_port
        self.connections: list = []
        self._lock = threading.Lock()
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.listener = None
        self.mend()

    def mend(self) -> None:
        listener = self._socket.socket()
        listener.setsockopt(self._socket.SOL_SOCKET, self._socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        self._threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            listener, self.listener = self.listener, None
        try:
            listener.shutdown(self._socket.SHUT_RDWR)  # wakes the thread waiting in accept()
        except OSError:
            pass
        listener.close()
        with self._lock:
            for connection in self.connections:
                try:
                    connection.shutdown(self._socket.SHUT_RDWR)
                except OSError:
                    pass
                connection.close()
            self.connections.clear()

    def _accept(self, listener) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = self._socket.create_connection(("127.0.0.1", self.target_port))
            with self._lock:
                if self.listener is not listener:  # cut while this one was being made
                    client.close()
                    server.close()
                    return
                self.connections += [client, server]
            for source, target in ((client, server), (server, client)):
                self._threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    @staticmethod
    def _pipe(source, target) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                try:
                    end.close()
                except OSError:
                    pass
