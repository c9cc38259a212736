"""The demo's 2021: a large city library's year, counted by the written rules, loaded once,
and never naming anything that came after an event's own date."""

import re
import time
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from eventsys import demo
from eventsys.db_types import UTCDateTime
from eventsys.demo import year as demo_year
from eventsys.extensions import db
from eventsys.models import (
    Event,
    IndicatorCode,
    Registration,
    Shift,
    ShiftSignup,
    User,
    VisitorCount,
)
from eventsys.services import indicators

ZONE = ZoneInfo("Asia/Shanghai")
START = datetime(2021, 1, 1, tzinfo=ZONE).astimezone(UTC)
END = datetime(2022, 1, 1, tzinfo=ZONE).astimezone(UTC)


def _table_counts() -> dict[str, int]:
    models = (Event, Registration, VisitorCount, Shift, ShiftSignup, User)
    return {
        m.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in models
    }


def _sql(text: str):
    """Plain SQL with the instants and days bound as the columns store them."""
    binds = [
        sa.bindparam(n, type_=UTCDateTime()) for n in ("now", "start", "end") if f":{n}" in text
    ]
    binds += [sa.bindparam(n, type_=sa.Date()) for n in ("first", "last") if f":{n}" in text]
    return sa.text(text).bindparams(*binds)


def _independent_figures(now: datetime) -> tuple[int, int]:
    """SPEC.md "Counting", in plain SQL: sessions and participants of 2021."""
    counted = """
        events.status = 'published' AND events.starts_at <= :now
        AND events.starts_at >= :start AND events.starts_at < :end
    """
    params = {"now": now, "start": START, "end": END}
    # Every event kind is reader-facing; shifts are another table; drafts and cancelled
    # events fail the status test; an exhibition is one row, counted where it opens.
    sessions = db.session.execute(
        _sql(f"SELECT COUNT(*) FROM events WHERE {counted}"), params
    ).scalar_one()
    checked_in = db.session.execute(
        _sql(
            "SELECT COALESCE(SUM(r.party_size), 0) FROM registrations r "
            f"JOIN events ON events.id = r.event_id WHERE {counted} "
            "AND r.checked_in_at IS NOT NULL AND r.status <> 'cancelled'"
        ),
        params,
    ).scalar_one()
    walk_ins = db.session.execute(
        _sql(f"SELECT COALESCE(SUM(walk_ins), 0) FROM events WHERE {counted}"), params
    ).scalar_one()
    visitors = db.session.execute(
        _sql(
            "SELECT COALESCE(SUM(v.visitors), 0) FROM visitor_counts v "
            "JOIN events e ON e.id = v.event_id "
            "WHERE e.status = 'published' AND e.starts_at <= :now "
            "AND v.day >= :first AND v.day < :last"
        ),
        {"now": now, "first": date(2021, 1, 1), "last": date(2022, 1, 1)},
    ).scalar_one()
    return sessions, checked_in + walk_ins + visitors


@pytest.fixture
def app_config():
    return {"DEMO_YEAR_SCALE": 1.0}


