"""The admin pages: accounts, roles, certificates, the audit log, retention and the background jobs.
Never client video.

Every page here is for admins only (`access.may_do(user, "administer")`): anyone else gets "not found", as for
anything else they may not see, and an anonymous visitor is sent to the login page.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import format_date, get_timezone
from flask_babel import gettext as _
from flask_login import current_user

from vib.accounts import certificates
from vib.accounts.models import User
from vib.admin import operations as ops
from vib.admin.forms import ROLE_LABELS, CertificateForm, NewUserForm, PasswordForm, RetentionForm, UserForm
from vib.core import access, audit, db, jobs
from vib.core.days import organisation_today
from vib.core.errors import UserError
from vib.core.pages import flashing_refusal
from vib.privacy import operations as privacy

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _admins_only():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not access.may_do(current_user, "administer"):
        abort(404)
    return None


@bp.app_context_processor
def _layout_helpers() -> dict:
    """For base.html: whether to show the Administration link, and a supervisor's own certificate
    notice (both computed only when the template asks)."""
    return {"may_administer": lambda user: access.may_do(user, "administer"), "own_certificate_notice": own_certificate_notice}


def own_certificate_notice(user=None, today: date | None = None) -> str | None:
    """What a supervisor must know about their own certificate: that it runs out within 90 days, has
    expired, or was never recorded (in each case they can soon not, or cannot, be asked for reviews)."""
    user = user if user is not None else current_user
    if not user.is_authenticated or not user.has_role("supervisor"):
        return None
    state = certificates.certificate_state(user, today)
    if state == certificates.VALID:
        return None
    if state is None:
        return _(
            "No supervisor certificate is recorded for you, so you cannot be asked for reviews yet. Ask your administrator to record it."
        )
    certificate = user.certificate
    values = {"issuer": certificate.issuer, "number": certificate.number, "date": format_date(certificate.valid_until, "d MMMM yyyy")}
    if state == certificates.EXPIRED:
        return _(
            "Your supervisor certificate (%(issuer)s, no. %(number)s) expired on %(date)s: you cannot be asked for reviews until your administrator records the renewed certificate.",
            **values,
        )
    return _(
        "Your supervisor certificate (%(issuer)s, no. %(number)s) is valid until %(date)s. Renew it in time: after that you can no longer be asked for reviews.",
        **values,
    )


# -- accounts -----------------------------------------------------------------------------------


@bp.get("/")
def index():
    return redirect(url_for("admin.users_page"))


@bp.get("/users")
def users_page():
    return _users_page(NewUserForm())


def _users_page(form: NewUserForm, status: int = 200):
    session = db.session()
    return render_template(
        "admin/users.html",
        users=ops.all_users(session),
        attention=certificates.needing_attention(session),
        state_of=certificates.certificate_state,
        form=form,
        role_labels=ROLE_LABELS,
    ), status


@bp.post("/users")
def create_user():
    form = NewUserForm()
    with flashing_refusal() as outcome:
        user = ops.create_user(db.session(), current_user, form.email.data, form.name.data, form.roles.data or [], form.password.data)
    if outcome.refused:
        return _users_page(form, 422)  # the form keeps what was typed (not the password)
    flash(_("Account %(email)s added.", email=user.email), "ok")
    return redirect(url_for("admin.user_page", user_id=user.id))


@bp.get("/users/<int:user_id>")
def user_page(user_id: int):
    user = _user_or_404(user_id)
    return _user_page(user, UserForm(obj=user), _certificate_form(user))


def _user_page(user: User, form: UserForm, certificate_form: CertificateForm, status: int = 200):
    return render_template(
        "admin/user.html",
        user=user,
        form=form,
        password_form=PasswordForm(formdata=None),
        certificate_form=certificate_form,
        state=certificates.certificate_state(user),
        role_labels=ROLE_LABELS,
        is_self=user.id == current_user.id,
    ), status


@bp.post("/users/<int:user_id>")
def update_user(user_id: int):
    user = _user_or_404(user_id)
    form = UserForm()
    with flashing_refusal() as outcome:
        changed = ops.update_user(db.session(), current_user, user, form.name.data, form.roles.data or [], form.active.data)
    if outcome.refused:
        return _user_page(user, form, _certificate_form(user), 422)
    flash(_("Saved.") if changed else _("Nothing changed."), "ok")
    return redirect(url_for("admin.user_page", user_id=user.id))


@bp.post("/users/<int:user_id>/password")
def change_password(user_id: int):
    user = _user_or_404(user_id)
    with flashing_refusal() as outcome:
        ops.change_password(db.session(), current_user, user, PasswordForm().password.data)
    if outcome.refused:
        return redirect(url_for("admin.user_page", user_id=user.id) + "#password")
    flash(_("The new password is set. Tell %(name)s in person or by phone, never by e-mail.", name=user.name), "ok")
    return redirect(url_for("admin.user_page", user_id=user.id))


@bp.post("/users/<int:user_id>/sessions")
def end_sessions(user_id: int):
    user = _user_or_404(user_id)
    ops.end_sessions(db.session(), current_user, user)
    flash(_("%(name)s is logged out everywhere.", name=user.name), "ok")
    return redirect(url_for("admin.user_page", user_id=user.id) + "#sessions")


@bp.post("/users/<int:user_id>/second-factor/reset")
def reset_second_factor(user_id: int):
    user = _user_or_404(user_id)
    ops.reset_second_factor(db.session(), current_user, user)
    flash(
        _("The second factor of %(name)s is reset: they set up their authenticator app again at their next log-in.", name=user.name), "ok"
    )
    return redirect(url_for("admin.user_page", user_id=user.id) + "#sessions")


@bp.post("/users/<int:user_id>/certificate")
def set_certificate(user_id: int):
    user = _user_or_404(user_id)
    form = CertificateForm()
    # A date the browser could not parse reaches the operation as typed, so its message names it.
    valid_until = form.valid_until.data or next(iter(form.valid_until.raw_data or []), None)
    with flashing_refusal() as outcome:
        ops.set_certificate(db.session(), current_user, user, form.number.data, form.issuer.data, valid_until)
    if outcome.refused:
        return _user_page(user, UserForm(formdata=None, obj=user), form, 422)
    flash(_("Certificate recorded."), "ok")
    return redirect(url_for("admin.user_page", user_id=user.id) + "#certificate")


def _user_or_404(user_id: int) -> User:
    user = db.session().get(User, user_id)
    if user is None:
        abort(404)
    return user


def _certificate_form(user: User) -> CertificateForm:
    return CertificateForm(formdata=None, obj=user.certificate) if user.certificate else CertificateForm(formdata=None)


# -- the audit log ------------------------------------------------------------------------------


@bp.get("/audit")
def audit_page():
    page = request.args.get("page", 1, type=int) or 1
    error, rows, more = None, [], False
    try:
        filters = ops.AuditFilter.parse(request.args)
    except UserError as exc:
        error, filters = str(exc), None
    if filters is not None:
        rows, more = ops.audit_page(db.session(), filters, get_timezone(), page)
    return render_template(
        "admin/audit.html",
        rows=rows,
        more=more,
        page=page,
        filters=filters,
        args=request.args,
        error=error,
        actions=audit.ACTIONS,
        object_types=ops.OBJECT_TYPES,
        zone=str(get_timezone()),
    ), 422 if error else 200


@bp.get("/audit.csv")
def audit_csv():
    try:
        filters = ops.AuditFilter.parse(request.args)
    except UserError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.audit_page"))
    zone = get_timezone()

    def lines():  # queried while streaming: the view's own session is closed when it returns
        yield from audit.csv_lines(ops.audit_rows_for_export(db.session(), filters, zone))

    name = f"vib-audit-{organisation_today().isoformat()}.csv"
    return Response(
        stream_with_context(lines()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


# -- retention ----------------------------------------------------------------------------------


@bp.get("/retention")
def retention_page():
    current = privacy.policy(db.session())
    return _retention_page(RetentionForm(data=privacy.policy_json(current)))


def _retention_page(form: RetentionForm, status: int = 200):
    due = privacy.purge(db.session(), dry_run=True)
    return render_template("admin/retention.html", form=form, due=due, reason_labels=privacy.REASON_LABELS), status


@bp.post("/retention")
def set_retention():
    form = RetentionForm()
    values = {name: form[name].data for name in privacy.DEFAULT_POLICY}
    with flashing_refusal() as outcome:
        privacy.set_policy(db.session(), current_user, "admin", values)
    if outcome.refused:
        return _retention_page(form, 422)
    flash(_("The retention policy is saved."), "success")
    return redirect(url_for("admin.retention_page"))


# -- background jobs ------------------------------------------------------------------------------


@bp.get("/jobs")
def jobs_page():
    """Queue depth, running and failed jobs: ids and kinds only (a job names a clip by its id)."""
    return render_template("admin/jobs.html", overview=jobs.runner().overview())


@bp.post("/jobs/<job_id>/retry")
def retry_job(job_id: str):
    runner = jobs.runner()
    if not isinstance(runner, jobs.RedisJobs) or not runner.retry(job_id):
        abort(404)
    audit.record(db.session(), current_user, "job.retry", "job", None, "admin", detail=f"job={job_id}")
    flash(_("The job is queued again."), "success")
    return redirect(url_for("admin.jobs_page"))
