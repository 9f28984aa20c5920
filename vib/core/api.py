"""Small helpers shared by the JSON API views."""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l

from vib.core.errors import abort_with


def json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort_with(400, _l("Send a JSON object in the request body."))
    return body


def int_arg(name: str, default: int | None = None) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        abort_with(400, _l("%(name)s must be a whole number.", name=name))
