"""Small helpers shared by the JSON API views."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as TypeProblem
from werkzeug.routing import IntegerConverter, ValidationError

from vib.core.db import ID_MAX
from vib.core.errors import FieldError, abort_with


class IdConverter(IntegerConverter):
    """`<int:…>` in a route: a number beyond any row's id matches no route (404), never the database."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str) -> int:
        if len(value) > len(str(ID_MAX)):  # Python refuses to read numbers of thousands of digits
            raise ValidationError()
        return super().to_python(value)


class Body(BaseModel):
    """What a JSON body may hold, by type: each endpoint declares one (`accepts`), and the one check
    (`json_body`) refuses a value of the wrong type with 422 naming the field, before any operation
    sees it. Fields are optional here: whether one is needed, and what it means, the operation says,
    in the domain's words. Fields not declared pass on (the operations name them as unknown)."""

    model_config = ConfigDict(strict=True, extra="allow")


def accepts(model: type[Body]) -> Callable:
    """Declare the JSON body a view takes (checked by `json_body`, described in /api/openapi.json)."""

    def declare(view: Callable) -> Callable:
        view.vib_body = model
        return view

    return declare


def body_model(endpoint: str | None) -> type[Body] | None:
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, "vib_body", None)


# What a field of the wrong type must be instead, by pydantic's error type.
EXPECTED = {
    "int_type": _l("a whole number"),
    "string_type": _l("text"),
    "list_type": _l("a list"),
    "bool_type": _l("true or false"),
    "dict_type": _l("an object"),
}


def json_body() -> dict:
    """The request's JSON object, checked against the body its view declares."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested thousands deep: no request of vib's looks like that
        abort_with(400, _l("The JSON in the request body is nested too deeply."))
    if not isinstance(body, dict):
        abort_with(400, _l("Send a JSON object in the request body."))
    model = body_model(request.endpoint)
    if model is None:
        return body
    try:
        model.model_validate(body)
    except TypeProblem as error:
        problem = error.errors()[0]
        field = str(problem["loc"][0]) if problem["loc"] else "body"  # the body's own field, not a member of its type
        expected = EXPECTED.get(problem["type"].removesuffix("_parsing"), _l("of another type"))
        raise FieldError(_l("%(field)s must be %(expected)s.", field=field, expected=expected), field) from None
    return body


def bool_arg(name: str, default: bool = False) -> bool:
    """A yes/no query parameter: 1/true/yes or 0/false/no."""
    raw = request.args.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "0", "false", "no"):
        return raw in ("1", "true", "yes")
    abort_with(400, _l("%(name)s must be 1 or 0.", name=name))


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
