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
from wtforms.validators import (
    AnyOf,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from eventsys.form_fields import text_field
from eventsys.models.registrations import ACCESS_NEEDS
from eventsys.services.registrations import MAX_CAPACITY, MAX_NOTE_LENGTH, NEED_LABELS
from eventsys.text import multi_line


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class RegisterForm(FlaskForm):
    """``max_party_size`` is the event's: the form checks the party against it."""

    party_size = IntegerField(
        _l("Number of people (you included)"),
        default=1,
        invalid_value_message=_l("Write the number of people as a whole number, e.g. 2."),
        validators=[InputRequired(message=_l("Say how many people come, e.g. 1."))],
    )
    needs = CheckboxesField(
        _l("Accessibility needs"),
        choices=[SelectChoice(value=n, label=NEED_LABELS[n]) for n in ACCESS_NEEDS],
        validate_choice=False,  # validate_needs says which fix is needed
    )
    needs_note = TextAreaField(
        _l("Anything we should know (optional)"),
        filters=[multi_line],
        validators=[
            Optional(),
            Length(
                max=MAX_NOTE_LENGTH,
                message=_l("Keep the note under %(max)s characters.", max=MAX_NOTE_LENGTH),
            ),
        ],
    )

    def __init__(self, *args, max_party_size: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_party_size = max_party_size

    def validate_party_size(self, field) -> None:
        if field.data is not None and not 1 <= field.data <= self.max_party_size:
            raise ValidationError(party_size_message(self.max_party_size))

    def validate_needs(self, field) -> None:
        if set(field.data or ()) - set(ACCESS_NEEDS):
            raise ValidationError(_l("Choose accessibility needs from the list."))


def party_size_message(max_party_size: int) -> str:
    if max_party_size == 1:
        return _l("Only one person can come per registration for this event.")
    return _l("A party for this event has between 1 and %(max)s people.", max=max_party_size)


class StaffRegisterForm(RegisterForm):
    user_id = HiddenField(validators=[InputRequired()])


class ReaderSearchForm(FlaskForm):
    class Meta:
        csrf = False

    reader = text_field(
        _l("Reader's email, card number or phone"),
        max_length=254,
        too_long=_l("Search for at most 254 characters."),
        required=_l("Give the reader's email, card number or phone."),
    )


class CapacityForm(FlaskForm):
    capacity = IntegerField(
        _l("Seats"),
        invalid_value_message=_l("Write the number of seats as a whole number, e.g. 80."),
        validators=[
            InputRequired(message=_l("Write the number of seats, e.g. 80.")),
            NumberRange(
                min=0,
                max=MAX_CAPACITY,
                message=_l("Write a number of seats from 0 to %(max)s.", max=MAX_CAPACITY),
            ),
        ],
    )


class CheckInForm(FlaskForm):
    code = StringField(
        _l("Scan or type the check-in code"),
        validators=[
            InputRequired(message=_l("Scan a QR code or type its code.")),
            Length(max=64, message=_l("Unknown code: no registration has this code.")),
        ],
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
