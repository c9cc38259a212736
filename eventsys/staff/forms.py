"""Forms of the staff desk: branches and venues."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FloatField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from eventsys.models import BranchKind, VenueKind
from eventsys.text import single_line


def choices_from(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value=str(value), label=label) for value, label in labels.items()]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


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
            InputRequired(),
            Length(max=40),
            Regexp(
                r"^[a-z0-9][a-z0-9-]*$",
                message=_l("Use lower-case letters, digits and hyphens only."),
            ),
        ],
    )
    name = StringField(
        _l("Name"), filters=[single_line], validators=[InputRequired(), Length(max=120)]
    )
    name_en = StringField(
        _l("Name in English"), filters=[single_line], validators=[Optional(), Length(max=120)]
    )
    kind = SelectField(_l("Kind"), choices=choices_from(BRANCH_KIND_LABELS))
    address = StringField(
        _l("Address"), filters=[single_line], validators=[Optional(), Length(max=255)]
    )


class VenueForm(FlaskForm):
    branch_id = SelectField(
        _l("Branch"),
        coerce=int,
        invalid_value_message=_l("Choose a branch from the list."),
        invalid_choice_message=_l("Choose a branch from the list."),
    )
    name = StringField(
        _l("Name"), filters=[single_line], validators=[InputRequired(), Length(max=120)]
    )
    name_en = StringField(
        _l("Name in English"), filters=[single_line], validators=[Optional(), Length(max=120)]
    )
    kind = SelectField(_l("Kind"), choices=choices_from(VENUE_KIND_LABELS))
    address = StringField(
        _l("Address (if not the branch's)"),
        filters=[single_line],
        validators=[Optional(), Length(max=255)],
    )
    capacity = IntegerField(
        _l("Capacity (seats)"),
        validators=[
            InputRequired(),
            NumberRange(min=0, max=100_000, message=_l("Enter a number from 0 to 100000.")),
        ],
    )
    latitude = FloatField(
        _l("Latitude (optional)"),
        validators=[
            Optional(),
            NumberRange(min=-90, max=90, message=_l("Latitude lies between -90 and 90.")),
        ],
    )
    longitude = FloatField(
        _l("Longitude (optional)"),
        validators=[
            Optional(),
            NumberRange(min=-180, max=180, message=_l("Longitude lies between -180 and 180.")),
        ],
    )
