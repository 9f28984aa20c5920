from __future__ import annotations

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from vib.cases import operations as ops
from vib.cases.forms import PURPOSE_LABELS, ROLE_LABELS, CaseForm, CloseCaseForm, ConsentForm, WithdrawForm
from vib.cases.hooks import case_page_sections
from vib.cases.models import Case
from vib.cases.schemas import Closing, Consent, NewCase, Withdrawal
from vib.cases.serialise import case_json
from vib.core import access, db
from vib.core.api import accepts, json_body
from vib.core.hooks import answers
from vib.core.pages import flashing_refusal
from vib.schemes.catalogue import scheme_choices

bp = Blueprint("cases", __name__)


# -- pages --------------------------------------------------------------------------------------


@bp.get("/cases")
@login_required
def list_page():
    cases = db.session().scalars(access.visible(current_user, Case).order_by(Case.created_at.desc())).all()
    form = CaseForm()
    form.scheme.choices = scheme_choices(db.session())
    return render_template("cases/list.html", cases=cases, form=form, may_create=access.may_do(current_user, "create_case"))


@bp.post("/cases")
@login_required
def create_page():
    if not access.may_do(current_user, "create_case"):
        abort(403)
    form = CaseForm()
    with flashing_refusal() as outcome:
        case = ops.create_case(db.session(), current_user, form.code.data, form.learning_question.data, form.scheme.data or None)
    if outcome.refused:
        return redirect(url_for("cases.list_page"))
    return redirect(url_for("cases.case_page", case_id=case.id))


@bp.get("/cases/<int:case_id>")
@login_required
def case_page(case_id: int):
    case = access.get_or_404(current_user, "view", Case, case_id)
    return render_template(
        "cases/detail.html",
        case=case,
        sections=answers(case_page_sections, case, user=current_user),
        people=ops.consents_by_person(case).values(),
        consent_form=ConsentForm(),
        withdraw_form=WithdrawForm(),
        close_form=CloseCaseForm(),
        purpose_labels=PURPOSE_LABELS,
        role_labels=ROLE_LABELS,
    )


@bp.post("/cases/<int:case_id>/consents")
@login_required
def consent_page(case_id: int):
    case = access.get_or_404(current_user, "edit", Case, case_id)
    form = ConsentForm()
    with flashing_refusal():
        ops.record_consent(db.session(), case, current_user, form.person.data, form.role.data, form.purposes.data, form.date.data)
    return redirect(url_for("cases.case_page", case_id=case.id) + "#consent")


@bp.post("/cases/<int:case_id>/consents/withdraw")
@login_required
def withdraw_page(case_id: int):
    case = access.get_or_404(current_user, "edit", Case, case_id)
    form = WithdrawForm()
    with flashing_refusal():
        ops.withdraw_consent(db.session(), case, current_user, form.person.data, form.purposes.data)
    return redirect(url_for("cases.case_page", case_id=case.id) + "#consent")


@bp.post("/cases/<int:case_id>/close")
@login_required
def close_page(case_id: int):
    case = access.get_or_404(current_user, "edit", Case, case_id)
    with flashing_refusal():
        ops.close_case(db.session(), case, current_user, CloseCaseForm().closed_on.data)
    return redirect(url_for("cases.case_page", case_id=case.id) + "#trajectory")


@bp.post("/cases/<int:case_id>/reopen")
@login_required
def reopen_page(case_id: int):
    case = access.get_or_404(current_user, "edit", Case, case_id)
    with flashing_refusal():
        ops.reopen_case(db.session(), case, current_user)
    return redirect(url_for("cases.case_page", case_id=case.id) + "#trajectory")


# -- API ----------------------------------------------------------------------------------------


@bp.get("/api/cases")
@login_required
def api_list():
    cases = db.session().scalars(access.visible(current_user, Case).order_by(Case.id)).all()
    return jsonify([case_json(c) for c in cases])


@bp.post("/api/cases")
@login_required
@accepts(NewCase)
def api_create():
    if not access.may_do(current_user, "create_case"):
        abort(403)
    body = json_body()
    case = ops.create_case(db.session(), current_user, body.get("code"), body.get("learning_question"), body.get("scheme"))
    return jsonify(case_json(case)), 201


@bp.get("/api/cases/<int:case_id>")
@login_required
def api_get(case_id: int):
    return jsonify(case_json(access.get_or_404(current_user, "view", Case, case_id)))


@bp.post("/api/cases/<int:case_id>/consents")
@login_required
@accepts(Consent)
def api_consent(case_id: int):
    case = access.get_or_404(current_user, "edit", Case, case_id)
    body = json_body()
    ops.record_consent(
        db.session(), case, current_user, body.get("person"), body.get("role"), _list(body.get("purposes")), body.get("date")
    )
    return jsonify(case_json(case)), 201


@bp.post("/api/cases/<int:case_id>/consents/withdraw")
@login_required
@accepts(Withdrawal)
def api_withdraw(case_id: int):
    case = access.get_or_404(current_user, "edit", Case, case_id)
    body = json_body()
    ops.withdraw_consent(db.session(), case, current_user, body.get("person"), _list(body.get("purposes")), body.get("date"))
    return jsonify(case_json(case))


@bp.post("/api/cases/<int:case_id>/close")
@login_required
@accepts(Closing)
def api_close(case_id: int):
    case = access.get_or_404(current_user, "edit", Case, case_id)
    body = json_body() if request.get_data() else {}  # the date is optional: an empty body closes it today
    ops.close_case(db.session(), case, current_user, body.get("closed_on"))
    return jsonify(case_json(case))


@bp.post("/api/cases/<int:case_id>/reopen")
@login_required
def api_reopen(case_id: int):
    case = access.get_or_404(current_user, "edit", Case, case_id)
    ops.reopen_case(db.session(), case, current_user)
    return jsonify(case_json(case))


def _list(value) -> list:
    return value if isinstance(value, list) and all(isinstance(v, str) for v in value) else []
