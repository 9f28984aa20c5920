"""Health checks for the process manager and the load balancer.

`/healthz`: the process answers (liveness; touches nothing). `/readyz`: it can do its work: the
database answers, Redis answers (when configured) and the media folder takes a file. Neither needs a
log-in, reads the session, writes the audit log or counts against a limit. A failed check is named,
never explained: an exception's text can hold a URL with a password or a path.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from flask import Blueprint, Flask, current_app, jsonify
from sqlalchemy import text

from vib.core import db, storage
from vib.core.throttle import limiter

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)
REDIS_TIMEOUT_SECONDS = 2


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    checks = {name: "ok" if _passes(name, check) else "failed" for name, check in _checks().items()}
    ready = all(result == "ok" for result in checks.values())
    return jsonify(status="ok" if ready else "unavailable", checks=checks), 200 if ready else 503


def _checks() -> dict[str, Callable[[], None]]:
    checks = {"database": _database}
    if current_app.config.get("VIB_REDIS_URL"):
        checks["redis"] = _redis
    checks["media"] = _media
    return checks


def _passes(name: str, check: Callable[[], None]) -> bool:
    try:
        check()
    except Exception as error:  # any failure means "not ready"; the kind is enough for the log
        log.warning("readiness check %s failed: %s", name, type(error).__name__)
        return False
    return True


def _database() -> None:
    # The engine, not the request's session: a check must not begin the request's transaction.
    with db.engine().connect() as connection:
        connection.execute(text("SELECT 1"))


def _redis() -> None:
    import redis  # noqa: PLC0415 -- optional (.[redis]); only a deployment with VIB_REDIS_URL has it

    client = redis.Redis.from_url(
        current_app.config["VIB_REDIS_URL"], socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
    )
    try:
        if not client.ping():
            raise ConnectionError("no PONG")
    finally:
        client.close()


def _media() -> None:
    # Uploads stream into the media folder's tmp/: if a small file cannot be made there, no upload can.
    probe = storage.current().new_temp_file(prefix="readyz-")
    try:
        probe.write(b"ok")
        probe.flush()
    finally:
        probe.close()
        os.unlink(probe.name)


def init_app(app: Flask) -> None:
    limiter.exempt(bp)
    app.register_blueprint(bp)
