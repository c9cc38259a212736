"""Forms of the indicators area."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from eventsys.models import IndicatorCode, Library
from eventsys.services.indicators import INDICATOR_LABELS, LIBRARY_LABELS


class ValueForm(FlaskForm):
    year = IntegerField(
        _l("Year"),
        validators=[
            InputRequired(message=_l("Enter a year such as 2021.")),
            NumberRange(1900, 2200, message=_l("Enter a year between 1900 and 2200.")),
        ],
    )
    code = SelectField(
        _l("Indicator"), choices=[SelectChoice(c.value, INDICATOR_LABELS[c]) for c in IndicatorCode]
    )
    library = SelectField(
        _l("Library"), choices=[SelectChoice(lib.value, LIBRARY_LABELS[lib]) for lib in Library]
    )
    # Text, not a number field: the service gives one clear message for anything not a number.
    value = StringField(
        _l("Value"),
        validators=[
            InputRequired(message=_l("Enter a number, such as 1234.5.")),
            Length(max=30, message=_l("This number is too large.")),
        ],
    )
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=20)])
    source = StringField(
        _l("Source"),
        validators=[
            InputRequired(message=_l("Name the source, such as the library’s annual report.")),
            Length(max=300, message=_l("Keep the source under 300 characters.")),
        ],
    )
    source_url = StringField(
        _l("Source link"),
        validators=[
            Optional(),
            Length(max=500, message=_l("The source link is too long (500 characters at most).")),
            Regexp(
                r"(?i)^https?://[^\s/]+",
                message=_l(
                    "The source link must be a web address starting with http:// or https://."
                ),
            ),
        ],
    )


class LockForm(FlaskForm):
    """CSRF only: the year is in the address."""
