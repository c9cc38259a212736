"""Counting the reader-activities indicator (读者活动量), the one place its rules live.

The rules (docs/counting.md tells them with examples):

- A **session** (场次) is one published (so neither draft nor cancelled) event that has
  started (``starts_at <= now``), counted in the period of its start. Every event kind is
  reader-facing; volunteer shifts live in another table and never count. An exhibition is
  one event, so it counts once, in the period it opens, however long it runs. Online
  events count and are also shown apart. A centenary activity (``campaign_id`` set) counts
  once in the total and also appears in its campaign's report.
- **Participants** (参与人次) = checked-in party sizes + walk-ins recorded by staff +
  exhibitions' daily visitor counts. Checked-in parties and walk-ins belong to the period
  of the event's start, like the session. Daily visitor counts belong to the period of the
  day they were counted: an exhibition that opened in 2020 and was visited in 2021 adds no
  session to 2021 but does add its 2021 visitors to 2021's participants.
- Period boundaries are local dates in the library's zone (Asia/Shanghai), turned into UTC
  instants for the comparison with ``starts_at``.

Everything is counted in the database: one statement builds each counted event's share
(``counted_rows``) and the totals and every split are GROUP BYs over it, sent as one
UNION ALL. The same rows list the events behind any figure (``cell_events``), so every
number can be checked by a person.
"""

import calendar
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.local_time import library_zone
from eventsys.models import (
    Branch,
    BranchKind,
    Campaign,
    Event,
    EventKind,
    EventStatus,
    IndicatorCode,
    IndicatorValue,
    Library,
    Registration,
    RegistrationStatus,
    Series,
    User,
    Venue,
    VisitorCount,
    YearLock,
)
from eventsys.models.indicators import DEFAULT_UNITS, PEERS
from eventsys.services import audit
from eventsys.services.labels import AUDIENCE_LABELS

log = logging.getLogger(__name__)


class IndicatorError(Exception):
    """A refusal with a message for the user (bad period, locked twice, bad value...)."""


class SourceLinkError(IndicatorError):
    """The source link of a figure is not a web address."""


# ---------------------------------------------------------------- periods


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
    except RuntimeError:  # outside an app (scripts): the library's default zone
        return ZoneInfo("Asia/Shanghai")


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


# ---------------------------------------------------------------- counting


def counted_rows(period: Period, now: datetime | None = None, campaign_id: int | None = None):
    """A CTE with one row per event that adds to ``period``'s figures.

    Columns: event_id, the split dimensions, ``sessions`` (1 or 0) and ``participants``.
    It is a CTE so that the totals and every split, grouped over it in one statement,
    count the events once (SQLite and PostgreSQL materialise a CTE used several times).
    """
    now = now or utcnow()
    starts_in_period = sa.and_(Event.starts_at >= period.start, Event.starts_at < period.end)
    checked_in = (
        sa.select(sa.func.coalesce(sa.func.sum(Registration.party_size), 0))
        .where(
            Registration.event_id == Event.id,
            Registration.checked_in_at.is_not(None),
            Registration.status != RegistrationStatus.CANCELLED.value,
        )
        .scalar_subquery()
    )
    # Visitors by the day they came: one range scan of ix_visitor_counts_day_event.
    visits = (
        sa.select(
            VisitorCount.event_id.label("event_id"),
            sa.func.sum(VisitorCount.visitors).label("visitors"),
        )
        .where(VisitorCount.day >= period.first_day, VisitorCount.day < period.end_day)
        .group_by(VisitorCount.event_id)
        .cte("visits")
    )
    query = (
        sa.select(
            Event.id.label("event_id"),
            Event.kind.label("kind"),
            Event.series_id.label("series"),
            Event.campaign_id.label("campaign"),
            Event.online.label("online"),
            Event.audience.label("audience"),
            Venue.branch_id.label("branch"),
            Branch.kind.label("branch_kind"),
            sa.case((starts_in_period, 1), else_=0).label("sessions"),
            (
                sa.case((starts_in_period, Event.walk_ins + checked_in), else_=0)
                + sa.func.coalesce(visits.c.visitors, 0)
            ).label("participants"),
        )
        .select_from(Event)
        .outerjoin(visits, visits.c.event_id == Event.id)
        .outerjoin(Venue, Venue.id == Event.venue_id)
        .outerjoin(Branch, Branch.id == Venue.branch_id)
        .where(
            Event.status == EventStatus.PUBLISHED.value,
            Event.starts_at <= now,
            sa.or_(starts_in_period, Event.id.in_(sa.select(visits.c.event_id))),
        )
    )
    if campaign_id is not None:
        query = query.where(Event.campaign_id == campaign_id)
    return query.cte("counted")


