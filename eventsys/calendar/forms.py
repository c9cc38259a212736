"""Forms of the calendar area: the personal feed's reminder and the staff export."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectChoice, SelectField, SelectMultipleField
from wtforms.validators import InputRequired, Optional

from eventsys.services import ical


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


class ExportForm(FlaskForm):
    first_day = DateField(
        _l("From"),
        validators=[InputRequired(message=_l("Give the first day as YYYY-MM-DD."))],
    )
    last_day = DateField(
        _l("Until (inclusive)"),
        validators=[InputRequired(message=_l("Give the last day as YYYY-MM-DD."))],
    )
    kind = SelectMultipleField(_l("Kinds of event"), validators=[Optional()])
    audience = SelectMultipleField(_l("Audiences"), validators=[Optional()])
    series = SelectField(_l("Series"), validators=[Optional()])
    campaign = SelectField(_l("Campaign"), validators=[Optional()])
    branch = SelectField(_l("Centre or branch"), validators=[Optional()])
    drafts = BooleanField(_l("Include drafts"))
    shifts = BooleanField(_l("Include volunteer shifts"))
