from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from vib.accounts.forms import LoginForm
from vib.accounts.models import User
from vib.accounts.operations import authenticate, user_for_token
from vib.core import db
from vib.core.i18n import LOCALES
from vib.core.security import bearer_token, login_manager

bp = Blueprint("accounts", __name__)


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    return db.session().get(User, int(user_id))


@login_manager.request_loader
def _load_user_from_token(_request) -> User | None:
    token = bearer_token()
    return user_for_token(db.session(), token) if token else None


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db.session(), form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        flash(_("Unknown e-mail address or wrong password."), "error")
    return render_template("accounts/login.html", form=form), 200 if request.method == "GET" else 401


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    return redirect(url_for("accounts.login"))


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
