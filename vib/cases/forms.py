from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from vib.cases.models import PERSON_ROLES, PURPOSES

PURPOSE_LABELS = {
    "analysis": _l("Analysis by the worker"),
    "supervision": _l("Review by a supervisor"),
    "training": _l("Internal training library"),
    "presentation": _l("Presentations outside the organisation"),
}
ROLE_LABELS = {
    "client": _l("Client"),
    "parent": _l("Parent or guardian"),
    "child": _l("Child"),
    "worker": _l("Worker"),
    "other": _l("Other participant"),
}


class CaseForm(FlaskForm):
    code = StringField(_l("Case code"), validators=[DataRequired()])
    learning_question = TextAreaField(_l("Learning question"), validators=[DataRequired()])
    scheme = SelectField(_l("Code scheme"), validate_choice=False)  # choices: the schemes in use, set by the view


class ConsentForm(FlaskForm):
    person = StringField(_l("Person"), validators=[DataRequired()])
    role = SelectField(_l("Role"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in PERSON_ROLES])
    purposes = SelectMultipleField(
        _l("Consents to"),
        choices=[SelectChoice(p, PURPOSE_LABELS[p]) for p in PURPOSES],
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )
    date = DateField(_l("Date of consent"), validators=[DataRequired()], default=date.today)


class WithdrawForm(FlaskForm):
    person = StringField(validators=[DataRequired()])
    purposes = SelectMultipleField(choices=[SelectChoice(p, p) for p in PURPOSES])


class CloseCaseForm(FlaskForm):
    closed_on = DateField(_l("Closed on"), validators=[DataRequired()], default=date.today)