def test_demo_2021_is_a_large_library_year_counted_by_the_rules_and_loaded_once(app):
    began = time.perf_counter()
    demo.load()
    print(f"demo load (full year): {time.perf_counter() - began:.1f} s")
    db.session.commit()
    first = _table_counts()

    now = datetime.now(UTC)
    sessions, participants = _independent_figures(now)
    figures = indicators.figures(indicators.year_period(2021), now=now)
    assert (figures.sessions, figures.participants) == (sessions, participants)
    assert 2000 <= sessions < 10000  # thousands, below Shanghai's sample 9,800
    assert participants > 100_000
    row = next(r for r in indicators.dashboard(2021) if r.code == IndicatorCode.READER_ACTIVITIES)
    assert row.value == sessions

    in_2021 = (Event.starts_at >= START, Event.starts_at < END)
    kinds = set(db.session.scalars(sa.select(Event.kind).distinct().where(*in_2021)))
    assert kinds == {
        "lecture",
        "exhibition",
        "guided_tour",
        "reading",
        "film",
        "contest",
        "study_session",
        "workshop",
        "other",
    }
    audiences = set(db.session.scalars(sa.select(Event.audience).distinct().where(*in_2021)))
    assert audiences == {
        "all",
        "children",
        "teens",
        "adults",
        "seniors",
        "families",
        "accessibility",
    }
    branches = db.session.scalar(
        _sql(
            "SELECT COUNT(DISTINCT v.branch_id) FROM events e JOIN venues v ON v.id = e.venue_id "
            "WHERE e.starts_at >= :start AND e.starts_at < :end"
        ),
        {"start": START, "end": END},
    )
    assert branches == 6
    campaign_sessions = db.session.scalar(
        sa.select(sa.func.count(Event.id)).where(
            *in_2021, Event.campaign_id.is_not(None), Event.status == "published"
        )
    )
    assert campaign_sessions >= 100
    cancelled = db.session.scalar(
        sa.select(sa.func.count(Event.id)).where(*in_2021, Event.status == "cancelled")
    )
    assert 0.01 < cancelled / (sessions + cancelled) < 0.15

    # Registrations of 2021: most came, some did not, some cancelled beforehand.
    fate = sa.case((Registration.checked_in_at.is_not(None), "came"), else_=Registration.status)
    shares = dict(
        db.session.execute(
            sa.select(fate, sa.func.count())
            .join(Event, Event.id == Registration.event_id)
            .where(*in_2021, Event.status == "published")
            .group_by(fate)
        ).all()
    )
    total = sum(shares.values())
    assert 0.7 < shares["came"] / total < 0.9
    assert 0.05 < shares["no_show"] / total < 0.2
    assert 0.03 < shares["cancelled"] / total < 0.15
    assert not shares.get("waitlisted") and not shares.get("confirmed")

    # Exhibitions: daily counts on opening days only (closed on Mondays).
    days = db.session.scalars(
        sa.select(VisitorCount.day).where(VisitorCount.day < date(2022, 1, 1))
    ).all()
    assert len(days) > 300
    assert all(d.weekday() != 0 for d in days)

    hours = db.session.scalar(
        sa.select(sa.func.sum(ShiftSignup.credited_minutes))
        .join(Shift, Shift.id == ShiftSignup.shift_id)
        .where(Shift.starts_at >= START, Shift.starts_at < END)
    )
    assert hours / 60 > 1000
    assert all(s.filled <= s.slots for s in db.session.scalars(sa.select(Shift)))

    began = time.perf_counter()
    demo.load()
    print(f"demo load again: {time.perf_counter() - began:.1f} s")
    db.session.commit()
    assert _table_counts() == first
    assert indicators.figures(indicators.year_period(2021), now=now).sessions == sessions


# ------------------------------------------------------------------ anachronisms

# Things that did not exist before a day: (pattern, first day it may be named).
LATER_THINGS = [
    ("二十大", date(2022, 10, 16)),
    ("二十届", date(2022, 10, 16)),
    ("长津湖", date(2021, 9, 30)),
    ("水门桥", date(2022, 2, 1)),
    ("满江红", date(2023, 1, 22)),
    ("流浪地球2", date(2023, 1, 22)),
    ("中国式现代化", date(2021, 7, 1)),
    ("全面建成小康社会", date(2020, 1, 1)),
    ("新质生产力", date(2023, 9, 1)),
    ("杭州亚运会", date(2023, 9, 23)),
]
_DIGITS = dict(zip("〇零一二三四五六七八九", "00123456789", strict=True))
_YEAR_ARABIC = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_YEAR_CHINESE = re.compile(r"二[〇零][一二三四五六七八九〇零][一二三四五六七八九〇零]")


def anachronisms(text: str, day: date) -> list[str]:
    """What ``text`` names that came after ``day``: later years and later things."""
    found = [y for y in _YEAR_ARABIC.findall(text) if int(y) > day.year]
    for word in _YEAR_CHINESE.findall(text):
        if int("".join(_DIGITS[c] for c in word)) > day.year:
            found.append(word)
    found += [thing for thing, since in LATER_THINGS if thing in text and day < since]
    return found


def test_the_check_finds_the_anachronisms_it_is_for():
    assert anachronisms("从一大到二十大：百年大党的初心", date(2021, 4, 24)) == ["二十大"]
    assert anachronisms("红色电影展映：《长津湖》", date(2021, 7, 24)) == ["长津湖"]
    assert anachronisms("红色电影展映：《长津湖》", date(2021, 10, 16)) == []
    assert anachronisms("展期至2022年3月", date(2021, 9, 1)) == ["2022"]
    assert anachronisms("二〇二二年新春展", date(2021, 12, 1)) == ["二〇二二"]
    assert anachronisms("庆祝建党100周年，2021年", date(2021, 7, 1)) == []


def test_no_demo_event_names_a_year_or_a_thing_after_its_own_date(app):
    demo.load()
    late = []
    rows = db.session.execute(sa.select(Event.uid, Event.title, Event.description, Event.starts_at))
    for uid, title, description, starts_at in rows:
        day = starts_at.astimezone(ZONE).date()
        if found := anachronisms(f"{title}\n{description}", day):
            late.append((uid, day.isoformat(), title, found))
    assert late == []


def test_the_year_tables_name_nothing_after_the_start_of_2021():
    titles = [t for category in demo_year.CATEGORIES.values() for t in category[-1]]
    roles = demo_year.SCHOLARS + demo_year.GENERAL + demo_year.INTERNATIONAL
    for text in [*titles, *demo_year.EXHIBITIONS, *roles]:
        assert anachronisms(text, date(2021, 1, 1)) == [], text
