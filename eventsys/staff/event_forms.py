"""Staff forms for events, series, campaigns and exhibition visitor counts.

Every message names the field and says how to put it right; the event form checks the
fields together (the end after the start) even when one of them failed on its own, so a
form shows every error in one pass.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from eventsys.events.labels import AUDIENCE_LABELS, KIND_LABELS, WEEKDAY_LABELS
from eventsys.form_fields import text_field, whole_number
from eventsys.models import EventKind
from eventsys.services.events import EARLIEST, LATEST, MAX_CAPACITY, MAX_ID, WEEKDAYS

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
HOURS_RULE = Regexp(
    r"^(([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d)?$",
    message=_l("Write opening hours like 09:00-17:00, or leave empty."),
)
MAX_PARTY = 50

# Which parts of the event form a kind uses. What a kind does not use is neither shown
# nor checked, and is saved empty.
REGISTRATION_FIELDS = (
    "capacity",
    "confirm_capacity",
    "waitlist_enabled",
    "max_party_size",
    "registration_opens_at",
    "registration_closes_at",
)
SPEAKER_FIELDS = ("speaker_name", "speaker_title", "speaker_bio")
HOURS_FIELDS = tuple(f"hours_{day}" for day in WEEKDAYS)
EXHIBITION_FIELDS = ("curator", *HOURS_FIELDS)
TOUR_FIELDS = ("parent_id",)
SPEAKER_KINDS = {
    EventKind.LECTURE,
    EventKind.READING,
    EventKind.GUIDED_TOUR,
    EventKind.STUDY_SESSION,
    EventKind.WORKSHOP,
    EventKind.OTHER,
}


def sections_for(kind: str | None) -> set[str]:
    """The sections of the event form that ``kind`` uses."""
    sections = {"what", "when", "where", "english"}
    if kind != EventKind.EXHIBITION:
        sections.add("registration")
    if kind in SPEAKER_KINDS:
        sections.add("speaker")
    if kind == EventKind.EXHIBITION:
        sections.add("exhibition")
    if kind == EventKind.GUIDED_TOUR:
        sections.add("tour")
    return sections


def unused_fields(kind: str | None) -> tuple[str, ...]:
    sections = sections_for(kind)
    unused = ()
    for section, names in (
        ("registration", REGISTRATION_FIELDS),
        ("speaker", SPEAKER_FIELDS),
        ("exhibition", EXHIBITION_FIELDS),
        ("tour", TOUR_FIELDS),
    ):
        if section not in sections:
            unused += names
    return unused


def _optional_int(value):
    if value in (None, "", "0", 0):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return -1  # never an id: the service explains it is unknown
    return number if 0 < number <= MAX_ID else -1  # a database key is never larger


def _in_years(form, field) -> None:
    """Dates beyond the years a programme can use only overflow date arithmetic."""
    if field.data is not None and not EARLIEST.year <= field.data.year <= LATEST.year:
        raise ValidationError(
            _l(
                "Give a date between the years %(first)s and %(last)s.",
                first=EARLIEST.year,
                last=LATEST.year,
            )
        )


def _when(label, *, invalid, required=None):
    """A local date-and-time field whose every message names it; ``required`` is the
    message for an empty one, None when it may be empty."""
    first = InputRequired(message=required) if required else Optional()
    return DateTimeLocalField(
        label,
        format=DATETIME_FORMATS,
        validators=[first, _in_years],
        invalid_value_message=invalid,
    )


def _time_of(value, other) -> str:
    """``value`` as the end-before-start message shows it: the time alone on the same day."""
    if other is not None and value.date() == other.date():
        return value.strftime("%H:%M")
    return value.strftime("%Y-%m-%d %H:%M")


def _title_field(required):
    """The title; ``required`` asks for it in the form's own words."""
    return text_field(
        _l("Title"),
        max_length=200,
        too_long=_l("Keep the title under 200 characters."),
        required=required,
    )


def _description_field():
    return text_field(
        _l("Description"),
        lines=True,
        max_length=20000,
        too_long=_l("Keep the description under 20000 characters."),
    )


def _english_fields():
    return (
        text_field(
            _l("English title"),
            max_length=200,
            too_long=_l("Keep the English title under 200 characters."),
        ),
        text_field(
            _l("English description"),
            lines=True,
            max_length=20000,
            too_long=_l("Keep the English description under 20000 characters."),
        ),
    )


