"""The organisation's calendar day. Dates people enter and read (a consent, a case's close, a recording,
a certificate's end, a fragment's expiry) are days where the organisation is (VIB_TIMEZONE): the
server's clock runs in UTC, whose day ends one or two hours later than Amsterdam's."""

from __future__ import annotations

from datetime import date, datetime

import pytz
from flask import current_app

from vib.core.db import utcnow


def organisation_date(moment: datetime) -> date:
    """The day a moment falls on where the organisation is: a withdrawal's grace ending at 00:40 in
    Amsterdam ends on that day, not the UTC day before."""
    return moment.astimezone(pytz.timezone(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def organisation_today() -> date:
    return organisation_date(utcnow())
