"""Shift times in the library's zone, and a shift described in one line."""

from datetime import UTC, date, datetime, time
from typing import Protocol

from eventsys.local_time import library_zone, range_text
from eventsys.models import Venue, VolunteerRole


class Placed(Protocol):
    """A shift, or what a volunteer knew of it before a change (``notices.Placing``)."""

    role: VolunteerRole
    venue: Venue
    starts_at: datetime
    ends_at: datetime


def local_instant(day: date, at: time) -> datetime:
    """A wall-clock time on a day in the library's zone, as a UTC instant."""
    return datetime.combine(day, at, tzinfo=library_zone()).astimezone(UTC)


def local_day(instant: datetime) -> date:
    return instant.astimezone(library_zone()).date()


def describe_shift(shift: Placed) -> str:
    """ "阅读指导 · 人民路馆 · 报告厅 · 2021年3月6日 周六 09:00–12:00" in the reader's language."""
    when = range_text(shift.starts_at, shift.ends_at)
    return f"{shift.role.localized_name} · {shift.venue} · {when}"


def minutes_between(start: datetime, end: datetime) -> int:
    return max(int((end - start).total_seconds() // 60), 0)
