"""Error answers: JSON `{error: ...}` for the API, a readable page for people."""

from __future__ import annotations

from flask import Flask, jsonify, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from vib.core.security import is_api_request

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


def message_for(error: HTTPException) -> str:
    from flask import current_app

    if error.code == 413:
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


def abort_with(status: int, message) -> None:
    """Stop the request with a status and a message meant for the user."""
    from werkzeug.exceptions import default_exceptions

    error = default_exceptions[status](description=str(message))
    error.vib_message = True
    raise error
