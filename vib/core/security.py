"""Login sessions (Flask-Login), API tokens (Authorization: Bearer), and CSRF for cookie sessions.

Who a session or token belongs to is the accounts feature's answer: it registers the loaders on
`login_manager` (vib.accounts.views)."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

login_manager = LoginManager()
csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    _trust_the_proxies(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Log in to continue.")
    login_manager.session_protection = "strong"
    csrf.init_app(app)
    app.before_request(_token_requests_ignore_the_cookie_session)
    app.before_request(_csrf_unless_token)
    app.after_request(_protective_headers)


def _trust_the_proxies(app: Flask) -> None:
    """Behind VIB_PROXY_HOPS proxies, take the client's address and scheme from the X-Forwarded-For
    and -Proto those proxies add (the last hops only: a client can send the header too, to pose as
    someone else). Login throttling and the audit log need the real address."""
    hops = app.config.get("VIB_PROXY_HOPS", 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def _token_requests_ignore_the_cookie_session() -> None:
    # A script that keeps cookies (requests.Session) may carry a session without a login, e.g. after
    # fetching a page; strong session protection would then log it out before the token is read.
    # A token request is authenticated by its token alone, never mixed with a cookie identity.
    if bearer_token() is not None:
        session.clear()


def _csrf_unless_token() -> None:
    # A request carrying a token cannot be forged by another site; a cookie session can. An API call
    # without any session is answered 401 by the view, which tells the caller more than a CSRF error.
    if request.method not in ("POST", "PUT", "PATCH", "DELETE") or bearer_token() is not None:
        return
    if is_api_request() and not current_user.is_authenticated:
        return
    csrf.protect()


@login_manager.unauthorized_handler
def _unauthorized():
    if is_api_request():
        return jsonify(error=str(_l("Authentication required: log in or send an API token."))), 401
    return redirect(url_for("accounts.login", next=request.full_path))


# Everything vib serves comes from vib itself: no CDN, no inline script, nothing framed elsewhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; media-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def _protective_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html" or (is_api_request() and "no-store" not in response.headers.get("Cache-Control", "")):
        # Pages and API answers name cases and carry client data: keep them out of shared caches and
        # history (storage sends media "private, no-store" itself).
        response.headers["Cache-Control"] = "no-store"
    if current_app.config["VIB_HTTPS"]:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response
