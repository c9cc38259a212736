"""What the public list, month and detail pages of every kind share."""

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import abort, redirect, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from eventsys.db_types import utcnow
from eventsys.events import cards  # noqa: F401  (the cards' template function)
from eventsys.i18n import in_english
from eventsys.local_time import library_zone
from eventsys.models import Event, EventKind
from eventsys.services import catalogue, visibility
from eventsys.services.links import event_endpoint, event_url

_MONTH_ARG = re.compile(r"(\d{4})-(\d{2})")
# Months a reader can page to; outside them "previous" and "next" would leave the calendar.
_FIRST_YEAR, _LAST_YEAR = 1900, 2999
# More than this in one month is a catalogue error, not a programme; the page stays light.
MAX_MONTH_EVENTS = 1000
# Filters the month view and the list share (the list adds dates, the month view a month).
_KEPT_FILTERS = ("q", "branch", "audience", "kind", "series", "campaign")


def render_list(template: str, *, extra=(), upcoming: bool = True, **context):
    """A filtered, searched, paginated list; bad filters are explained with a 400."""
    filters = catalogue.parse_filters(request.args)
    page = catalogue.search(
        filters, page=request.args.get("page", 1, type=int), extra=extra, upcoming=upcoming
    )
    body = render_template(
        template,
        page=page,
        events=page.items,
        filters=filters,
        branches=catalogue.branches(),
        upcoming_only=upcoming and not filters.has_dates,
        **context,
    )
    return body, 400 if filters.errors else 200


def render_detail(event_id: int, endpoint: str, template: str, **context):
    """A public event page; drafts exist only for staff, and each event has one address."""
    event = catalogue.event_with_relations(event_id)
    if event is None or not visibility.may_see(event, current_user):
        abort(404)
    if event_endpoint(event) != endpoint:
        return redirect(event_url(event), 301)
    tours = []
    if event.kind == EventKind.EXHIBITION:
        tours = catalogue.tours_of(event, drafts=visibility.sees_drafts(current_user))
    return render_template(template, event=event, tours=tours, **context)


@dataclass
class MonthDay:
    day: date
    in_month: bool
    is_today: bool
    events: list[Event] = field(default_factory=list)


@dataclass
class Month:
    """A month of public events on a grid of Monday-to-Sunday weeks, in local time.

    Events over more than a day (exhibitions) are listed once in ``running`` rather than
    repeated in every cell they cover."""

    first: date
    weeks: list[list[MonthDay]]
    running: list[Event]

    @property
    def last(self) -> date:
        return last_day(self.first)

    @property
    def previous(self) -> date | None:
        prev = (self.first - timedelta(days=1)).replace(day=1)
        return prev if prev.year >= _FIRST_YEAR else None

    @property
    def next(self) -> date | None:
        nxt = (self.first + timedelta(days=31)).replace(day=1)
        return nxt if nxt.year <= _LAST_YEAR else None

    @property
    def agenda(self) -> list[MonthDay]:
        return [d for week in self.weeks for d in week if d.in_month and d.events]


def this_month() -> date:
    return utcnow().astimezone(library_zone()).date().replace(day=1)


def parse_month(raw: str) -> date | None:
    """``2026-12`` as the first of that month; None when it is not a month we show."""
    match = _MONTH_ARG.fullmatch(raw.strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (_FIRST_YEAR <= year <= _LAST_YEAR and 1 <= month <= 12):
        return None
    return date(year, month, 1)


def last_day(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def runs_over_days(event: Event) -> bool:
    return event.kind == EventKind.EXHIBITION or event.ends_at - event.starts_at >= timedelta(
        days=1
    )


def build_month(first: date, filters: catalogue.Filters) -> Month:
    """The month's published and cancelled events matching ``filters`` (never drafts)."""
    zone = library_zone()
    filters.date_from, filters.date_to = first, last_day(first)
    events = catalogue.published_between(filters, limit=MAX_MONTH_EVENTS)
    today = utcnow().astimezone(zone).date()
    weeks = [
        [MonthDay(day, day.month == first.month, day == today) for day in week]
        for week in calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(
            first.year, first.month
        )
    ]
    cells = {d.day: d for week in weeks for d in week}
    running = []
    for event in events:
        if runs_over_days(event):
            running.append(event)
            continue
        cell = cells.get(event.starts_at.astimezone(zone).date())
        if cell is not None:
            cell.events.append(event)
    return Month(first=first, weeks=weeks, running=running)


def month_title(first: date) -> str:
    return format_date(first, "MMMM y" if in_english() else "y年M月")


def render_month(template: str):
    """A month of events; a bad month or filter is explained with a 400 on this month."""
    filters = catalogue.parse_filters(request.args)
    for name in ("date_from", "date_to"):  # the month sets the dates
        filters.errors.pop(name, None)
    raw = request.args.get("month", "")
    first = parse_month(raw) if raw else this_month()
    if first is None:
        filters.errors["month"] = _(
            "Choose a month as YYYY-MM, e.g. 2026-12. Showing this month instead."
        )
        first = this_month()
    month = build_month(first, filters)
    list_args = {key: request.args[key][:200] for key in _KEPT_FILTERS if request.args.get(key)}
    list_args |= {"date_from": first.isoformat(), "date_to": month.last.isoformat()}
    body = render_template(
        template,
        month=month,
        title=month_title(first),
        is_this_month=first == this_month(),
        list_args=list_args,
        filters=filters,
        branches=catalogue.branches(),
    )
    return body, 400 if filters.errors else 200
