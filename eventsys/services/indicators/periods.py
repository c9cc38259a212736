"""Reporting periods: a year, a quarter, a month or a range of days, as local dates and the
UTC instants that bound them."""

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from eventsys.config import DEFAULTS
from eventsys.local_time import library_zone
from eventsys.services.indicators.errors import IndicatorError


@dataclass(frozen=True)
class Period:
    """A span of local dates ``[first_day, end_day)`` and the UTC instants bounding it."""

    key: str  # "2021", "2021-Q2", "2021-05", "2021-01-01..2021-03-31"
    first_day: date
    end_day: date  # exclusive
    start: datetime  # UTC
    end: datetime  # UTC, exclusive

    @property
    def last_day(self) -> date:
        return self.end_day - timedelta(days=1)

    @property
    def year(self) -> int:
        return self.first_day.year


MIN_YEAR, MAX_YEAR = 1900, 2200


def _zone() -> ZoneInfo:
    try:
        return library_zone()
    except RuntimeError:  # outside an app (scripts): the default zone
        return ZoneInfo(DEFAULTS["EVENTSYS_TIMEZONE"])


def _period(key: str, first_day: date, end_day: date) -> Period:
    zone = _zone()

    def instant(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)

    return Period(key, first_day, end_day, instant(first_day), instant(end_day))


def check_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise IndicatorError(_("The year must be a number such as 2021.")) from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise IndicatorError(
            _("The year must be between %(min)s and %(max)s.", min=MIN_YEAR, max=MAX_YEAR)
        )
    return year


def year_period(year) -> Period:
    year = check_year(year)
    return _period(str(year), date(year, 1, 1), date(year + 1, 1, 1))


def quarter_period(year, quarter: int) -> Period:
    year = check_year(year)
    if quarter not in (1, 2, 3, 4):
        raise IndicatorError(_("A quarter is 1, 2, 3 or 4."))
    first = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return _period(f"{year}-Q{quarter}", first, end)


def month_period(year, month: int) -> Period:
    year = check_year(year)
    if not 1 <= month <= 12:
        raise IndicatorError(_("A month is a number from 1 to 12."))
    days = calendar.monthrange(year, month)[1]
    first = date(year, month, 1)
    return _period(f"{year}-{month:02d}", first, first + timedelta(days=days))


def custom_period(first_day: date, last_day: date) -> Period:
    """From ``first_day`` to ``last_day``, both included."""
    if last_day < first_day:
        raise IndicatorError(_("The end of the range is before its start."))
    check_year(first_day.year)
    check_year(last_day.year)
    return _period(
        f"{first_day.isoformat()}..{last_day.isoformat()}",
        first_day,
        last_day + timedelta(days=1),
    )


_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


def parse_period(text: str | None) -> Period:
    """``2021``, ``2021-Q2``, ``2021-05`` or ``2021-01-01..2021-03-31`` (both days included)."""
    text = (text or "").strip()
    if match := _YEAR.match(text):
        return year_period(match[1])
    if match := _QUARTER.match(text):
        return quarter_period(match[1], int(match[2]))
    if match := _MONTH.match(text):
        return month_period(match[1], int(match[2]))
    if match := _RANGE.match(text):
        try:
            first, last = date.fromisoformat(match[1]), date.fromisoformat(match[2])
        except ValueError:
            raise IndicatorError(_("%(text)s is not a real date range.", text=text)) from None
        return custom_period(first, last)
    raise IndicatorError(
        _(
            "Unknown period %(text)s. Use a year (2021), a quarter (2021-Q2), a month "
            "(2021-05) or a range (2021-01-01..2021-03-31).",
            text=text or '""',
        )
    )
