"""Indicator pages, values, year locks, exports and the CLI report."""

import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from eventsys.extensions import db
from eventsys.models import AuditEntry, IndicatorValue, YearLock

CST = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def held(make_event):
    """Two 2021 lectures with walk-ins: 2 sessions, 30 participants."""
    first = make_event(starts_at=datetime(2021, 3, 1, 10, tzinfo=CST), walk_ins=10, title="园林")
    second = make_event(starts_at=datetime(2021, 9, 1, 10, tzinfo=CST), walk_ins=20, title="昆曲")
    return first, second


@pytest.mark.parametrize(
    "path",
    [
        "/indicators/",
        "/indicators/activities?period=2021",
        "/indicators/activities/events?period=2021",
        "/indicators/values",
    ],
)
def test_readers_are_refused(client_as, path):
    assert client_as("reader").get(path).status_code == 403


def test_staff_see_dashboard_with_counted_reader_activities(client_as, held):
    page = client_as("staff").get("/indicators/?year=2021")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<svg" in text
    assert "Shanghai" in text or "上海" in text
    assert 'href="/indicators/activities?period=2021">2</a>' in text


def test_activities_page_links_every_number_to_its_events(client_as, held):
    staff = client_as("staff")
    page = staff.get("/indicators/activities?period=2021-Q1").get_data(as_text=True)
    assert "split=kind" in page and "key=lecture" in page
    assert "active volunteers" in page  # the volunteer figures beside them
    listing = staff.get("/indicators/activities/events?period=2021-Q1&split=kind&key=lecture")
    text = listing.get_data(as_text=True)
    assert listing.status_code == 200
    assert "园林" in text and "昆曲" not in text


@pytest.mark.parametrize(
    "query",
    ["period=2021-Q9", "start=2021-05-01&end=2021-04-01", "period=soon", "year=abc"],
)
def test_bad_periods_get_a_clear_400(client_as, query):
    response = client_as("staff").get(f"/indicators/activities?{query}")
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


def test_unknown_split_gets_400(client_as, held):
    response = client_as("staff").get("/indicators/activities/events?period=2021&split=colour")
    assert response.status_code == 400


def test_year_without_data_shows_zeros(client_as):
    response = client_as("staff").get("/indicators/activities?period=1999")
    assert response.status_code == 200
    assert ">0</a>" in response.get_data(as_text=True)


def test_csv_and_excel_exports(client_as, held):
    staff = client_as("staff")
    csv_response = staff.get("/indicators/activities?period=2021&format=csv")
    assert csv_response.mimetype == "text/csv"
    assert "2,30" in csv_response.get_data(as_text=True)
    xlsx = staff.get("/indicators/?year=2021&format=xlsx")
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.active.max_row == 9  # header + eight indicators
    events_csv = staff.get("/indicators/activities/events?period=2021&format=csv")
    assert "园林" in events_csv.get_data(as_text=True)
    assert staff.get("/indicators/?year=2021&format=pdf").status_code == 400


def test_admin_enters_values_and_bad_values_are_form_errors(client_as):
    admin = client_as("admin")
    form = {"year": 2021, "code": "visits", "library": "shanghai", "value": "1500.5"}
    form |= {"unit": "万人次", "source": "年报"}
    assert admin.post("/indicators/values", data=form).status_code == 302
    row = db.session.scalar(sa.select(IndicatorValue))
    assert (row.library, str(row.value), row.unit) == ("shanghai", "1500.50", "万人次")
    for bad in ("-3", "abc", ""):
        response = admin.post("/indicators/values", data=form | {"value": bad})
        assert response.status_code == 400
        assert 'class="error"' in response.get_data(as_text=True)
    suzhou_activities = form | {"code": "reader_activities", "library": "suzhou", "value": "9"}
    assert admin.post("/indicators/values", data=suzhou_activities).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(IndicatorValue.id))) == 1


def test_only_admins_enter_values(client_as):
    data = {"year": 2021, "code": "visits", "library": "suzhou", "value": "1", "source": "x"}
    assert client_as("staff").post("/indicators/values", data=data).status_code == 403


def test_dashboard_shows_gap_and_change(client_as, app):
    from eventsys.services import indicators

    with app.test_request_context():
        indicators.set_value(2020, "visits", "suzhou", "800", source="年报")
        indicators.set_value(2021, "visits", "suzhou", "1000", source="年报")
        indicators.set_value(2021, "visits", "hangzhou", "800", source="年报")
        db.session.commit()
        row = next(r for r in indicators.dashboard(2021) if r.code == "visits")
    assert (row.value, row.change, str(row.change_percent)) == (1000, 200, "25.0")
    hangzhou = next(p for p in row.peers if p.library == "hangzhou")
    assert (hangzhou.gap, str(hangzhou.gap_percent)) == (200, "25.0")


def test_lock_keeps_figures_and_shows_later_differences(client_as, held, make_event):
    staff = client_as("staff")
    assert staff.post("/indicators/lock/2021").status_code == 302
    lock = db.session.scalar(sa.select(YearLock))
    assert (lock.figures["sessions"], lock.figures["participants"]) == (2, 30)
    assert lock.locked_by_id == staff.user.id
    again = staff.post("/indicators/lock/2021", follow_redirects=True)
    assert "already locked" in again.get_data(as_text=True)
    # Live data changes afterwards: an event is added, another cancelled.
    late = make_event(starts_at=datetime(2021, 12, 1, 10, tzinfo=CST), walk_ins=7, title="补录活动")
    first, _second = held
    first.status = "cancelled"
    db.session.commit()
    page = staff.get("/indicators/?year=2021").get_data(as_text=True)
    assert "补录活动" in page and "园林" in page
    assert 'href="/indicators/activities?period=2021">2</a>' in page  # the locked figure
    assert "-3" in page  # participants 30 -> 27
    assert late.id


def test_only_admins_unlock_and_unlocking_is_audited(client_as, held):
    staff = client_as("staff")
    staff.post("/indicators/lock/2021")
    assert staff.post("/indicators/unlock/2021").status_code == 403
    admin = client_as("admin")
    assert admin.post("/indicators/unlock/2021").status_code == 302
    assert db.session.scalar(sa.select(YearLock)) is None
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "indicators.year_unlocked" in actions
    page = admin.post("/indicators/unlock/2021", follow_redirects=True)
    assert "not locked" in page.get_data(as_text=True)


def test_cli_report_json_shape(runner, held):
    result = runner.invoke(args=["indicators", "report", "--year", "2021"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["year"], data["sessions"], data["participants"]) == (2021, 2, 30)
    assert set(data["splits"]) >= {"branch", "kind", "series", "online", "audience", "campaign"}
    assert data["splits"]["kind"] == [
        {
            "key": "lecture",
            "label": data["splits"]["kind"][0]["label"],
            "sessions": 2,
            "participants": 30,
        }
    ]


def test_cli_report_csv_and_bad_year(runner, held):
    result = runner.invoke(args=["indicators", "report", "--year", "2021", "--format", "csv"])
    assert result.exit_code == 0
    assert "total,,,2,30" in result.output
    bad = runner.invoke(args=["indicators", "report", "--year", "twenty"])
    assert bad.exit_code == 2
    assert "year" in bad.output.lower()
