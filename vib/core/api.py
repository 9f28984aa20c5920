"""Small helpers shared by the JSON API views."""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter, ValidationError

from vib.core.db import ID_MAX
from vib.core.errors import abort_with


class IdConverter(IntegerConverter):
    """`<int:…>` in a route: a number beyond any row's id matches no route (404), never the database."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str) -> int:
        if len(value) > len(str(ID_MAX)):  # Python refuses to read numbers of thousands of digits
            raise ValidationError()
        return super().to_python(value)


def json_body() -> dict:
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested thousands deep: no request of vib's looks like that
        abort_with(400, _l("The JSON in the request body is nested too deeply."))
    if not isinstance(body, dict):
        abort_with(400, _l("Send a JSON object in the request body."))
    return body


def int_arg(name: str, default: int | None = None) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw) if len(raw) <= 20 else None  # Python refuses to read thousands of digits
    except ValueError:
        value = None
    if value is None:
        abort_with(400, _l("%(name)s must be a whole number.", name=name))
    if abs(value) > ID_MAX:
        abort_with(400, _l("%(name)s is out of range.", name=name))
    return value
