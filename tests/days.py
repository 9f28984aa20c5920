"""The day vib counts in: the organisation's (VIB_TIMEZONE), which is a day ahead of UTC's for an hour
or two each night. Tests that send or expect "today" use it, so they pass at any hour."""

from __future__ import annotations

import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

from vib.core.config import DEFAULT_TIMEZONE


def organisation_today() -> date:
    return datetime.now(ZoneInfo(os.environ.get("VIB_TIMEZONE", DEFAULT_TIMEZONE))).date()
