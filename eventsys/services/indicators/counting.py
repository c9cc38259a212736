"""Counting reader activities: each counted event's share of a period, the totals and
splits grouped over it, and the events behind any figure."""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import (
    Branch,
    BranchKind,
    Campaign,
    Event,
    EventKind,
    EventStatus,
    Registration,
    RegistrationStatus,
    Series,
    Venue,
    VisitorCount,
)
from eventsys.services.indicators.errors import IndicatorError
from eventsys.services.indicators.periods import Period
from eventsys.services.labels import AUDIENCE_LABELS


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
