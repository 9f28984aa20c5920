"""Throttling (Flask-Limiter): how often something may fail before it is refused for a while.

Counts live in Redis when VIB_REDIS_URL is set (shared by every process of a scaled deployment), in
the process's memory otherwise. Only failures count (`deduct_when`), so a person who logs in right
is never slowed down by a colleague's typos from the same address.
"""

from __future__ import annotations

import math
import time

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, headers_enabled=False)


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("VIB_REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")  # exactly "5 in any 15 minutes"
    limiter.init_app(app)


def failed(response) -> bool:
    """Deduct only answers that say "wrong" (401): a success or a form error costs nothing."""
    return response.status_code == 401


def address_key() -> str:
    return f"address:{get_remote_address()}"


def account_key() -> str:
    """The account a log-in names, whether or not it exists (an attacker learns nothing from the limit)."""
    return "account:" + (request.form.get("email") or "").strip().lower()[:254]


def seconds_to_wait() -> int:
    """How long until the limit that refused this request lets it through again."""
    breached = [limit for limit in limiter.current_limits if limit.breached]
    if not breached:
        return 0
    return max(0, math.ceil(max(limit.reset_at for limit in breached) - time.time()))