# The splits every figure is broken down by, in the order pages show them.
SPLITS = ("branch", "branch_kind", "kind", "series", "online", "audience", "campaign")

SPLIT_LABELS = {
    "branch": _l("Centre or branch"),
    "branch_kind": _l("Centres and branches"),
    "kind": _l("Kind"),
    "series": _l("Series or programme"),
    "online": _l("Online or on site"),
    "audience": _l("Audience"),
    "campaign": _l("Campaign"),
}

# Kinds as report headings (plural); audiences as everywhere else (services/labels.py).
KIND_HEADINGS = {
    EventKind.LECTURE: _l("Lectures"),
    EventKind.EXHIBITION: _l("Exhibitions"),
    EventKind.GUIDED_TOUR: _l("Guided tours"),
    EventKind.READING: _l("Readings"),
    EventKind.FILM: _l("Film screenings"),
    EventKind.CONTEST: _l("Contests"),
    EventKind.STUDY_SESSION: _l("Study sessions"),
    EventKind.WORKSHOP: _l("Workshops"),
    EventKind.OTHER: _l("Other activities"),
}


@dataclass
class Cell:
    key: str | None  # as in URLs: "12", "lecture", "online", None for "none"
    label: str
    sessions: int
    participants: int


@dataclass
class Figures:
    period: Period
    sessions: int = 0
    participants: int = 0
    splits: dict[str, list[Cell]] = field(default_factory=dict)
    campaign_id: int | None = None

    def split(self, name: str) -> list[Cell]:
        return self.splits.get(name, [])

    def cell(self, split: str, key: str | None) -> Cell | None:
        return next((c for c in self.split(split) if c.key == key), None)

    @property
    def online(self) -> Cell:
        return self.cell("online", "online") or Cell("online", str(_("Online")), 0, 0)

    def to_dict(self) -> dict:
        """Plain JSON: totals and every split (what a lock stores, what the CLI prints)."""
        return {
            "period": self.period.key,
            "sessions": self.sessions,
            "participants": self.participants,
            "splits": {
                name: [
                    {
                        "key": c.key,
                        "label": c.label,
                        "sessions": c.sessions,
                        "participants": c.participants,
                    }
                    for c in cells
                ]
                for name, cells in self.splits.items()
            },
        }


def _key_text(split: str, raw) -> str | None:
    """The database's grouping key as the text used in URLs and locks."""
    if raw is None:
        return None
    if split == "online":
        return "online" if str(raw).lower() in ("1", "true", "t") else "onsite"
    return str(raw)


def figures(period: Period, now: datetime | None = None, campaign_id: int | None = None) -> Figures:
    """Sessions and participants of ``period``: the totals and every split, in one query."""
    counted = counted_rows(period, now, campaign_id)
    parts = [
        sa.select(
            sa.literal("total").label("split"),
            sa.cast(sa.null(), sa.String).label("key"),
            sa.func.count().label("rows"),
            sa.func.coalesce(sa.func.sum(counted.c.sessions), 0).label("sessions"),
            sa.func.coalesce(sa.func.sum(counted.c.participants), 0).label("participants"),
        )
    ]
    for split in SPLITS:
        column = counted.c[split]
        parts.append(
            sa.select(
                sa.literal(split).label("split"),
                sa.cast(column, sa.String).label("key"),
                sa.func.count().label("rows"),
                sa.func.sum(counted.c.sessions).label("sessions"),
                sa.func.sum(counted.c.participants).label("participants"),
            ).group_by(column)
        )
    result = Figures(period=period, campaign_id=campaign_id)
    raw: dict[str, list[tuple[str | None, int, int]]] = {s: [] for s in SPLITS}
    for row in db.session.execute(sa.union_all(*parts)):
        if row.split == "total":
            result.sessions, result.participants = int(row.sessions), int(row.participants)
        else:
            raw[row.split].append(
                (_key_text(row.split, row.key), int(row.sessions), int(row.participants))
            )
    labels = _labels(raw)
    for split in SPLITS:
        cells = [Cell(key, labels[split](key), s, p) for key, s, p in raw[split]]
        cells.sort(key=lambda c: (c.key is None, -c.sessions, c.label))
        result.splits[split] = cells
    return result


