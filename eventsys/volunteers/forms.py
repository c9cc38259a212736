"""Forms of the volunteer area. Times are entered in the library's local time."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from eventsys.services.shifts import MAX_SLOTS
from eventsys.text import multi_line, single_line

ONE_LINE = [single_line]
LINES = [multi_line]

WEEKDAYS = [
    SelectChoice(0, _l("Monday")),
    SelectChoice(1, _l("Tuesday")),
    SelectChoice(2, _l("Wednesday")),
    SelectChoice(3, _l("Thursday")),
    SelectChoice(4, _l("Friday")),
    SelectChoice(5, _l("Saturday")),
    SelectChoice(6, _l("Sunday")),
]

PHONE = Regexp(r"^[0-9+\- ]+$", message=_l("Use digits, spaces, + and - only."))


class ApplicationForm(FlaskForm):
    skills = TextAreaField(
        _l("Skills and experience"), filters=LINES, validators=[Length(max=2000)]
    )
    languages = StringField(
        _l("Languages you speak"), filters=ONE_LINE, validators=[Length(max=200)], default="中文"
    )
    availability = TextAreaField(
        _l("When you are available"),
        filters=LINES,
        validators=[InputRequired(), Length(max=1000)],
    )
    emergency_name = StringField(
        _l("Emergency contact name"),
        filters=ONE_LINE,
        validators=[InputRequired(), Length(max=80)],
    )
    emergency_phone = TelField(
        _l("Emergency contact phone"), validators=[InputRequired(), Length(max=32), PHONE]
    )
    motivation = TextAreaField(
        _l("Why do you want to volunteer?"), filters=LINES, validators=[Length(max=2000)]
    )


class SignUpForm(FlaskForm):
    """Signing up for a shift; past the withdrawal cut-off the volunteer ticks ``understood``."""

    understood = BooleanField(
        _l("I understand that I will not be able to withdraw from this shift")
    )


class DecisionForm(FlaskForm):
    note = StringField(
        _l("Note to the applicant (optional)"), filters=ONE_LINE, validators=[Length(max=500)]
    )


def _slots_field():
    return IntegerField(
        _l("Slots (volunteers needed)"),
        validators=[
            InputRequired(message=_l("Enter a whole number.")),
            NumberRange(min=1, max=MAX_SLOTS, message=_l("Between 1 and %(max)s.", max=MAX_SLOTS)),
        ],
    )


class ShiftForm(FlaskForm):
    role_id = SelectField(_l("Role"), coerce=int, validators=[InputRequired()])
    venue_id = SelectField(_l("Venue"), coerce=int, validators=[InputRequired()])
    day = DateField(_l("Day"), validators=[InputRequired(message=_l("Enter a date."))])
    start_time = TimeField(_l("Starts"), validators=[InputRequired(message=_l("Enter a time."))])
    end_time = TimeField(_l("Ends"), validators=[InputRequired(message=_l("Enter a time."))])
    slots = _slots_field()
    event_id = IntegerField(
        _l("Linked event number (optional)"), validators=[Optional(), NumberRange(min=1)]
    )
    notes = TextAreaField(_l("Notes for volunteers"), filters=LINES, validators=[Length(max=2000)])


class EditShiftForm(ShiftForm):
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice("open", _l("Open")), SelectChoice("cancelled", _l("Cancelled"))],
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RepeatForm(FlaskForm):
    role_id = ShiftForm.role_id
    venue_id = ShiftForm.venue_id
    first_day = DateField(_l("First day"), validators=[InputRequired(message=_l("Enter a date."))])
    last_day = DateField(_l("Last day"), validators=[InputRequired(message=_l("Enter a date."))])
    weekdays = MultiCheckboxField(
        _l("On these weekdays"),
        coerce=int,
        choices=WEEKDAYS,
        validators=[InputRequired(message=_l("Choose at least one weekday."))],
    )
    start_time = ShiftForm.start_time
    end_time = ShiftForm.end_time
    slots = _slots_field()
    event_id = ShiftForm.event_id
    notes = ShiftForm.notes


class AssignForm(FlaskForm):
    email = EmailField(
        _l("Volunteer's email"),
        validators=[
            InputRequired(message=_l("Enter the volunteer's email address.")),
            Length(max=254),
        ],
    )
    override_reason = StringField(
        _l("Override reason (only to assign despite a clash or daily cap)"),
        filters=ONE_LINE,
        validators=[Length(max=300)],
    )


class AttendanceForm(FlaskForm):
    attendance = SelectField(
        _l("Attendance"),
        choices=[SelectChoice("attended", _l("Attended")), SelectChoice("no_show", _l("No-show"))],
    )
    actual_start = TimeField(_l("Actual start (if different)"), validators=[Optional()])
    actual_end = TimeField(_l("Actual end (if different)"), validators=[Optional()])


class RemoveForm(FlaskForm):
    reason = StringField(_l("Reason"), filters=ONE_LINE, validators=[Length(max=300)])
