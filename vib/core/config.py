"""Settings from the environment. Everything vib stores lives under one folder, VIB_HOME."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULT_TIMEZONE = "Europe/Amsterdam"


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def load_settings(overrides: dict | None = None) -> dict:
    """Flask config values, from VIB_* variables, with `overrides` (tests) taking precedence."""
    overrides = dict(overrides or {})
    home = Path(overrides.pop("VIB_HOME", None) or os.environ.get("VIB_HOME", "vib-data")).resolve()
    home.mkdir(parents=True, exist_ok=True)
    home.chmod(0o700)  # the database, the media and the secret key: for vib's own account only
    https = os.environ.get("VIB_HTTPS", "") == "1"
    max_upload_mb = overrides.pop("VIB_MAX_UPLOAD_MB", None) or _int("VIB_MAX_UPLOAD_MB", 4096)
    settings = {
        "VIB_HOME": home,
        "VIB_MEDIA_DIR": home / "media",
        "VIB_DATABASE_URL": os.environ.get("VIB_DATABASE_URL") or f"sqlite:///{home / 'vib.sqlite3'}",
        "SECRET_KEY": os.environ.get("VIB_SECRET_KEY") or _stored_secret(home),
        "VIB_MAX_UPLOAD_MB": max_upload_mb,
        "MAX_CONTENT_LENGTH": max_upload_mb * 1024 * 1024,
        # An upload in pieces sends at most this much per request (the server never holds more).
        "VIB_UPLOAD_PIECE_BYTES": _int("VIB_UPLOAD_PIECE_MB", 8) * 1024 * 1024,
        # Form fields beside the file are tiny; only the file itself may be large.
        "MAX_FORM_MEMORY_SIZE": 1024 * 1024,
        # Who runs background jobs: "thread" (in this process), "rq" (Redis queues and `vib worker`
        # processes), "inline"; empty: rq when VIB_REDIS_URL is set, else thread.
        "VIB_JOBS": os.environ.get("VIB_JOBS", ""),
        # Redis, for what several processes must share (job queues, login throttling); memory when empty.
        "VIB_REDIS_URL": os.environ.get("VIB_REDIS_URL", ""),
        # A running job renews its lease this often (a third); a worker killed mid-job is noticed when
        # it runs out, by the sweep that workers run every VIB_SWEEP_SECONDS.
        "VIB_JOB_LEASE_SECONDS": _int("VIB_JOB_LEASE_SECONDS", 60),
        "VIB_SWEEP_SECONDS": _int("VIB_SWEEP_SECONDS", 60),
        # What one clip may demand, checked before anything is decoded (longest side, length, pixel rate).
        "VIB_MAX_SIDE_PX": _int("VIB_MAX_SIDE_PX", 4096),
        "VIB_MAX_DURATION_MINUTES": _int("VIB_MAX_DURATION_MINUTES", 180),
        "VIB_MAX_PIXELS_PER_SECOND": _int("VIB_MAX_PIXELS_PER_SECOND", 3840 * 2160 * 60),
        # Converting a video runs in a child process with these caps (0: in the job's own thread).
        "VIB_JOB_ISOLATION": os.environ.get("VIB_JOB_ISOLATION", "1") != "0",
        "VIB_JOB_MEMORY_MB": _int("VIB_JOB_MEMORY_MB", 3072),
        "VIB_JOB_MINUTES": _int("VIB_JOB_MINUTES", 240),
        "VIB_DEFAULT_LOCALE": os.environ.get("VIB_DEFAULT_LOCALE", "nl"),
        # The code scheme of cases that choose none; an id of annotations/ or of an imported scheme.
        "VIB_DEFAULT_SCHEME": os.environ.get("VIB_DEFAULT_SCHEME", "vib-basiscommunicatie"),
        # Suggestions from the sound: a silence of at least this long is a pause (vib.analysis.speech).
        "VIB_PAUSE_MS": _int("VIB_PAUSE_MS", 1500),
        # A log-in session ends after this long without a request, and this long after the log-in.
        "VIB_IDLE_MINUTES": _int("VIB_IDLE_MINUTES", 30),
        "VIB_SESSION_HOURS": _int("VIB_SESSION_HOURS", 12),
        # How long an asked supervisor keeps access to a clip after its review is closed.
        "VIB_REVIEW_ACCESS_DAYS": _int("VIB_REVIEW_ACCESS_DAYS", 30),
        # Days between a withdrawal of consent for analysis and the deletion of the case's clips (0: at once).
        "VIB_WITHDRAWAL_GRACE_DAYS": _int("VIB_WITHDRAWAL_GRACE_DAYS", 7),
        # E-mail for notifications: off unless VIB_SMTP_HOST is set (then notifications stay in-app too).
        "VIB_SMTP_HOST": os.environ.get("VIB_SMTP_HOST", ""),
        "VIB_SMTP_PORT": _int("VIB_SMTP_PORT", 25),
        "VIB_SMTP_USER": os.environ.get("VIB_SMTP_USER", ""),
        "VIB_SMTP_PASSWORD": os.environ.get("VIB_SMTP_PASSWORD", ""),
        "VIB_SMTP_STARTTLS": os.environ.get("VIB_SMTP_STARTTLS", "") == "1",
        "VIB_MAIL_FROM": os.environ.get("VIB_MAIL_FROM", "vib@localhost"),
        # The address people open vib at, for links in e-mails.
        "VIB_BASE_URL": os.environ.get("VIB_BASE_URL", "http://localhost:5000"),
        # /metrics answers only this bearer token; without one it does not exist.
        "VIB_METRICS_TOKEN": os.environ.get("VIB_METRICS_TOKEN", ""),
        # The front server's internal location of the media folder (nginx X-Accel-Redirect), e.g.
        # "/protected-media/": vib checks access, the front server sends the bytes. Empty: vib sends them.
        "VIB_MEDIA_ACCEL": os.environ.get("VIB_MEDIA_ACCEL", ""),
        # How many proxies in front of vib set X-Forwarded-For/-Proto (0: trust no such header).
        "VIB_PROXY_HOPS": _int("VIB_PROXY_HOPS", 0),
        # The organisation's name, burnt into a downloaded library fragment with the user and the date.
        "VIB_ORGANISATION": os.environ.get("VIB_ORGANISATION", "vib"),
        "BABEL_DEFAULT_LOCALE": "en",
        # Times on pages (notifications, the audit log) are shown in the organisation's time zone.
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("VIB_TIMEZONE", DEFAULT_TIMEZONE),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Behind HTTPS (the front server's TLS): cookies only over it, and HSTS.
        "VIB_HTTPS": https,
        "SESSION_COOKIE_SECURE": https or os.environ.get("VIB_SECURE_COOKIES", "") == "1",
        "REMEMBER_COOKIE_SECURE": https or os.environ.get("VIB_SECURE_COOKIES", "") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_CHECK_DEFAULT": False,  # checked in a hook, so token-authenticated API calls pass
        "WTF_CSRF_TIME_LIMIT": None,
    }
    settings.update(overrides)
    return settings


def _stored_secret(home: Path) -> str:
    """A secret key generated once and kept in VIB_HOME, readable by its owner only."""
    path = home / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()
