"""Staff forms for events, series, campaigns and exhibition visitor counts."""

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
    TextAreaField,
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
from eventsys.services.events import EARLIEST, LATEST, MAX_CAPACITY, MAX_ID
from eventsys.text import multi_line, single_line

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
HOURS_RULE = Regexp(
    r"^(([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d)?$",
    message=_l("Write opening hours like 09:00-17:00, or leave empty."),
)


ONE_LINE = [single_line]
LINES = [multi_line]


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


class EventForm(FlaskForm):
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(value=k.value, label=label) for k, label in KIND_LABELS.items()],
    )
    title = StringField(
        _l("Title"),
        filters=ONE_LINE,
        validators=[InputRequired(message=_l("Give the event a title.")), Length(max=200)],
    )
    description = TextAreaField(_l("Description"), filters=LINES, validators=[Length(max=20000)])
    series_id = SelectField(_l("Series"), coerce=_optional_int, validate_choice=False)
    campaign_id = SelectField(_l("Campaign"), coerce=_optional_int, validate_choice=False)
    parent_id = SelectField(
        _l("Exhibition (for guided tours)"), coerce=_optional_int, validate_choice=False
    )
    venue_id = SelectField(_l("Venue"), coerce=_optional_int, validate_choice=False)
    starts_at = DateTimeLocalField(
        _l("Starts"),
        format=DATETIME_FORMATS,
        validators=[InputRequired(message=_l("Give the start date and time.")), _in_years],
    )
    ends_at = DateTimeLocalField(
        _l("Ends"),
        format=DATETIME_FORMATS,
        validators=[InputRequired(message=_l("Give the end date and time.")), _in_years],
    )
    online = BooleanField(_l("Online event"))
    online_url = StringField(
        _l("Online link"), filters=ONE_LINE, validators=[Optional(), Length(max=500)]
    )
    audience = SelectField(
        _l("Audience"),
        choices=[SelectChoice(value=a.value, label=label) for a, label in AUDIENCE_LABELS.items()],
    )
    capacity = IntegerField(
        _l("Capacity (seats)"),
        validators=[
            Optional(),
            NumberRange(min=0, message=_l("Capacity cannot be negative.")),
            NumberRange(
                max=MAX_CAPACITY,
                message=_l("At most %(max)s seats.", max=MAX_CAPACITY),
            ),
        ],
    )
    confirm_capacity = BooleanField(_l("I confirm the capacity above the venue's"))
    waitlist_enabled = BooleanField(_l("Waitlist when full"), default=True)
    max_party_size = IntegerField(
        _l("Maximum party size"),
        default=1,
        validators=[
            InputRequired(message=_l("A party is at least one person.")),
            NumberRange(min=1, max=50, message=_l("Between 1 and 50 people.")),
        ],
    )
    registration_opens_at = DateTimeLocalField(
        _l("Registration opens"), format=DATETIME_FORMATS, validators=[Optional(), _in_years]
    )
    registration_closes_at = DateTimeLocalField(
        _l("Registration closes"), format=DATETIME_FORMATS, validators=[Optional(), _in_years]
    )
    speaker_name = StringField(_l("Speaker name"), filters=ONE_LINE, validators=[Length(max=120)])
    speaker_title = StringField(_l("Speaker title"), filters=ONE_LINE, validators=[Length(max=200)])
    speaker_bio = TextAreaField(
        _l("Speaker biography"), filters=LINES, validators=[Length(max=5000)]
    )
    curator = StringField(
        _l("Curator (exhibitions)"), filters=ONE_LINE, validators=[Length(max=120)]
    )
    hours_mon = StringField(WEEKDAY_LABELS["mon"], validators=[HOURS_RULE])
    hours_tue = StringField(WEEKDAY_LABELS["tue"], validators=[HOURS_RULE])
    hours_wed = StringField(WEEKDAY_LABELS["wed"], validators=[HOURS_RULE])
    hours_thu = StringField(WEEKDAY_LABELS["thu"], validators=[HOURS_RULE])
    hours_fri = StringField(WEEKDAY_LABELS["fri"], validators=[HOURS_RULE])
    hours_sat = StringField(WEEKDAY_LABELS["sat"], validators=[HOURS_RULE])
    hours_sun = StringField(WEEKDAY_LABELS["sun"], validators=[HOURS_RULE])


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (shown to readers and sent to everyone registered)"),
        filters=LINES,
        validators=[
            InputRequired(message=_l("Give a reason.")),
            Length(max=500, message=_l("Keep the reason under 500 characters.")),
        ],
    )


class VisitorCountForm(FlaskForm):
    day = DateField(
        _l("Day"), validators=[InputRequired(message=_l("Give the day as YYYY-MM-DD."))]
    )
    visitors = IntegerField(
        _l("Visitors"),
        validators=[
            InputRequired(message=_l("Enter the number of visitors.")),
            NumberRange(min=0, message=_l("The number of visitors cannot be negative.")),
        ],
    )


class SeriesForm(FlaskForm):
    slug = StringField(
        _l("Short name (in the address)"), validators=[InputRequired(), Length(max=80)]
    )
    title = StringField(
        _l("Title"), filters=ONE_LINE, validators=[InputRequired(), Length(max=200)]
    )
    brand = SelectField(
        _l("Programme"),
        choices=[
            SelectChoice(value="jiangnan", label=_l("Jiangnan Culture Lecture Hall")),
            SelectChoice(value="jiangnan_window", label=_l("Window of Jiangnan Culture")),
            SelectChoice(value="", label=_l("Other")),
        ],
        validate_choice=True,
    )
    description = TextAreaField(_l("Description"), filters=LINES, validators=[Length(max=20000)])


class CampaignForm(FlaskForm):
    slug = StringField(
        _l("Short name (in the address)"), validators=[InputRequired(), Length(max=80)]
    )
    title = StringField(
        _l("Title"), filters=ONE_LINE, validators=[InputRequired(), Length(max=200)]
    )
    year = IntegerField(
        _l("Year"),
        validators=[
            InputRequired(message=_l("Give a year.")),
            NumberRange(min=1900, max=2200, message=_l("Give a year between 1900 and 2200.")),
        ],
    )
    description = TextAreaField(_l("Description"), filters=LINES, validators=[Length(max=20000)])