def _labels(raw: dict) -> dict:
    """A function per split naming each key; names of branches, series and campaigns are
    fetched for the keys present only."""

    def ids(split):
        return [int(k) for k, _s, _p in raw[split] if k is not None]

    branches = {
        str(b.id): b
        for b in db.session.scalars(sa.select(Branch).where(Branch.id.in_(ids("branch"))))
    }
    series = dict(
        db.session.execute(
            sa.select(Series.id, Series.title).where(Series.id.in_(ids("series")))
        ).all()
    )
    campaigns = dict(
        db.session.execute(
            sa.select(Campaign.id, Campaign.title).where(Campaign.id.in_(ids("campaign")))
        ).all()
    )

    def branch(key):
        if key is None:
            return str(_("No venue (online only)"))
        b = branches.get(key)
        if b is None:
            return key
        kind = _("centre") if b.kind == BranchKind.CENTRE else _("branch")
        return f"{b.name} ({kind})"

    def branch_kind(key):
        if key is None:
            return str(_("No venue (online only)"))
        return str(_("Centres") if key == BranchKind.CENTRE else _("Branches"))

    def named(names, none_label):
        def label(key):
            return none_label if key is None else names.get(int(key), key)

        return label

    return {
        "branch": branch,
        "branch_kind": branch_kind,
        "kind": lambda k: str(KIND_HEADINGS.get(k, k)),
        "series": named(series, str(_("Not in a series"))),
        "online": lambda k: str(_("Online") if k == "online" else _("On site")),
        "audience": lambda k: str(AUDIENCE_LABELS.get(k, k)),
        "campaign": named(campaigns, str(_("No campaign"))),
    }


def _cell_condition(counted, split: str | None, key: str | None):
    if split is None or split == "total":
        return sa.true()
    if split not in SPLITS:
        raise IndicatorError(_("Unknown split %(split)s.", split=split))
    column = counted.c[split]
    if key in (None, "", "none"):
        return column.is_(None)
    if split == "online":
        if key not in ("online", "onsite"):
            raise IndicatorError(_("Unknown key %(key)s.", key=key))
        return column.is_(key == "online")
    if split in ("branch", "series", "campaign"):
        try:
            return column == int(key)
        except ValueError:
            raise IndicatorError(_("Unknown key %(key)s.", key=key)) from None
    return column == key


@dataclass
class CountedEvent:
    event: Event
    sessions: int
    participants: int


def cell_events(
    period: Period,
    split: str | None = None,
    key: str | None = None,
    now: datetime | None = None,
    campaign_id: int | None = None,
) -> list[CountedEvent]:
    """The events behind one figure, each with its share; their shares add up to it."""
    counted = counted_rows(period, now, campaign_id)
    query = (
        sa.select(Event, counted.c.sessions, counted.c.participants)
        .join(counted, counted.c.event_id == Event.id)
        .where(_cell_condition(counted, split, key))
        .order_by(Event.starts_at, Event.id)
    )
    return [CountedEvent(e, int(s), int(p)) for e, s, p in db.session.execute(query)]


def contributions(period: Period, now: datetime | None = None) -> dict[str, list[int]]:
    """Each counted event's share, ``{event_id: [sessions, participants]}``, for a lock."""
    counted = counted_rows(period, now)
    rows = db.session.execute(
        sa.select(counted.c.event_id, counted.c.sessions, counted.c.participants)
    )
    return {str(event_id): [int(s), int(p)] for event_id, s, p in rows}


def campaigns_in(year: int) -> list[Campaign]:
    return list(
        db.session.scalars(sa.select(Campaign).where(Campaign.year == year).order_by(Campaign.id))
    )


# ---------------------------------------------------------------- the eight indicators


INDICATOR_LABELS = {
    IndicatorCode.FISCAL_APPROPRIATION: _l("Fiscal appropriation"),
    IndicatorCode.TOTAL_COLLECTION: _l("Total collection"),
    IndicatorCode.NEW_ACQUISITIONS: _l("New acquisitions"),
    IndicatorCode.REGISTERED_READERS: _l("Registered readers"),
    IndicatorCode.VISITS: _l("Visits"),
    IndicatorCode.READER_ACTIVITIES: _l("Reader activities"),
    IndicatorCode.LOANS: _l("Loans"),
    IndicatorCode.ACQUISITION_SPENDING: _l("Acquisition spending"),
}

