"""Forms of the accounts area."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    Regexp,
)

from eventsys.i18n import LANGUAGE_NAMES
from eventsys.text import single_line

PASSWORD_RULES = [
    InputRequired(),
    Length(min=8, max=128, message=_l("Use between 8 and 128 characters.")),
]


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[InputRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=128)])
    remember = BooleanField(_l("Keep me logged in on this device"))


class SignupForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[
            InputRequired(),
            Length(max=254),
            Email(
                message=_l("Enter an email address like name@example.com."),
                check_deliverability=False,
            ),
        ],
    )
    display_name = StringField(
        _l("Name"),
        filters=[single_line],
        validators=[DataRequired(message=_l("Enter your name.")), Length(max=80)],
    )
    phone = TelField(
        _l("Phone (optional)"),
        validators=[
            Optional(),
            Length(max=32),
            Regexp(r"^[0-9+\- ]+$", message=_l("Use digits, spaces, + and - only.")),
        ],
    )
    card_number = StringField(
        _l("Reader card number (optional)"),
        validators=[
            Optional(),
            Length(max=32),
            Regexp(r"^[A-Za-z0-9]+$", message=_l("Use letters and digits only.")),
        ],
    )
    password = PasswordField(_l("Password"), validators=PASSWORD_RULES)
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[InputRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    # Honeypot: hidden from people, filled in by bots.
    website = StringField(_l("Leave this field empty"))


class ProfileForm(FlaskForm):
    display_name = StringField(
        _l("Name"),
        filters=[single_line],
        validators=[DataRequired(message=_l("Enter your name.")), Length(max=80)],
    )
    phone = SignupForm.phone
    locale = SelectField(
        _l("Language"),
        choices=[SelectChoice(value=code, label=name) for code, name in LANGUAGE_NAMES.items()],
    )


def _new_password_fields():
    """The new password and its repetition, which must match."""
    return (
        PasswordField(_l("New password"), validators=PASSWORD_RULES),
        PasswordField(
            _l("Repeat the new password"),
            validators=[InputRequired(), EqualTo("password", message=_l("The passwords differ."))],
        ),
    )


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[InputRequired(), Length(max=128)])
    password, confirm = _new_password_fields()


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[InputRequired(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password, confirm = _new_password_fields()


class CloseAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[InputRequired(), Length(max=128)])
    confirm = BooleanField(
        _l("I understand that my account is closed for good."), validators=[InputRequired()]
    )
