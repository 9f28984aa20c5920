from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, IntegerField, PasswordField, SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from vib.accounts.models import ROLES

ROLE_LABELS = {
    "worker": _l("Worker"),
    "supervisor": _l("Supervisor"),
    "trainer": _l("Trainer"),
    "admin": _l("Administrator"),
}


def _roles_field():
    return SelectMultipleField(
        _l("Roles"),
        choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES],
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )


# The operations check every value (and say what is wrong); the forms parse and render.


class NewUserForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired()])
    name = StringField(_l("Name"), validators=[DataRequired()])
    roles = _roles_field()
    password = PasswordField(_l("Initial password"), validators=[DataRequired()])


class UserForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired()])
    roles = _roles_field()
    active = BooleanField(_l("Active: may log in and use API tokens"))


class PasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired()])


class CertificateForm(FlaskForm):
    number = StringField(_l("Certificate number"), validators=[DataRequired()])
    issuer = StringField(_l("Issued by"), validators=[DataRequired()], default="AIT")
    valid_until = DateField(_l("Valid until"), validators=[DataRequired()])


class RetentionForm(FlaskForm):
    # No validators: the operation checks each value and says what is wrong (an unreadable one is None).
    clip_months_after_close = IntegerField(_l("Months to keep clips after their case is closed"))
    clip_max_months = IntegerField(_l("Longest time a clip is kept, in months after upload"))
    fragment_months = IntegerField(_l("Months to keep library fragments (at most 60)"))