LIBRARY_LABELS = {
    Library.SUZHOU: _l("Suzhou Library"),
    Library.SHANGHAI: _l("Shanghai Library"),
    Library.GUANGZHOU: _l("Guangzhou Library"),
    Library.SHENZHEN: _l("Shenzhen Library"),
    Library.HANGZHOU: _l("Hangzhou Library"),
}


# The units the library's plan writes (models.indicators.DEFAULT_UNITS), said in each
# language; a unit an admin typed that is not here is shown as typed.
UNIT_LABELS = {
    "万元": _l("10,000 yuan"),
    "册/件": _l("items"),
    "人": _l("people"),
    "万人次": _l("10,000 visits"),
    "场次": _l("sessions"),
    "万册次": _l("10,000 loans"),
}


def unit_label(unit: str) -> str:
    return str(UNIT_LABELS.get(unit, unit))


def _check_source_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise SourceLinkError(
            _("The source link must be a web address starting with http:// or https://.")
        )
    if len(url) > 500:
        raise SourceLinkError(_("The source link is too long (500 characters at most)."))
    return url


def set_value(
    year,
    code: str,
    library: str,
    value,
    unit: str = "",
    source: str = "",
    actor: User | None = None,
    is_sample: bool = False,
    source_url: str = "",
) -> IndicatorValue:
    """Enter or replace one indicator value; the caller commits. Audit-logged."""
    year = check_year(year)
    source_url = _check_source_url(source_url)
    if code not in set(IndicatorCode):
        raise IndicatorError(_("Unknown indicator %(code)s.", code=code))
    if library not in set(Library):
        raise IndicatorError(_("Unknown library %(library)s.", library=library))
    if code == IndicatorCode.READER_ACTIVITIES and library == Library.SUZHOU:
        raise IndicatorError(
            _("Suzhou Library's reader activities are counted from its events, not entered.")
        )
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise IndicatorError(_("Enter a number, such as 1234.5.")) from None
    if not number.is_finite():
        raise IndicatorError(_("Enter a number, such as 1234.5."))
    if number < 0:
        raise IndicatorError(_("An indicator value cannot be negative."))
    if number >= Decimal("1e16"):
        raise IndicatorError(_("This number is too large."))
    row = db.session.scalar(
        sa.select(IndicatorValue).where(
            IndicatorValue.year == year,
            IndicatorValue.code == code,
            IndicatorValue.library == library,
        )
    )
    fields = ("year", "code", "library", "value", "unit", "source", "source_url", "is_sample")
    before = None
    if row is None:
        row = IndicatorValue(year=year, code=code, library=library)
        db.session.add(row)
    else:
        before = {k: str(v) for k, v in audit.snapshot(row, fields).items()}
    row.value = number.quantize(Decimal("0.01"))
    row.unit = (unit or DEFAULT_UNITS[IndicatorCode(code)]).strip()[:20]
    row.source = (source or "").strip()[:300]
    row.source_url = source_url
    row.is_sample = is_sample
    row.entered_by_id = actor.id if actor is not None else None
    row.entered_at = utcnow()
    db.session.flush()
    after = {k: str(v) for k, v in audit.snapshot(row, fields).items()}
    if actor is not None:
        if before is None:
            audit.record(actor, "indicators.value_entered", row, None, after)
        elif before != after:
            audit.record(actor, "indicators.value_changed", row, *audit.changed(before, after))
    return row


def values_for(year: int) -> dict[tuple[str, str], IndicatorValue]:
    rows = db.session.scalars(sa.select(IndicatorValue).where(IndicatorValue.year == year))
    return {(r.code, r.library): r for r in rows}


@dataclass
class Comparison:
    library: str
    label: str
    value: Decimal | None
    gap: Decimal | None  # Suzhou minus the peer
    gap_percent: Decimal | None  # of the peer's value
    year: int | None = None  # the year of the peer's published figure
    source: str = ""
    source_url: str = ""
    is_sample: bool = False


@dataclass
class Standing:
    """Where Suzhou stands among the libraries shown with a figure (立标尺、找差距):
    its rank (1 is the largest figure) and how far it is from the next one up and the best."""

    rank: int
    of: int
    next_up: Comparison | None = None
    gap_to_next: Decimal | None = None
    best: Comparison | None = None
    gap_to_best: Decimal | None = None


