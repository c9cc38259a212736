"""The reader-activities figures checked against a set of events counted by hand."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Branch, Campaign, Registration, Series, Venue, VisitorCount
from eventsys.services import indicators
from eventsys.services.indicators import IndicatorError

CST = ZoneInfo("Asia/Shanghai")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=CST)


@pytest.fixture(autouse=True)
def request_context(app):
    """Labels are translated, so the service runs inside a request as on a page."""
    with app.test_request_context():
        yield


@pytest.fixture
def known(app, make_event, make_user):
    """The hand-counted set. Comments give each event's share (sessions / participants)."""
    centre = Branch(code="renmin", name="人民路馆", kind="centre")
    branch = Branch(code="wuzhong", name="吴中分馆", kind="branch")
    hall = Venue(branch=centre, name="报告厅", capacity=200)
    gallery = Venue(branch=branch, name="展厅", capacity=0, kind="gallery")
    series = Series(
        slug="jiangnan-2021-spring", title="江南文化大讲堂 · 2021 春季", brand="jiangnan"
    )
    campaign = Campaign(slug="centenary", title="建党100周年", year=2021)
    db.session.add_all([centre, branch, hall, gallery, series, campaign])
    db.session.commit()
    reader = make_user()
    readers = iter(make_user() for _ in range(8))

    def register(event, party, checked_in, status="confirmed"):
        db.session.add(
            Registration(
                event=event,
                user=next(readers) if status != "cancelled" else reader,
                party_size=party,
                status=status,
                checked_in_at=event.starts_at if checked_in else None,
            )
        )

    e = {}
    # Multi-session series, 2021: 3 sessions; one of them online.
    e["l1"] = make_event(venue=hall, series=series, starts_at=local(2021, 3, 10, 14), walk_ins=4)
    register(e["l1"], 3, True)  # 3
    register(e["l1"], 2, False)  # not checked in: 0
    register(e["l1"], 1, False, status="cancelled")  # 0
    e["l2"] = make_event(venue=hall, series=series, starts_at=local(2021, 4, 10, 14))
    register(e["l2"], 2, True)  # 2
    e["l3"] = make_event(venue=None, series=series, online=True, starts_at=local(2021, 5, 10, 19))
    register(e["l3"], 1, True)  # 1
    # Never counted: cancelled, draft, not yet started.
    e["cancelled"] = make_event(venue=hall, status="cancelled", starts_at=local(2021, 6, 1, 10))
    register(e["cancelled"], 2, True)
    e["draft"] = make_event(venue=hall, status="draft", starts_at=local(2021, 6, 2, 10))
    e["future"] = make_event(venue=hall, starts_at=utcnow() + timedelta(days=30))
    # An exhibition spanning two years: one session in 2020 (its opening), visitors by day.
    e["exhibition"] = make_event(
        kind="exhibition",
        venue=gallery,
        capacity=None,
        starts_at=local(2020, 12, 1, 9),
        ends_at=local(2021, 2, 28, 17),
    )
    for day, visitors in (
        (date(2020, 12, 5), 100),
        (date(2021, 1, 10), 50),
        (date(2021, 2, 1), 30),
    ):
        db.session.add(VisitorCount(event_id=e["exhibition"].id, day=day, visitors=visitors))
    # A guided tour of it, for families.
    e["tour"] = make_event(
        kind="guided_tour",
        venue=gallery,
        parent=e["exhibition"],
        audience="families",
        starts_at=local(2021, 1, 15, 10),
    )
    register(e["tour"], 4, True)  # 4
    # A centenary activity: counts once in the total and in the campaign.
    e["film"] = make_event(
        kind="film",
        venue=gallery,
        campaign=campaign,
        capacity=None,
        walk_ins=20,
        starts_at=local(2021, 6, 30, 19),
    )  # 20
    # Local New Year's morning is still 2020 in UTC: counts in 2021 (January, Q1).
    e["new_year"] = make_event(
        kind="reading", venue=hall, capacity=None, walk_ins=5, starts_at=local(2021, 1, 1, 7)
    )  # 5
    # Local New Year's Eve, late: 2020.
    e["new_year_eve"] = make_event(
        kind="reading", venue=hall, capacity=None, walk_ins=3, starts_at=local(2020, 12, 31, 23, 30)
    )
    db.session.commit()
    _add_volunteer_shift(hall)
    return {"events": e, "centre": centre, "branch": branch, "series": series, "campaign": campaign}


def _add_volunteer_shift(venue) -> None:
    """A volunteer shift is not a reader activity, whatever its time."""
    try:
        from eventsys.models import Shift, VolunteerRole
    except ImportError:
        return
    role = VolunteerRole(name="引导员")
    db.session.add(role)
    db.session.add(
        Shift(
            role=role,
            venue=venue,
            starts_at=local(2021, 3, 1, 9),
            ends_at=local(2021, 3, 1, 12),
            slots=3,
        )
    )
    db.session.commit()


