"""PostgreSQL restarting under load: requests fail cleanly (JSON 503 with Retry-After, never a 500)
while it is away, and vib answers again by itself once it is back, without a restart of vib."""

from __future__ import annotations

import threading
import time

from tests.conftest import APP_CONFIG
from tests.queue.conftest import FlakyLine
from vib import create_app
from vib.accounts.operations import add_user, create_token
from vib.core import db


def test_requests_fail_cleanly_while_the_database_restarts_and_recover_by_themselves(server_database, tmp_path):
    line = FlakyLine()
    url = server_database.set(port=line.port).render_as_string(hide_password=False)
    app = create_app({**APP_CONFIG, "VIB_HOME": tmp_path, "VIB_DATABASE_URL": url, "VIB_JOBS": "inline"})
    with app.app_context(), db.unit_of_work() as session:
        worker = add_user(session, f"worker-{time.monotonic_ns()}@example.org", ["worker"], password="correct horse battery")
        token = create_token(session, worker)
    headers = {"Authorization": f"Bearer {token}"}
    statuses: list[tuple[float, float, int, dict | None]] = []  # (when the request started, when it ended, status, body)
    stop = threading.Event()

    def load() -> None:
        client = app.test_client()
        while not stop.is_set():
            started = time.monotonic()
            response = client.get("/api/cases", headers=headers)
            statuses.append((started, time.monotonic(), response.status_code, response.get_json(silent=True)))
            time.sleep(0.01)

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)
        line.cut()  # the server goes down...
        cut_at = time.monotonic()
        time.sleep(2.5)
        mending_at = time.monotonic()
        line.mend()  # ...and comes back
        mended_at = time.monotonic()
        time.sleep(1.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(10)
        line.cut()
        with app.app_context():
            db.engine().dispose()

    codes = {code for _, _, code, _ in statuses}
    assert codes <= {200, 503}, codes  # never a 500, never a hang
    # A request wholly inside the outage fails cleanly (one still waiting for its connection when the
    # server comes back may rightly succeed: on a busy machine that wait is long).
    during = [(code, body) for at, ended, code, body in statuses if cut_at + 0.5 < at and ended < mending_at]
    assert during and all(code == 503 for code, _ in during), [
        (round(at - cut_at, 2), round(ended - cut_at, 2), c) for at, ended, c, _ in statuses if c != 503 and cut_at < at < mended_at
    ]
    assert all(body and "database cannot be reached" in body["error"] for _, body in during), [
        b for _, b in during if not b or "database" not in b["error"]
    ][:3]
    after = [code for at, _, code, _ in statuses if at > mended_at + 0.5]
    assert after and set(after) == {200}, after[-20:]
