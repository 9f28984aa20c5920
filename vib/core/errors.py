"""Error answers: JSON `{error: ...}` for the API, a readable page for people."""

from __future__ import annotations

from flask import Flask, current_app, g, jsonify, render_template, request, session
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, default_exceptions

from vib.core.security import is_api_request
from vib.core.uploads import accepts_upload, body_limit_of

# The server itself refuses any body larger than a piece of an upload, before reading it.
TOO_LARGE_FOR_THE_SERVER = _l(
    "The request is too large. A video is sent in pieces of at most %(mb)d MB: the upload form does this by itself, and API clients use tus (/api/tus)."
)
MESSAGES = {
    400: _l("The request is not valid."),
    401: _l("Authentication required."),
    403: _l("You may not do this."),
    404: _l("Not found."),
    405: _l("This method is not allowed here."),
    409: _l("This conflicts with the current state."),
    413: _l("The file is too large: at most %(mb)d MB can be uploaded."),
    415: _l("This type of content is not supported."),
    422: _l("The request could not be processed."),
}


class UserError(ValueError):
    """A request that breaks a rule of the domain. The message is for the user; `status` is the
    HTTP status the API answers with. Operations raise it; one handler turns it into a response."""

    status = 422

    def __init__(self, message, status: int | None = None) -> None:
        super().__init__(str(message))
        if status is not None:
            self.status = status

    def details(self) -> dict:
        """More for API clients beside `error` (the field at fault, the current state, ...)."""
        return {}


class FieldError(UserError):
    """A request with a field at fault: `field` names it for API clients (422 unless said otherwise)."""

    def __init__(self, message, field: str | None = None, status: int | None = None) -> None:
        super().__init__(message, status)
        self.field = field

    def details(self) -> dict:
        return {"field": self.field} if self.field else {}


def text_or_none(value, field: str) -> str | None:
    """A text field of a request: text or nothing; a number, list or object is refused, naming the field."""
    if value is None or isinstance(value, str):
        return value
    raise FieldError(_l("%(field)s must be text.", field=field), field)


def message_for(error: HTTPException) -> str:
    if error.code == 413:
        limit = body_limit_of(request.endpoint)
        if limit:
            max_bytes, message = limit
            return str((message or MESSAGES[413]) % {"mb": max(1, max_bytes // (1024 * 1024))})
        if not accepts_upload(request.endpoint):
            return str(_l("The request is too large."))
        return str(MESSAGES[413] % {"mb": current_app.config["VIB_MAX_UPLOAD_MB"]})
    if isinstance(error, CSRFError):
        return str(_l("The form expired or was sent from elsewhere. Reload the page and try again."))
    custom = error.description if getattr(error, "vib_message", False) else None
    return str(custom or MESSAGES.get(error.code, error.name))


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        text = message_for(error)
        if is_api_request():
            return jsonify(error=text), error.code
        return render_template("error.html", code=error.code, message=text), error.code

    @app.errorhandler(UserError)
    def refuse(error: UserError):
        if is_api_request():
            return jsonify(error=str(error), **error.details()), error.status
        return render_template("error.html", code=error.status, message=str(error)), error.status

    @app.errorhandler(Exception)
    def crash(error: Exception):
        if isinstance(error, HTTPException):
            return handle(error)
        if database_away(error):
            return database_away_response(error)
        app.logger.exception("unexpected error")
        text = str(_l("Something went wrong on the server. Try again; if it keeps happening, tell your administrator."))
        if is_api_request():
            return jsonify(error=text), 500
        return render_template("error.html", code=500, message=text), 500


def database_away(error: BaseException) -> bool:
    """The database did not answer (down, restarting, unreachable), as opposed to a wrong query."""
    return isinstance(error, OperationalError) or (isinstance(error, DBAPIError) and error.connection_invalidated)


def database_away_response(error: BaseException):
    """503 with Retry-After: a restart or a network cut, after which the pool reconnects by itself."""
    current_app.logger.warning("the database cannot be reached: %s", type(error).__name__)
    # Who is logged in, and their language, are in the database too: answer as to a visitor.
    g._login_user = current_app.login_manager.anonymous_user()
    with force_locale(session.get("locale") or current_app.config["VIB_DEFAULT_LOCALE"]):
        text = str(_l("The database cannot be reached at the moment. Try again in a minute."))
        body = jsonify(error=text) if is_api_request() else render_template("error.html", code=503, message=text)
    return current_app.make_response((body, 503, {"Retry-After": "30"}))


def abort_with(status: int, message) -> None:
    """Stop the request with a status and a message meant for the user."""
    error = default_exceptions[status](description=str(message))
    error.vib_message = True
    raise error