def cells(figures, split):
    return {c.key: (c.sessions, c.participants) for c in figures.split(split)}


def test_year_totals_match_the_hand_count(known):
    f = indicators.figures(indicators.year_period(2021))
    # l1 l2 l3 tour film new_year = 6 sessions; 3+4 + 2 + 1 + 4 + 20 + 5 + visitors 50+30.
    assert (f.sessions, f.participants) == (6, 119)


def test_every_split_matches_the_hand_count(known):
    f = indicators.figures(indicators.year_period(2021))
    centre, branch = str(known["centre"].id), str(known["branch"].id)
    assert cells(f, "kind") == {
        "lecture": (3, 10),
        "guided_tour": (1, 4),
        "film": (1, 20),
        "reading": (1, 5),
        "exhibition": (0, 80),
    }
    assert cells(f, "online") == {"online": (1, 1), "onsite": (5, 118)}
    assert cells(f, "branch") == {centre: (3, 14), branch: (2, 104), None: (1, 1)}
    assert cells(f, "branch_kind") == {"centre": (3, 14), "branch": (2, 104), None: (1, 1)}
    assert cells(f, "series") == {str(known["series"].id): (3, 10), None: (3, 109)}
    assert cells(f, "campaign") == {str(known["campaign"].id): (1, 20), None: (5, 99)}
    assert cells(f, "audience") == {"all": (5, 115), "families": (1, 4)}
    for split in indicators.SPLITS:
        assert sum(c.sessions for c in f.split(split)) == f.sessions
        assert sum(c.participants for c in f.split(split)) == f.participants


def test_exhibition_counts_once_in_the_year_it_opens(known):
    f2020 = indicators.figures(indicators.year_period(2020))
    # exhibition (opened) + New Year's Eve reading; visitors of 5 Dec 2020 + 3 walk-ins.
    assert (f2020.sessions, f2020.participants) == (2, 103)
    assert cells(f2020, "kind")["exhibition"] == (1, 100)


def test_quarters_months_and_ranges(known):
    q1 = indicators.figures(indicators.parse_period("2021-Q1"))
    assert (q1.sessions, q1.participants) == (3, 7 + 4 + 5 + 80)
    q2 = indicators.figures(indicators.parse_period("2021-Q2"))
    assert (q2.sessions, q2.participants) == (3, 2 + 1 + 20)
    january = indicators.figures(indicators.parse_period("2021-01"))
    assert (january.sessions, january.participants) == (2, 4 + 5 + 50)
    span = indicators.figures(indicators.parse_period("2020-12-31..2021-01-01"))
    assert (span.sessions, span.participants) == (2, 3 + 5)


def test_campaign_report_counts_only_the_campaign(known):
    f = indicators.figures(indicators.year_period(2021), campaign_id=known["campaign"].id)
    assert (f.sessions, f.participants) == (1, 20)
    assert cells(f, "kind") == {"film": (1, 20)}


def test_events_behind_a_figure_add_up_to_it(known):
    period = indicators.year_period(2021)
    e = known["events"]
    lectures = indicators.cell_events(period, "kind", "lecture")
    assert [c.event.id for c in lectures] == [e["l1"].id, e["l2"].id, e["l3"].id]
    assert sum(c.participants for c in lectures) == 10
    online = indicators.cell_events(period, "online", "online")
    assert [c.event.id for c in online] == [e["l3"].id]
    everything = indicators.cell_events(period)
    assert sum(c.sessions for c in everything) == 6
    assert sum(c.participants for c in everything) == 119
    ids = {c.event.id for c in everything}
    assert not ids & {e[k].id for k in ("cancelled", "draft", "future", "new_year_eve")}
    assert e["exhibition"].id in ids  # its 2021 visitors
    no_venue = indicators.cell_events(period, "branch", "none")
    assert [c.event.id for c in no_venue] == [e["l3"].id]


def test_year_without_data_gives_zeros(known):
    f = indicators.figures(indicators.year_period(2019))
    assert (f.sessions, f.participants) == (0, 0)
    assert all(f.split(s) == [] for s in indicators.SPLITS)


@pytest.mark.parametrize(
    "text", ["", "2021-Q5", "2021-13", "last year", "2021-02-30..2021-03-01", "99999"]
)
def test_unknown_periods_are_refused_clearly(app, text):
    with pytest.raises(IndicatorError):
        indicators.parse_period(text)


def test_range_ending_before_it_starts_is_refused(app):
    with pytest.raises(IndicatorError, match="before its start"):
        indicators.parse_period("2021-03-01..2021-02-01")


def test_period_boundaries_are_local_midnight(app):
    p = indicators.year_period(2021)
    assert p.start == local(2021, 1, 1)
    assert p.end == local(2022, 1, 1)
    assert p.start.utcoffset() == timedelta(0)


def test_unknown_split_is_refused(known):
    with pytest.raises(IndicatorError):
        indicators.cell_events(indicators.year_period(2021), "colour", "red")
