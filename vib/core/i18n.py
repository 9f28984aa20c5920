"""Dutch and English: the user's choice, else the organisation's default (VIB_DEFAULT_LOCALE)."""

from __future__ import annotations

import pytz
from flask import Flask, current_app, session
from flask_babel import Babel, format_decimal, get_locale
from flask_login import current_user

LOCALES = {"nl": "Nederlands", "en": "English"}


def select_locale() -> str:
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    if session.get("locale") in LOCALES:
        return session["locale"]
    return current_app.config["VIB_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    zone = app.config["BABEL_DEFAULT_TIMEZONE"]
    try:
        pytz.timezone(zone)
    except pytz.UnknownTimeZoneError:
        raise ValueError(f"VIB_TIMEZONE: {zone!r} is not a time zone (e.g. Europe/Amsterdam)") from None
    Babel(app, locale_selector=select_locale, default_translation_directories="translations")
    app.jinja_env.globals.update(LOCALES=LOCALES, get_locale=get_locale)
    app.jinja_env.filters["duration"] = format_duration
    app.jinja_env.filters["clock"] = format_clock
    app.jinja_env.filters["decimal"] = format_one_decimal


def format_duration(ms: int) -> str:
    """m:ss, as players show a clip's length."""
    return f"{ms // 60000}:{ms // 1000 % 60:02d}"


def format_clock(ms: int) -> str:
    """m:ss.mmm, the time of a moment (as the coding page's js/api.js formatTime shows it)."""
    return f"{ms // 60000}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def format_one_decimal(value: float) -> str:
    """A figure with one decimal, in the user's language (109,1 in Dutch)."""
    return format_decimal(value, format="#,##0.0")
