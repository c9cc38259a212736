"""Forms of the admin pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    ValidationError,
)
from wtforms.validators import InputRequired, NumberRange, Optional

from eventsys.form_fields import text_field
from eventsys.models import Role
from eventsys.services.policies import POLICIES

ROLE_LABELS = {
    Role.READER: _l("Reader"),
    Role.VOLUNTEER: _l("Volunteer"),
    Role.STAFF: _l("Staff"),
    Role.ADMIN: _l("Admin"),
}


def _role_choices(with_any: bool) -> list[SelectChoice]:
    choices = [SelectChoice(value=str(r), label=label) for r, label in ROLE_LABELS.items()]
    return [SelectChoice(value="", label=_l("Any role")), *choices] if with_any else choices


class UserFilterForm(FlaskForm):
    """The search over users; a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    q = text_field(
        _l("Name, email, card or phone"),
        max_length=100,
        too_long=_l("Search for at most 100 characters."),
    )
    role = SelectField(
        _l("Role"),
        choices=_role_choices(with_any=True),
        validators=[Optional()],
        invalid_choice_message=_l("Choose a role from the list."),
    )


class UserAccessForm(FlaskForm):
    role = SelectField(
        _l("Role"),
        choices=_role_choices(with_any=False),
        invalid_choice_message=_l("Choose a role from the list."),
    )
    active = BooleanField(_l("Active (can log in)"))


class AuditFilterForm(FlaskForm):
    """Who did it, to what, and when; a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    actor = SelectField(_l("Who"), validators=[Optional()])
    entity = SelectField(_l("Kind of object"), validators=[Optional()])
    entity_id = IntegerField(
        _l("Object number"),
        validators=[
            Optional(),
            NumberRange(min=1, max=2**31 - 1, message=_l("Enter a whole number above zero.")),
        ],
    )
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])

    def validate_end(self, field) -> None:
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("The last day comes before the first day."))


def policies_form(values: dict[str, int]) -> FlaskForm:
    """A form with one whole-number field per policy, bounded by the policy's range."""

    class PoliciesForm(FlaskForm):
        pass

    for key, policy in POLICIES.items():
        field = IntegerField(
            policy.label,
            default=values[key],
            invalid_value_message=_l(
                "Enter a whole number, e.g. %(default)d.", default=policy.default
            ),
            validators=[
                InputRequired(message=_l("Enter a whole number.")),
                NumberRange(
                    min=policy.minimum,
                    max=policy.maximum,
                    message=_l(
                        "Enter a number from %(min)d to %(max)d.",
                        min=policy.minimum,
                        max=policy.maximum,
                    ),
                ),
            ],
        )
        setattr(PoliciesForm, key, field)
    return PoliciesForm()


class RetryMailForm(FlaskForm):
    """One mail to put back in the queue (the failed-mails page)."""

    message_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)])


class RetryFailedForm(FlaskForm):
    """The button that puts every failed mail back in the queue: only the CSRF token."""
