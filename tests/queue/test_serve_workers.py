"""`vib serve --workers N`: gunicorn with N processes, refused (saying why) without what several
processes must share: Redis for the jobs and counts, PostgreSQL for the data."""

from __future__ import annotations

import socket
import subprocess
import sys
import urllib.request

import psutil
from click.testing import CliRunner

from tests.queue.conftest import kill_hard, wait_until, worker_env
from vib.cli import main


def refusal(monkeypatch, tmp_path, **env) -> str:
    monkeypatch.setenv("VIB_HOME", str(tmp_path))
    for name in ("VIB_REDIS_URL", "VIB_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["serve", "--workers", "2"])
    assert result.exit_code == 2
    return result.output


def test_several_processes_are_refused_without_redis_and_postgresql(monkeypatch, tmp_path):
    output = refusal(monkeypatch, tmp_path)
    assert "VIB_REDIS_URL" in output and "PostgreSQL" in output and "docs/deploy.md" in output
    only_sqlite = refusal(monkeypatch, tmp_path, VIB_REDIS_URL="redis://127.0.0.1:6379/1")
    assert "VIB_REDIS_URL" not in only_sqlite and "SQLite lets one process write at a time" in only_sqlite
    only_redis_missing = refusal(monkeypatch, tmp_path, VIB_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    assert "VIB_REDIS_URL" in only_redis_missing and "SQLite" not in only_redis_missing


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_with_redis_and_postgresql_gunicorn_serves_vib_in_several_processes(app, server_database):
    port = free_port()
    env = worker_env(app, VIB_DATABASE_URL=server_database.render_as_string(hide_password=False))
    server = subprocess.Popen(
        [sys.executable, "-m", "vib.cli", "serve", "--workers", "2", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:

        def answers() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as response:
                    return response.status == 200 and b"password" in response.read().lower()
            except OSError:
                return False

        wait_until(answers, timeout=60, every=0.2, message="gunicorn to answer")
        master = psutil.Process(server.pid)
        assert "gunicorn" in " ".join(master.cmdline())  # the command became gunicorn
        assert len(master.children()) == 2  # two web processes
    finally:
        kill_hard(server)
