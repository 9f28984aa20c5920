from __future__ import annotations

import time
from types import SimpleNamespace
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from vib.accounts import password_reset, second_factor
from vib.accounts.forms import CodeForm, ForgotPasswordForm, LoginForm, NewPasswordForm, PasswordChangeForm
from vib.accounts.models import User
from vib.accounts.operations import AccountError, authenticate, change_own_password, end_sessions, find_user, set_password, user_for_token
from vib.core import audit, db, jobs, mail, throttle
from vib.core.errors import UserError
from vib.core.i18n import LOCALES
from vib.core.pages import flashing_refusal
from vib.core.security import bearer_token, login_manager

bp = Blueprint("accounts", __name__)


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """The user of a cookie session, while the session is current: of the user's present session
    generation, used within VIB_IDLE_MINUTES and begun less than VIB_SESSION_HOURS ago."""
    user = db.session().get(User, int(user_id))
    if user is None or not _session_is_current(user):
        session.clear()  # the cookie's log-in has ended: this request, and the next, are anonymous
        return None
    session["vib_seen_at"] = time.time()
    return user


def _session_is_current(user: User) -> bool:
    config, now = current_app.config, time.time()
    return (
        session.get("vib_generation") == user.session_generation
        and now - session.get("vib_seen_at", 0) < config["VIB_IDLE_MINUTES"] * 60
        and now - session.get("vib_login_at", 0) < config["VIB_SESSION_HOURS"] * 3600
    )


def _begin_session(user: User) -> None:
    user = getattr(user, "_get_current_object", lambda: user)()  # the user, not the current_user proxy
    login_user(user)
    session["vib_generation"] = user.session_generation
    session["vib_login_at"] = session["vib_seen_at"] = time.time()


@login_manager.request_loader
def _load_user_from_token(_request) -> User | None:
    token = bearer_token()
    return user_for_token(db.session(), token) if token else None


# After this many failed log-ins from one address, or for one account, log-ins are refused for a while.
LOGIN_FAILURES = "5 per 15 minutes"


@bp.route("/login", methods=["GET", "POST"])
@throttle.limiter.limit(LOGIN_FAILURES, key_func=throttle.address_key, deduct_when=throttle.failed, methods=["POST"])
@throttle.limiter.limit(LOGIN_FAILURES, key_func=throttle.account_key, deduct_when=throttle.failed, methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db.session(), form.email.data, form.password.data)
        if user is not None:
            return _after_password(user, _safe_next(request.args.get("next")))
        _audit_login("login.failed")
        flash(_("Unknown e-mail address or wrong password."), "error")
    return render_template("accounts/login.html", form=form), 200 if request.method == "GET" else 401


PENDING_SECONDS = 300  # the second step must follow the password within five minutes


def _after_password(user: User, target: str):
    """The password was right: log in, or first ask for the second factor (or its enrolment)."""
    if not second_factor.is_enrolled(user) and not second_factor.is_required(db.session(), user):
        _begin_session(user)
        return redirect(target)
    session.clear()
    session["vib_pending"] = {"user": user.id, "at": time.time(), "next": target}
    return redirect(url_for("accounts.second_step" if second_factor.is_enrolled(user) else "accounts.enrol_at_login"))


def _pending_user() -> User | None:
    """Who gave the right password in this browser within PENDING_SECONDS, and still has to finish."""
    pending = session.get("vib_pending") or {}
    if time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session().get(User, pending.get("user") or 0)
    return user if user is not None and user.active else None


def _pending_account_key() -> str:
    return f"account:{(session.get('vib_pending') or {}).get('user', '-')}"


def _finish_login(user: User):
    target = (session.get("vib_pending") or {}).get("next") or url_for("index")
    session.pop("vib_pending", None)
    _begin_session(user)
    return redirect(_safe_next(target))


@bp.route("/login/code", methods=["GET", "POST"])
@throttle.limiter.limit(LOGIN_FAILURES, key_func=throttle.address_key, deduct_when=throttle.failed, methods=["POST"])
@throttle.limiter.limit(LOGIN_FAILURES, key_func=_pending_account_key, deduct_when=throttle.failed, methods=["POST"])
def second_step():
    """The log-in's second step: a code from the authenticator app, or a recovery code."""
    user = _pending_user()
    if user is None or not second_factor.is_enrolled(user):
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            how = second_factor.verify(db.session(), user, form.code.data)
        except second_factor.SecondFactorError as error:
            _audit_login("login.failed", user.email)
            flash(str(error), "error")
            return render_template("accounts/second_step.html", form=form), 401
        if how == "recovery":
            left = len(user.second_factor.recovery_hashes)
            flash(ngettext("You used a recovery code: %(num)d is left. Make new ones on your account page.",
                           "You used a recovery code: %(num)d are left. Make new ones on your account page.", left), "notice")  # fmt: skip
        return _finish_login(user)
    return render_template("accounts/second_step.html", form=form), 200 if request.method == "GET" else 401


@bp.route("/login/enrol", methods=["GET", "POST"])
def enrol_at_login():
    """A person who needs a second factor and has none sets up their authenticator app before going in."""
    user = _pending_user()
    if user is None or second_factor.is_enrolled(user):
        return redirect(url_for("accounts.login"))
    return _enrolment(user, finish=lambda: _finish_login(user))


@bp.route("/account/second-factor", methods=["GET", "POST"])
@login_required
def enrol_page():
    """Setting up (or replacing nothing: see the admin's reset) the authenticator app from the account page."""
    user = current_user._get_current_object()
    if second_factor.is_enrolled(user):
        return redirect(url_for("accounts.account_page"))
    return _enrolment(user, finish=lambda: redirect(url_for("accounts.account_page")))


