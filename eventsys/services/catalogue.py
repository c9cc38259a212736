"""The public catalogue query: filters, search and pagination over events.

Every page is one SELECT for the events (with venue, branch, series and campaign joined
in) plus one COUNT, whatever the page's length.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.local_time import library_zone
from eventsys.models import (
    Audience,
    Branch,
    Campaign,
    Event,
    EventKind,
    EventStatus,
    Series,
    Venue,
)

MAX_QUERY_LENGTH = 100
PER_PAGE = 20
MAX_PAGE = 100_000
PUBLIC_STATUSES = (EventStatus.PUBLISHED.value, EventStatus.CANCELLED.value)


@dataclass
class Filters:
    date_from: date | None = None
    date_to: date | None = None
    branch_id: int | None = None
    audience: str | None = None
    kind: str | None = None
    series_id: int | None = None
    campaign_id: int | None = None
    status: str | None = None
    q: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def has_dates(self) -> bool:
        return self.date_from is not None or self.date_to is not None


def _parse_date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _parse_int(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def parse_filters(args, *, staff: bool = False) -> Filters:
    """Filters from query arguments; a bad one is dropped and explained in ``errors``."""
    filters = Filters()
    errors = filters.errors
    for name in ("date_from", "date_to"):
        raw = (args.get(name) or "").strip()
        if raw:
            value = _parse_date(raw)
            if value is None:
                errors[name] = _("Write the date as YYYY-MM-DD, e.g. 2021-06-30.")
            setattr(filters, name, value)
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        errors["date_to"] = _("The end of the date range is before its start.")
        filters.date_to = None
    for name, label in (
        ("branch", "branch_id"),
        ("series", "series_id"),
        ("campaign", "campaign_id"),
    ):
        raw = (args.get(name) or "").strip()
        if raw:
            value = _parse_int(raw)
            if value is None:
                errors[name] = _("Choose from the list.")
            setattr(filters, label, value)
    audience = (args.get("audience") or "").strip()
    if audience:
        if audience in {a.value for a in Audience}:
            filters.audience = audience
        else:
            errors["audience"] = _("Choose an audience from the list.")
    kind = (args.get("kind") or "").strip()
    if kind:
        if kind in {k.value for k in EventKind}:
            filters.kind = kind
        else:
            errors["kind"] = _("Choose a kind of event from the list.")
    status = (args.get("status") or "").strip()
    if status and staff:
        if status in {s.value for s in EventStatus}:
            filters.status = status
        else:
            errors["status"] = _("Choose a status from the list.")
    q = " ".join((args.get("q") or "").split())
    if len(q) > MAX_QUERY_LENGTH:
        errors["q"] = _(
            "Search for at most %(max)s characters; yours has %(length)s.",
            max=MAX_QUERY_LENGTH,
            length=len(q),
        )
        q = ""
    filters.q = q
    return filters


def day_start(day: date) -> datetime:
    """Local midnight at the start of ``day`` as a UTC instant."""
    return datetime.combine(day, time.min, tzinfo=library_zone()).astimezone(UTC)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def conditions(filters: Filters, *, public: bool = True, upcoming: bool = False) -> list:
    """WHERE clauses for ``filters``; date ranges match events overlapping them."""
    where = []
    if public:
        where.append(Event.status.in_(PUBLIC_STATUSES))
    elif filters.status:
        where.append(Event.status == filters.status)
    if filters.date_from:
        where.append(Event.ends_at > day_start(filters.date_from))
    if filters.date_to:
        where.append(Event.starts_at < day_start(filters.date_to + timedelta(days=1)))
    if upcoming and not filters.has_dates:
        where.append(Event.ends_at > utcnow())
    if filters.branch_id is not None:
        where.append(
            Event.venue_id.in_(sa.select(Venue.id).where(Venue.branch_id == filters.branch_id))
        )
    if filters.audience:
        where.append(Event.audience == filters.audience)
    if filters.kind:
        where.append(Event.kind == filters.kind)
    if filters.series_id is not None:
        where.append(Event.series_id == filters.series_id)
    if filters.campaign_id is not None:
        where.append(Event.campaign_id == filters.campaign_id)
    if filters.q:
        pattern = f"%{_escape_like(filters.q)}%"
        where.append(
            sa.or_(
                Event.title.ilike(pattern, escape="\\"),
                Event.title_en.ilike(pattern, escape="\\"),
                Event.speaker_name.ilike(pattern, escape="\\"),
                Event.description.ilike(pattern, escape="\\"),
                Event.description_en.ilike(pattern, escape="\\"),
            )
        )
    return where


def with_relations(query):
    """Load what a list shows in the same statement, so a page's statements are fixed."""
    return query.options(
        joinedload(Event.venue).joinedload(Venue.branch),
        joinedload(Event.series),
        joinedload(Event.campaign),
    )


def search(
    filters: Filters,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
    public: bool = True,
    upcoming: bool = False,
    extra: tuple = (),
    newest_first: bool = False,
):
    """One page of matching events ordered by start; past the end gives the last page."""
    query = sa.select(Event).where(*conditions(filters, public=public, upcoming=upcoming), *extra)
    order = (
        (Event.starts_at.desc(), Event.id.desc()) if newest_first else (Event.starts_at, Event.id)
    )
    query = with_relations(query).order_by(*order)
    page = min(max(page or 1, 1), MAX_PAGE)  # a huge page number must not overflow SQL
    result = db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
    if page > 1 and not result.items and result.total:
        result = db.paginate(
            query, page=result.pages, per_page=per_page, error_out=False, count=True
        )
    return result


