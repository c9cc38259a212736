"""One rule for text that people type: what a single-line field may hold.

A title, a name or a subject ends up in a mail header and in a calendar's SUMMARY line,
where a line break is an error ("Header values may not contain linefeed") and a control
character is forbidden. Single-line fields therefore turn line breaks and tabs into one
space and lose every other control character; multi-line fields (descriptions, notes)
keep their line breaks and tabs. Every door (forms, the API, the import, the services)
uses the functions here, and so do mails and calendars for rows stored before the rule.
"""

import re

import marshmallow as ma

# Line breaks (CR, LF, Unicode line and paragraph separators) and tabs, in runs.
_BREAKS = re.compile(r"[\r\n\t\u2028\u2029]+")
# C0 and C1 control characters, and DEL.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# The same, less the line feed and tab a multi-line text keeps.
_CONTROLS_BUT_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def single_line(value):
    """``value`` on one line without control characters, trimmed; anything else unchanged."""
    if not isinstance(value, str):
        return value
    return _CONTROLS.sub("", _BREAKS.sub(" ", value)).strip()


def multi_line(value):
    """``value`` with LF line breaks and tabs, without other control characters."""
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\u2028", "\n").replace("\u2029", "\n\n")
    return _CONTROLS_BUT_LINES.sub("", value)


def has_controls(value) -> bool:
    """True if ``value`` is text that a single-line field may not hold as it is."""
    return isinstance(value, str) and bool(_BREAKS.search(value) or _CONTROLS.search(value))


class SingleLine(ma.fields.String):
    """A marshmallow string made one line (see ``single_line``) when loaded."""

    def _deserialize(self, value, attr, data, **kwargs):
        return single_line(super()._deserialize(value, attr, data, **kwargs))


class MultiLine(ma.fields.String):
    """A marshmallow string whose control characters other than line breaks are dropped."""

    def _deserialize(self, value, attr, data, **kwargs):
        return multi_line(super()._deserialize(value, attr, data, **kwargs))


# Han characters, kana and the fullwidth forms: text written in Chinese.
_CHINESE = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def has_chinese(value) -> bool:
    return bool(value) and _CHINESE.search(str(value)) is not None
