"""Forms of the calendar area: the personal feed's reminder and the staff export."""

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
)
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from eventsys.db_types import utcnow
from eventsys.local_time import library_zone
from eventsys.services import feeds, ical

# The export form starts on today and the next three months, in the library's time zone.
EXPORT_DEFAULT_DAYS = 90


def alarm_choices() -> list[SelectChoice]:
    labels = {
        15: _l("15 minutes before"),
        30: _l("30 minutes before"),
        60: _l("1 hour before"),
        120: _l("2 hours before"),
        1440: _l("1 day before"),
    }
    return [SelectChoice("", _l("No reminder"))] + [
        SelectChoice(str(m), labels[m]) for m in ical.ALARM_CHOICES
    ]


class AlarmForm(FlaskForm):
    alarm = SelectField(_l("Reminder in your calendar"), validate_choice=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.alarm.choices = alarm_choices()


class CheckboxesField(SelectMultipleField):
    """Several choices as a group of checkboxes: no Ctrl or Cmd, easy to tap."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _today() -> date:
    return utcnow().astimezone(library_zone()).date()


def _in_90_days() -> date:
    return _today() + timedelta(days=EXPORT_DEFAULT_DAYS)


class ExportForm(FlaskForm):
    first_day = DateField(
        _l("From"),
        default=_today,
        validators=[InputRequired(message=_l("Choose the first day of the export."))],
    )
    last_day = DateField(
        _l("Until (inclusive)"),
        default=_in_90_days,
        validators=[InputRequired(message=_l("Choose the last day of the export."))],
    )
    kind = CheckboxesField(_l("Kinds of event"), validators=[Optional()])
    audience = CheckboxesField(_l("Audiences"), validators=[Optional()])
    series = SelectField(_l("Series"), validators=[Optional()])
    campaign = SelectField(_l("Campaign"), validators=[Optional()])
    branch = RadioField(_l("Centre or branch"), default="", validators=[Optional()])
    drafts = BooleanField(_l("Include drafts"))
    shifts = BooleanField(_l("Include volunteer shifts"))

    def validate(self, extra_validators=None) -> bool:
        """Every problem at once, the date range included (the error summary names the
        field of each)."""
        valid = super().validate(extra_validators)
        if self.first_day.data and self.last_day.data and not self.last_day.errors:
            try:
                feeds.export_request(feeds.FeedFilter(), self.first_day.data, self.last_day.data)
            except feeds.FeedError as error:
                self.last_day.errors.append(str(error))
                valid = False
        return valid