def branches() -> list[Branch]:
    return list(db.session.scalars(sa.select(Branch).order_by(Branch.kind.desc(), Branch.code)))


# Every event page runs this; built once.
_EVENT_WITH_RELATIONS = (
    sa.select(Event)
    .where(Event.id == sa.bindparam("event_id"))
    .options(
        joinedload(Event.venue).joinedload(Venue.branch),
        joinedload(Event.series),
        joinedload(Event.campaign),
        joinedload(Event.exhibition),
        joinedload(Event.parent),
    )
)


def event_with_relations(event_id: int) -> Event | None:
    """One event with what its page shows (venue, branch, series, campaign, exhibition)."""
    return db.session.scalar(_EVENT_WITH_RELATIONS, {"event_id": event_id})


def tours_of(exhibition: Event, *, drafts: bool = False) -> list[Event]:
    """The guided tours of an exhibition, soonest first; drafts only for staff."""
    statuses = [s.value for s in EventStatus] if drafts else list(PUBLIC_STATUSES)
    return list(
        db.session.scalars(
            with_relations(sa.select(Event))
            .where(Event.parent_id == exhibition.id, Event.status.in_(statuses))
            .order_by(Event.starts_at)
        ).unique()
    )


def published_between(filters: Filters, *, limit: int) -> list[Event]:
    """Published and cancelled events matching ``filters`` (its dates included), in order."""
    return list(
        db.session.scalars(
            with_relations(sa.select(Event))
            .where(*conditions(filters, public=True))
            .order_by(Event.starts_at, Event.id)
            .limit(limit)
        ).unique()
    )


def all_series() -> list[Series]:
    return list(db.session.scalars(sa.select(Series).order_by(Series.slug)))


def all_campaigns() -> list[Campaign]:
    """The latest year first."""
    return list(
        db.session.scalars(sa.select(Campaign).order_by(Campaign.year.desc(), Campaign.title))
    )


def series_by_slug(slug: str) -> Series | None:
    return db.session.scalar(sa.select(Series).where(Series.slug == slug))


def exhibitions() -> list[Event]:
    """Every exhibition, the latest first (the guided tours' choice of exhibition)."""
    return list(
        db.session.scalars(
            sa.select(Event)
            .where(Event.kind == EventKind.EXHIBITION)
            .order_by(Event.starts_at.desc())
        )
    )


JIANGNAN_BRAND = "jiangnan"  # the series of the Jiangnan Culture Lecture Hall


def _home_lists_query() -> tuple[sa.CompoundSelect, tuple[str, ...]]:
    """The ids of every home page list in one statement, built once: each list picks from
    the published events still running, read once (through ``ix_events_status_ends_at``).
    Parameters: now, today_end, week_end."""
    now, today_end, week_end = (sa.bindparam(n) for n in ("now", "today_end", "week_end"))
    running = (
        sa.select(Event.id, Event.kind, Event.series_id, Event.starts_at)
        .where(Event.status == EventStatus.PUBLISHED, Event.ends_at > now)
        .cte("running")
    )
    r = running.c
    not_exhibition = r.kind != EventKind.EXHIBITION
    jiangnan = sa.select(Series.id).where(Series.brand == JIANGNAN_BRAND)
    lists = {  # name: (how many, conditions)
        "today": (6, [r.starts_at < today_end, not_exhibition]),
        "this_week": (6, [r.starts_at >= today_end, r.starts_at < week_end, not_exhibition]),
        "later": (4, [not_exhibition]),
        "exhibitions": (6, [r.kind == EventKind.EXHIBITION, r.starts_at <= now]),
        "lectures": (5, [r.kind == EventKind.LECTURE, r.series_id.in_(jiangnan)]),
    }
    members = [
        sa.select(sa.literal(name).label("list"), r.id)
        .where(*where)
        .order_by(r.starts_at, r.id)
        .limit(limit)
        .subquery()
        for name, (limit, where) in lists.items()
    ]
    return sa.union_all(*(sa.select(m) for m in members)), tuple(lists)


_HOME_LISTS, _HOME_LIST_NAMES = _home_lists_query()
_EVENTS_BY_ID = with_relations(
    sa.select(Event).where(Event.id.in_(sa.bindparam("ids", expanding=True)))
)


def home_lists() -> dict[str, list[Event]]:
    """The home page's lists of published events still to come (or running), soonest
    first: today, the rest of the week, what comes next when both are empty, the current
    exhibitions and the next Jiangnan lectures. Two statements: the ids of every list,
    then those events with what their cards show."""
    today_start, today_end = today_bounds()
    rows = db.session.execute(
        _HOME_LISTS,
        {"now": utcnow(), "today_end": today_end, "week_end": today_start + timedelta(days=7)},
    ).all()
    ids = list({row.id for row in rows})
    events = {event.id: event for event in db.session.scalars(_EVENTS_BY_ID, {"ids": ids})}
    found: dict[str, list[Event]] = {name: [] for name in _HOME_LIST_NAMES}
    for row in rows:
        found[row.list].append(events[row.id])
    for chosen in found.values():
        chosen.sort(key=lambda event: (event.starts_at, event.id))
    # A quiet week still shows what comes next, so the first screen is never empty.
    if found["today"] or found["this_week"]:
        found["later"] = []
    return found


def today_bounds() -> tuple[datetime, datetime]:
    today = utcnow().astimezone(library_zone()).date()
    return day_start(today), day_start(today + timedelta(days=1))
