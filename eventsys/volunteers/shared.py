"""What the volunteer views have in common: query arguments, the period and shift filters,
the list of centres and branches."""

from datetime import date, datetime, time, timedelta

from flask import flash, request
from flask_babel import gettext as _

from eventsys.db_types import utcnow
from eventsys.models import Branch
from eventsys.services import catalogue, shifts


def arg_date(name: str) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        flash(_("“%(value)s” is not a date like 2021-03-06; it was ignored.", value=raw), "error")
        return None


def arg_int(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def period(default_days: int = 31) -> tuple[date, date]:
    """The ``from``/``to`` filter days (inclusive), today and a month ahead by default."""
    today = shifts.local_day(utcnow())
    first = arg_date("from") or today
    last = arg_date("to") or first + timedelta(days=default_days - 1)
    if last < first:
        flash(_("The end of the period was before its start; it was ignored."), "error")
        last = first + timedelta(days=default_days - 1)
    return first, last


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    return shifts.local_instant(first, time(0)), shifts.local_instant(
        last + timedelta(days=1), time(0)
    )


def branches() -> list[Branch]:
    return catalogue.branches()


def shift_filter() -> dict:
    """The shift lists' filter from the query: ``first`` and ``last`` day, ``branch_id``,
    ``role_id`` (as the list templates name them)."""
    first, last = period()
    return {
        "first": first,
        "last": last,
        "branch_id": arg_int("branch"),
        "role_id": arg_int("role"),
    }
