"""Forms of the registrations area."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional

from eventsys.models.registrations import ACCESS_NEEDS
from eventsys.services.registrations import MAX_CAPACITY, MAX_NOTE_LENGTH, NEED_LABELS
from eventsys.text import multi_line, single_line


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class RegisterForm(FlaskForm):
    party_size = IntegerField(
        _l("Number of people (you included)"),
        default=1,
        validators=[InputRequired(message=_l("Say how many people come, e.g. 1."))],
    )
    needs = CheckboxesField(
        _l("Accessibility needs"),
        choices=[SelectChoice(value=n, label=NEED_LABELS[n]) for n in ACCESS_NEEDS],
        validate_choice=False,  # the service refuses unknown values with a clear message
    )
    needs_note = TextAreaField(
        _l("Anything we should know (optional)"),
        filters=[multi_line],
        validators=[Optional(), Length(max=MAX_NOTE_LENGTH)],
    )


class StaffRegisterForm(RegisterForm):
    user_id = HiddenField(validators=[InputRequired()])


class ReaderSearchForm(FlaskForm):
    class Meta:
        csrf = False

    reader = StringField(
        _l("Reader's email, card number or phone"),
        filters=[single_line],
        validators=[InputRequired(), Length(max=254)],
    )


class CapacityForm(FlaskForm):
    capacity = IntegerField(
        _l("Seats"),
        validators=[
            InputRequired(message=_l("Enter a whole number.")),
            NumberRange(min=0, max=MAX_CAPACITY),
        ],
    )


class CheckInForm(FlaskForm):
    code = StringField(
        _l("Scan or type the check-in code"),
        validators=[InputRequired(message=_l("Scan a QR code or type its code.")), Length(max=64)],
    )


class WalkInForm(FlaskForm):
    delta = IntegerField(
        _l("Walk-ins to add (or remove, with a minus)"), validators=[InputRequired()]
    )
    over_capacity = BooleanField(_l("They are really there, although the room is full"))


class UndoNoShowForm(FlaskForm):
    outcome = HiddenField(validators=[AnyOf(("attended", "excused"))])


class ConfirmForm(FlaskForm):
    """A button's form: only the CSRF token."""
