"""The library's time zone, and the one way each language writes a date and a time.

Chinese: ``2026年11月29日 周日 14:00``; English: ``Sun 29 Nov 2026, 14:00``. Pages, mails,
calendar descriptions and CSV files for people all write dates through these functions,
in the language being made now (a page's, or a mail's under ``force_locale``).
"""

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from flask import current_app
from flask_babel import get_locale

from eventsys.i18n import in_english

# Babel's locale data gives the weekday and month names; the order is the library's own.
_DATE_PATTERNS = {"zh": "y年M月d日 EEE", "en": "EEE d MMM y"}
_DATE_TIME_JOIN = {"zh": "{date} {time}", "en": "{date}, {time}"}
_CLOCK = "%H:%M"  # the 24-hour clock in both languages, as on the library's notices
_DASH = "–"


def library_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["EVENTSYS_TIMEZONE"])


def to_local(instant: datetime) -> datetime:
    """An instant on the library's wall clock; a naive value is taken as UTC."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(library_zone())


def _language() -> str:
    return "en" if in_english() else "zh"


def _locale() -> Locale:
    try:
        locale = get_locale()
    except RuntimeError:  # outside an application context
        locale = None
    return locale or Locale.parse("zh_Hans")


def date_text(value: date | datetime) -> str:
    """``2026年11月29日 周日`` / ``Sun 29 Nov 2026``; an instant's day in the library's zone."""
    day = to_local(value).date() if isinstance(value, datetime) else value
    return _day_text(day, _language(), _locale())


@lru_cache(maxsize=4096)
def _day_text(day: date, language: str, locale: Locale) -> str:
    """Babel's formatting is most of a card's cost, and a list shows the same few weeks of
    days to every reader: each day is written once per language and worker."""
    return format_date(day, _DATE_PATTERNS[language], locale=locale)


def time_text(instant: datetime) -> str:
    return to_local(instant).strftime(_CLOCK)


def datetime_text(instant: datetime) -> str:
    """``2026年11月29日 周日 14:00`` / ``Sun 29 Nov 2026, 14:00``."""
    return _DATE_TIME_JOIN[_language()].format(date=date_text(instant), time=time_text(instant))


def range_text(starts_at: datetime, ends_at: datetime) -> str:
    """``2026年11月29日 周日 14:00–16:00`` on one day; both full ends across days."""
    if to_local(starts_at).date() == to_local(ends_at).date():
        return f"{datetime_text(starts_at)}{_DASH}{time_text(ends_at)}"
    return f"{datetime_text(starts_at)} {_DASH} {datetime_text(ends_at)}"


def pattern_text(value: date | datetime, pattern: str) -> str:
    """An explicit CLDR pattern, in the library's zone and the current language."""
    if isinstance(value, datetime):
        return format_datetime(to_local(value), pattern, locale=_locale())
    return format_date(value, pattern, locale=_locale())
