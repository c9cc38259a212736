"""Forms of the indicators area."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

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
    value = StringField(_l("Value"), validators=[InputRequired(), Length(max=30)])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=20)])
    source = StringField(_l("Source"), validators=[InputRequired(), Length(max=300)])


class LockForm(FlaskForm):
    """CSRF only: the year is in the address."""
