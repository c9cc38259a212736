"""Forms of the staff desk: branches and venues."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FloatField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from eventsys.form_fields import text_field, whole_number
from eventsys.models import BranchKind, VenueKind


def choices_from(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value=str(value), label=label) for value, label in labels.items()]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _name_fields(required):
    """The name, which ``required`` asks for in the form's words, and the English name."""
    return (
        text_field(
            _l("Name"),
            max_length=120,
            too_long=_l("Keep the name under 120 characters."),
            required=required,
        ),
        text_field(
            _l("Name in English"),
            max_length=120,
            too_long=_l("Keep the English name under 120 characters."),
        ),
    )


def _address_field(label):
    return text_field(label, max_length=255, too_long=_l("Keep the address under 255 characters."))


BRANCH_KIND_LABELS = {
    BranchKind.CENTRE: _l("Centre"),
    BranchKind.BRANCH: _l("Branch"),
}
VENUE_KIND_LABELS = {
    VenueKind.LECTURE_HALL: _l("Lecture hall"),
    VenueKind.GALLERY: _l("Gallery"),
    VenueKind.ACTIVITY_ROOM: _l("Activity room"),
    VenueKind.OTHER: _l("Other"),
}


class BranchForm(FlaskForm):
    code = StringField(
        _l("Code"),
        filters=[_strip],
        validators=[
            InputRequired(message=_l("Give the branch a short code, e.g. renmin-road.")),
            Length(max=40, message=_l("Keep the code under 40 characters.")),
            Regexp(
                r"^[a-z0-9][a-z0-9-]*$",
                message=_l("Use lower-case letters, digits and hyphens only."),
            ),
        ],
    )
    name, name_en = _name_fields(_l("Give the branch a name."))
    kind = SelectField(
        _l("Kind"),
        choices=choices_from(BRANCH_KIND_LABELS),
        invalid_choice_message=_l("Choose the kind of branch from the list."),
    )
    address = _address_field(_l("Address"))


class VenueForm(FlaskForm):
    branch_id = SelectField(
        _l("Branch"),
        coerce=int,
        invalid_value_message=_l("Choose a branch from the list."),
        invalid_choice_message=_l("Choose a branch from the list."),
    )
    name, name_en = _name_fields(_l("Give the venue a name."))
    kind = SelectField(
        _l("Kind"),
        choices=choices_from(VENUE_KIND_LABELS),
        invalid_choice_message=_l("Choose the kind of venue from the list."),
    )
    address = _address_field(_l("Address (if not the branch's)"))
    capacity = whole_number(
        _l("Capacity (seats)"),
        invalid=_l("Write the capacity as a whole number of places, e.g. 80."),
        required=_l("Give the number of seats or places, e.g. 80."),
        limits=[NumberRange(min=0, max=100_000, message=_l("Enter a number from 0 to 100000."))],
    )
    latitude = FloatField(
        _l("Latitude (optional)"),
        invalid_value_message=_l("Write the latitude as a decimal number, e.g. 31.30."),
        validators=[
            Optional(),
            NumberRange(min=-90, max=90, message=_l("Latitude lies between -90 and 90.")),
        ],
    )
    longitude = FloatField(
        _l("Longitude (optional)"),
        invalid_value_message=_l("Write the longitude as a decimal number, e.g. 120.62."),
        validators=[
            Optional(),
            NumberRange(min=-180, max=180, message=_l("Longitude lies between -180 and 180.")),
        ],
    )

    def validate(self, extra_validators=None) -> bool:
        """The fields' checks, then the pair of coordinates, so both show in one pass."""
        super().validate(extra_validators)
        one_given = (self.latitude.data is None) != (self.longitude.data is None)
        if one_given and not (self.latitude.errors or self.longitude.errors):
            self.latitude.errors.append(_l("Give both latitude and longitude, or neither."))
        return not self.errors