def standing(value: Decimal | None, peers: list[Comparison]) -> Standing | None:
    """Suzhou's rank among the peers that have a figure; None without a figure of its own.

    Every indicator is one where more is better. Ties share a rank; the next one up is the
    smallest figure above Suzhou's."""
    if value is None:
        return None
    shown = [p for p in peers if p.value is not None]
    above = sorted((p for p in shown if p.value > value), key=lambda p: p.value)
    result = Standing(rank=len(above) + 1, of=len(shown) + 1)
    if above:
        result.next_up, result.best = above[0], above[-1]
        result.gap_to_next = above[0].value - value
        result.gap_to_best = above[-1].value - value
    return result


@dataclass
class IndicatorRow:
    code: str
    label: str
    unit: str
    value: Decimal | None
    previous: Decimal | None
    change: Decimal | None
    change_percent: Decimal | None
    source: str
    is_sample: bool
    peers: list[Comparison]
    counted: bool = False  # reader activities: counted by eventsys
    source_url: str = ""
    standing: Standing | None = None
    own_is_sample: bool = False  # is_sample: Suzhou's figure or any peer's is a sample


def _percent(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    if part is None or whole in (None, 0):
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def reader_activity_sessions(year: int) -> int:
    """Suzhou's reader-activity sessions of ``year``: the locked figure once locked."""
    lock = get_lock(year)
    if lock is not None:
        return int(lock.figures["sessions"])
    return figures(year_period(year)).sessions


# Peers publish their figures a year or two late: a missing figure is taken from up to this
# many years before, and the page says which year it is.
PEER_LOOKBACK_YEARS = 2


def peer_values(year: int) -> dict[tuple[str, str], IndicatorValue]:
    """Each peer's latest figure of each indicator from ``year`` or the years just before."""
    rows = db.session.scalars(
        sa.select(IndicatorValue)
        .where(
            IndicatorValue.library.in_([p.value for p in PEERS]),
            IndicatorValue.year.between(year - PEER_LOOKBACK_YEARS, year),
        )
        .order_by(IndicatorValue.year)
    )
    return {(r.code, r.library): r for r in rows}


def latest_year_with_data(today: date | None = None) -> int | None:
    """The latest year up to this one with Suzhou figures entered or locked, which the
    dashboard opens on (the current year is nearly empty until the report is made)."""
    this_year = (today or utcnow().date()).year
    entered = sa.select(sa.func.max(IndicatorValue.year)).where(
        IndicatorValue.library == Library.SUZHOU.value, IndicatorValue.year <= this_year
    )
    locked = sa.select(sa.func.max(YearLock.year)).where(YearLock.year <= this_year)
    years = [y for y in (db.session.scalar(entered), db.session.scalar(locked)) if y]
    return max(years, default=None)


def dashboard(year) -> list[IndicatorRow]:
    """The eight indicators of ``year`` against the peers, with the change from last year."""
    year = check_year(year)
    current, previous = values_for(year), values_for(year - 1)
    published = peer_values(year)
    counted_now = Decimal(reader_activity_sessions(year))
    counted_before = Decimal(reader_activity_sessions(year - 1)) if year > MIN_YEAR else None
    rows = []
    for code in IndicatorCode:
        own = current.get((code.value, Library.SUZHOU.value))
        own_before = previous.get((code.value, Library.SUZHOU.value))
        counted = code == IndicatorCode.READER_ACTIVITIES
        if counted:
            value, before = counted_now, counted_before
        else:
            value = own.value if own else None
            before = own_before.value if own_before else None
        change = value - before if value is not None and before is not None else None
        peers = []
        for library in PEERS:
            peer = published.get((code.value, library.value))
            peer_value = peer.value if peer else None
            gap = value - peer_value if value is not None and peer_value is not None else None
            peers.append(
                Comparison(
                    library.value,
                    str(LIBRARY_LABELS[library]),
                    peer_value,
                    gap,
                    _percent(gap, peer_value),
                    year=peer.year if peer else None,
                    source=peer.source if peer else "",
                    source_url=peer.source_url if peer else "",
                    is_sample=bool(peer and peer.is_sample),
                )
            )
        sample = bool(own and own.is_sample) or any(p.is_sample for p in peers)
        rows.append(
            IndicatorRow(
                code=code.value,
                label=str(INDICATOR_LABELS[code]),
                unit=(own.unit if own and own.unit else DEFAULT_UNITS[code]),
                value=value,
                previous=before,
                change=change,
                change_percent=_percent(change, before),
                source=(str(_("Counted by eventsys")) if counted else (own.source if own else "")),
                is_sample=sample,
                peers=peers,
                counted=counted,
                source_url=own.source_url if own and not counted else "",
                standing=standing(value, peers),
                own_is_sample=bool(own and own.is_sample and not counted),
            )
        )
    return rows


# ---------------------------------------------------------------- year locks


def get_lock(year: int) -> YearLock | None:
    return db.session.scalar(sa.select(YearLock).where(YearLock.year == year))


def lock_year(year, actor: User | None, now: datetime | None = None) -> YearLock:
    """Freeze ``year``'s figures for the report; the caller commits. Locking twice refuses."""
    year = check_year(year)
    existing = get_lock(year)
    if existing is not None:
        raise IndicatorError(
            _(
                "%(year)s is already locked (since %(at)s). Unlock it first to lock it again.",
                year=year,
                at=existing.locked_at.strftime("%Y-%m-%d %H:%M UTC"),
            )
        )
    period = year_period(year)
    lock = YearLock(
        year=year,
        figures=figures(period, now).to_dict(),
        contributions=contributions(period, now),
        locked_by_id=actor.id if actor is not None else None,
        locked_at=utcnow(),
    )
    db.session.add(lock)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:  # someone locked it a moment ago
        db.session.rollback()
        raise IndicatorError(_("%(year)s is already locked.", year=year)) from None
    audit.record(
        actor,
        "indicators.year_locked",
        lock,
        None,
        {
            "year": year,
            "sessions": lock.figures["sessions"],
            "participants": lock.figures["participants"],
        },
    )
    return lock


def unlock_year(year, actor: User) -> None:
    """Admins only (checked by the view); written to the audit log; the caller commits."""
    year = check_year(year)
    lock = get_lock(year)
    if lock is None:
        raise IndicatorError(_("%(year)s is not locked.", year=year))
    audit.record(
        actor,
        "indicators.year_unlocked",
        lock,
        {
            "year": year,
            "sessions": lock.figures["sessions"],
            "participants": lock.figures["participants"],
            "locked_by_id": lock.locked_by_id,
            "locked_at": lock.locked_at.isoformat(),
        },
        None,
    )
    db.session.delete(lock)
    db.session.flush()


@dataclass
class ChangedEvent:
    event_id: int
    title: str
    locked: tuple[int, int]  # sessions, participants when locked
    live: tuple[int, int]


@dataclass
class LockDifference:
    sessions: int  # live minus locked
    participants: int
    events: list[ChangedEvent]

    @property
    def any(self) -> bool:
        return bool(self.sessions or self.participants or self.events)


def lock_difference(lock: YearLock, now: datetime | None = None) -> LockDifference:
    """How the live figures differ from the locked ones, and the events that changed."""
    live = contributions(year_period(lock.year), now)
    locked = lock.contributions or {}
    changed_ids = [
        key for key in set(live) | set(locked) if live.get(key, [0, 0]) != locked.get(key, [0, 0])
    ]
    titles = dict(
        db.session.execute(
            sa.select(Event.id, Event.title).where(Event.id.in_([int(k) for k in changed_ids]))
        ).all()
    )
    events = [
        ChangedEvent(
            int(key),
            titles.get(int(key), str(_("(deleted event)"))),
            tuple(locked.get(key, [0, 0])),
            tuple(live.get(key, [0, 0])),
        )
        for key in sorted(changed_ids, key=int)
    ]
    live_sessions = sum(s for s, _p in live.values())
    live_participants = sum(p for _s, p in live.values())
    return LockDifference(
        live_sessions - int(lock.figures["sessions"]),
        live_participants - int(lock.figures["participants"]),
        events,
    )


# ---------------------------------------------------------------- volunteers


def volunteer_figures(period: Period) -> dict | None:
    """Active volunteers and hours from the volunteer area, or None if it offers none."""
    try:
        from eventsys.services import shifts
    except ImportError:
        return None
    function = getattr(shifts, "volunteer_figures", None)
    if function is None:
        return None
    return function(period.start, period.end)
