"""Fields the forms share. Each one cleans what is typed and says in its own words what is
wrong and how to put it right, so every form refuses the same way."""

from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from eventsys.text import multi_line, single_line


def text_field(label, *, max_length: int, too_long, required=None, lines: bool = False):
    """One line of text (``lines``: several), at most ``max_length`` characters;
    ``required`` is the message for an empty field, None when it may stay empty."""
    first = InputRequired(message=required) if required else Optional()
    return (TextAreaField if lines else StringField)(
        label,
        filters=[multi_line if lines else single_line],
        validators=[first, Length(max=max_length, message=too_long)],
    )


def whole_number(label, *, invalid, limits, required=None, default=None):
    """A whole number; ``invalid`` answers text that is not one, ``limits`` is a list of
    ``NumberRange`` rules, ``required`` the message for an empty field (None: optional)."""
    first = InputRequired(message=required) if required else Optional()
    return IntegerField(
        label, default=default, invalid_value_message=invalid, validators=[first, *limits]
    )