class EventForm(FlaskForm):
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(value=k.value, label=label) for k, label in KIND_LABELS.items()],
        invalid_choice_message=_l("Choose the kind of event from the list."),
    )
    title = _title_field(_l("Give the event a title."))
    description = _description_field()
    title_en, description_en = _english_fields()
    series_id = SelectField(_l("Series"), coerce=_optional_int, validate_choice=False)
    campaign_id = SelectField(_l("Campaign"), coerce=_optional_int, validate_choice=False)
    parent_id = SelectField(_l("Exhibition"), coerce=_optional_int, validate_choice=False)
    venue_id = SelectField(_l("Venue"), coerce=_optional_int, validate_choice=False)
    starts_at = _when(
        _l("Starts"),
        invalid=_l("Write the start like 2026-11-29 14:00."),
        required=_l("Give the start date and time."),
    )
    ends_at = _when(
        _l("Ends"),
        invalid=_l("Write the end like 2026-11-29 16:00."),
        required=_l("Give the end date and time."),
    )
    online = BooleanField(_l("Online event"))
    online_url = text_field(
        _l("Online link"),
        max_length=500,
        too_long=_l("Keep the online link under 500 characters."),
    )
    audience = SelectField(
        _l("Audience"),
        choices=[SelectChoice(value=a.value, label=label) for a, label in AUDIENCE_LABELS.items()],
        invalid_choice_message=_l("Choose the audience from the list."),
    )
    capacity = whole_number(
        _l("Capacity (seats)"),
        invalid=_l("Write the capacity as a whole number of seats, e.g. 80, or leave it empty."),
        limits=[
            NumberRange(min=0, message=_l("Capacity cannot be negative.")),
            NumberRange(max=MAX_CAPACITY, message=_l("At most %(max)s seats.", max=MAX_CAPACITY)),
        ],
    )
    confirm_capacity = BooleanField(_l("I confirm the capacity above the venue's"))
    waitlist_enabled = BooleanField(_l("Waitlist when full"), default=True)
    max_party_size = whole_number(
        _l("People per registration (at most)"),
        default=1,
        invalid=_l("Write the number of people per registration as a whole number, e.g. 2."),
        required=_l("Say how many people one registration may bring, e.g. 1."),
        limits=[
            NumberRange(
                min=1,
                max=MAX_PARTY,
                message=_l("Between 1 and %(max)s people per registration.", max=MAX_PARTY),
            )
        ],
    )
    registration_opens_at = _when(
        _l("Registration opens"),
        invalid=_l("Write the opening of registration like 2026-11-20 09:00."),
    )
    registration_closes_at = _when(
        _l("Registration closes"),
        invalid=_l("Write the close of registration like 2026-11-29 12:00."),
    )
    speaker_name = text_field(
        _l("Speaker name"),
        max_length=120,
        too_long=_l("Keep the speaker's name under 120 characters."),
    )
    speaker_title = text_field(
        _l("Speaker title"),
        max_length=200,
        too_long=_l("Keep the speaker's title under 200 characters."),
    )
    speaker_bio = text_field(
        _l("Speaker biography"),
        lines=True,
        max_length=5000,
        too_long=_l("Keep the biography under 5000 characters."),
    )
    curator = text_field(
        _l("Curator"),
        max_length=120,
        too_long=_l("Keep the curator's name under 120 characters."),
    )
    hours_mon = StringField(WEEKDAY_LABELS["mon"], validators=[HOURS_RULE])
    hours_tue = StringField(WEEKDAY_LABELS["tue"], validators=[HOURS_RULE])
    hours_wed = StringField(WEEKDAY_LABELS["wed"], validators=[HOURS_RULE])
    hours_thu = StringField(WEEKDAY_LABELS["thu"], validators=[HOURS_RULE])
    hours_fri = StringField(WEEKDAY_LABELS["fri"], validators=[HOURS_RULE])
    hours_sat = StringField(WEEKDAY_LABELS["sat"], validators=[HOURS_RULE])
    hours_sun = StringField(WEEKDAY_LABELS["sun"], validators=[HOURS_RULE])

    def validate(self, extra_validators=None) -> bool:
        """Every field's checks, then the checks across fields, whatever failed before;
        a field the kind does not use is not checked."""
        super().validate(extra_validators)
        for name in unused_fields(self.kind.data):
            self[name].errors = []
        starts, ends = self.starts_at.data, self.ends_at.data
        if starts is not None and ends is not None and ends <= starts and not self.ends_at.errors:
            self.ends_at.errors.append(
                _l(
                    "The event must end after it starts (%(start)s): check the end date and time.",
                    start=_time_of(starts, ends),
                )
            )
        return not self.errors


class CancelForm(FlaskForm):
    reason = text_field(
        _l("Reason (shown to readers and sent to everyone registered)"),
        lines=True,
        max_length=500,
        too_long=_l("Keep the reason under 500 characters."),
        required=_l("Give the reason for cancelling; readers will see it."),
    )


class VisitorCountForm(FlaskForm):
    day = DateField(
        _l("Day"),
        invalid_value_message=_l("Write the day like 2026-11-29."),
        validators=[InputRequired(message=_l("Give the day, like 2026-11-29."))],
    )
    visitors = whole_number(
        _l("Visitors"),
        invalid=_l("Write the number of visitors as a whole number, e.g. 320."),
        required=_l("Enter the number of visitors."),
        limits=[NumberRange(min=0, message=_l("The number of visitors cannot be negative."))],
    )


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _slug_field():
    return StringField(
        _l("Short name (in the address)"),
        filters=[_strip],
        validators=[
            InputRequired(message=_l("Give a short name for the address, e.g. jiangnan-2026.")),
            Length(max=80, message=_l("Keep the short name under 80 characters.")),
        ],
    )


class SeriesForm(FlaskForm):
    slug = _slug_field()
    title = _title_field(_l("Give the series a title."))
    brand = SelectField(
        _l("Programme"),
        choices=[
            SelectChoice(value="jiangnan", label=_l("Jiangnan Culture Lecture Hall")),
            SelectChoice(value="jiangnan_window", label=_l("Window of Jiangnan Culture")),
            SelectChoice(value="", label=_l("Other")),
        ],
        validate_choice=True,
        invalid_choice_message=_l("Choose the programme from the list."),
    )
    description = _description_field()
    title_en, description_en = _english_fields()


class CampaignForm(FlaskForm):
    slug = _slug_field()
    title = _title_field(_l("Give the campaign a title."))
    year = IntegerField(
        _l("Year"),
        invalid_value_message=_l("Write the year with four digits, e.g. 2026."),
        validators=[
            InputRequired(message=_l("Give the campaign's year, e.g. 2026.")),
            NumberRange(min=1900, max=2200, message=_l("Give a year between 1900 and 2200.")),
        ],
    )
    description = _description_field()
    title_en, description_en = _english_fields()