def _enrolment(user: User, finish):
    form = CodeForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            codes = second_factor.confirm_enrolment(db.session(), user, form.code.data)
        except UserError as error:
            flash(str(error), "error")
            return _enrolment_page(user, form), 422
        audit.record(db.session(), user, "second_factor.enrol", "user", user.id)
        response = finish()
        return render_template("accounts/recovery_codes.html", codes=codes, next=response.location)
    if user.second_factor is None or request.method == "GET":
        second_factor.begin_enrolment(db.session(), user)
    return _enrolment_page(user, form), 200 if request.method == "GET" else 422


def _enrolment_page(user: User, form):
    return render_template("accounts/enrol.html", form=form, qr=second_factor.qr_svg(user), secret=user.second_factor.secret)


@bp.post("/account/recovery-codes")
@login_required
def new_recovery_codes():
    user = current_user._get_current_object()
    if not second_factor.is_enrolled(user):
        return redirect(url_for("accounts.account_page"))
    codes = second_factor.new_recovery_codes(user.second_factor)
    audit.record(db.session(), user, "second_factor.recovery_codes", "user", user.id)
    return render_template("accounts/recovery_codes.html", codes=codes, next=url_for("accounts.account_page"))


@bp.errorhandler(429)
def _too_many_logins(_error):
    _audit_login("login.throttled")
    minutes = max(1, round(throttle.seconds_to_wait() / 60))
    flash(
        ngettext(
            "Too many failed log-ins. Try again in %(num)d minute.", "Too many failed log-ins. Try again in %(num)d minutes.", minutes
        ),
        "error",
    )
    return render_template("accounts/login.html", form=LoginForm()), 429


def _audit_login(action: str, email: str | None = None) -> None:
    """A failed or refused log-in, in a transaction of its own: the request's is rolled back (4xx)."""
    email = email or (request.form.get("email") or "").strip().lower()[:254]
    attempt = SimpleNamespace(id=None, email=email or "-")
    log = db.new_session()
    try:
        audit.record(log, attempt, action, "user", None, "-", detail=f"address={request.remote_addr}")
        log.commit()
    finally:
        log.close()


@bp.route("/password/forgot", methods=["GET", "POST"])
@throttle.limiter.limit(LOGIN_FAILURES, key_func=throttle.address_key, methods=["POST"])
def forgot_password():
    """Ask for a reset link by e-mail (with SMTP); the answer is the same for every address."""
    form = ForgotPasswordForm()
    if mail.enabled() and form.validate_on_submit():
        user = find_user(db.session(), form.email.data or "")
        if user is not None and user.active:
            jobs.enqueue_after_commit(db.session(), "password_reset_email", user.id)
        flash(
            _("If %(email)s has an account, an e-mail with a link is on its way. The link works for 30 minutes.", email=form.email.data),
            "ok",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html", form=form, mail_enabled=mail.enabled())


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = password_reset.user_for_token(db.session(), token)
    if user is None:
        flash(_("This link has expired or was used already. Ask for a new one."), "error")
        return redirect(url_for("accounts.forgot_password"))
    form = NewPasswordForm()
    if form.validate_on_submit():
        with flashing_refusal() as outcome:
            if form.new.data != form.repeated.data:
                raise AccountError(_("The new password and its repetition differ."))
            set_password(user, form.new.data)
            audit.record(db.session(), user, "user.password", "user", user.id, detail="by e-mail link")
        if not outcome.refused:
            flash(_("Your new password is set. Log in with it."), "ok")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form), 200 if request.method == "GET" else 422


@bp.post("/logout")
@login_required
def logout():
    """Log out here and everywhere else: a cookie copied before the log-out no longer works."""
    end_sessions(current_user)
    logout_user()
    session.clear()
    return redirect(url_for("accounts.login"))


@bp.get("/account")
@login_required
def account_page():
    user = current_user._get_current_object()
    return render_template(
        "accounts/account.html",
        form=PasswordChangeForm(),
        enrolled=second_factor.is_enrolled(user),
        required=second_factor.is_required(db.session(), user),
        recovery_left=len(user.second_factor.recovery_hashes) if second_factor.is_enrolled(user) else 0,
    )


@bp.post("/account/password")
@login_required
def change_password():
    form = PasswordChangeForm()
    with flashing_refusal() as outcome:
        change_own_password(db.session(), current_user, form.current.data, form.new.data, form.repeated.data)
    if outcome.refused:
        return render_template("accounts/account.html", form=form), 422
    _begin_session(current_user)  # this session goes on in the new generation; every other one ended
    flash(_("Your password is changed. You are logged out on every other device."), "success")
    return redirect(url_for("accounts.account_page"))


@bp.post("/account/sessions/end")
@login_required
def end_other_sessions():
    end_sessions(current_user)
    audit.record(db.session(), current_user, "user.sessions_ended", "user", current_user.id)
    _begin_session(current_user)
    flash(_("You are logged out on every other device."), "success")
    return redirect(url_for("accounts.account_page"))


@bp.get("/api/session")
@login_required
def api_session():
    """How long this log-in session lasts without activity; asking counts as activity (keeps it alive)."""
    config = current_app.config
    expires = session.get("vib_login_at", 0) + config["VIB_SESSION_HOURS"] * 3600 - time.time()
    return jsonify(idle_seconds=config["VIB_IDLE_MINUTES"] * 60, ends_in_seconds=max(0, int(expires)))


@bp.post("/language")
def language():
    locale = request.form.get("locale")
    if locale in LOCALES:
        session["locale"] = locale
        if current_user.is_authenticated:
            current_user.locale = locale
    return redirect(_safe_next(request.form.get("next")))


def _safe_next(target: str | None) -> str:
    """Only redirect within vib (no open redirect to another site)."""
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("index")
