"""Staff export: any filtered selection as an .ics download, drafts and shifts on request."""

from datetime import timedelta

import icalendar
import pytest
import vobject

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Series
from eventsys.models.volunteers import Shift, VolunteerRole
from eventsys.services import ical


@pytest.fixture
def app_config():
    # English, so the assertions hold once the Chinese catalogue exists.
    return {"BABEL_DEFAULT_LOCALE": "en"}


def uids_in_both_parsers(body: bytes) -> set[str]:
    first = {str(ve["UID"]) for ve in icalendar.Calendar.from_ical(body).walk("VEVENT")}
    vcal = vobject.readOne(body.decode("utf-8"), validate=True)
    second = {ve.uid.value for ve in vcal.contents.get("vevent", [])}
    assert first == second
    return first


@pytest.fixture
def selection(app, make_event, make_venue):
    now = utcnow().replace(microsecond=0)
    series = Series(slug="jiangnan-window", title="江南之窗", brand="jiangnan_window")
    db.session.add(series)
    venue = make_venue()
    role = VolunteerRole(name="引导")
    shift = Shift(
        role=role,
        venue=venue,
        starts_at=now + timedelta(days=5),
        ends_at=now + timedelta(days=5, hours=2),
        slots=3,
    )
    db.session.add_all([role, shift])
    db.session.commit()
    return {
        "published": make_event(title="讲座", series=series, venue=venue),
        "draft": make_event(title="草稿", status="draft"),
        "cancelled": make_event(title="取消", status="cancelled", cancel_reason="天气"),
        "outside": make_event(title="范围外", starts_at=now + timedelta(days=60)),
        "shift": shift,
    }


def dates(first_offset: int, last_offset: int) -> dict:
    today = (utcnow() + timedelta(hours=8)).date()
    return {
        "first_day": (today + timedelta(days=first_offset)).isoformat(),
        "last_day": (today + timedelta(days=last_offset)).isoformat(),
    }


# One client per test: the test app context keeps the logged-in user in ``g``.
def test_export_needs_login(client):
    assert client.get("/calendar/export").status_code == 302


def test_export_is_refused_to_readers(client_as):
    assert client_as("reader").get("/calendar/export").status_code == 403


def test_export_form_is_shown_to_staff(client_as):
    page = client_as("staff", locale="en").get("/calendar/export")
    assert page.status_code == 200
    assert b'name="first_day"' in page.data


def test_export_downloads_range_with_filename(client_as, selection):
    staff = client_as("staff", locale="en")
    form = dates(0, 30)
    response = staff.post("/calendar/export", data=form)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    expected_name = f"eventsys-{form['first_day']}_{form['last_day']}.ics"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{expected_name}"'
    uids = uids_in_both_parsers(response.data)
    assert uids == {selection["published"].uid, selection["cancelled"].uid}


def test_export_includes_drafts_and_shifts_on_request(client_as, selection):
    staff = client_as("staff", locale="en")
    response = staff.post("/calendar/export", data={**dates(0, 30), "drafts": "y", "shifts": "y"})
    uids = uids_in_both_parsers(response.data)
    assert {selection["draft"].uid, selection["shift"].uid} <= uids
    cal = icalendar.Calendar.from_ical(response.data)
    draft = next(v for v in cal.walk("VEVENT") if str(v["UID"]) == selection["draft"].uid)
    assert str(draft["STATUS"]) == "TENTATIVE"


def test_export_filters_by_series(client_as, selection):
    staff = client_as("staff", locale="en")
    response = staff.post("/calendar/export", data={**dates(0, 30), "series": "jiangnan-window"})
    assert uids_in_both_parsers(response.data) == {selection["published"].uid}


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"first_day": "2026-05-10", "last_day": "2026-05-01"}, "before the start date"),
        ({"first_day": "2026-13-45", "last_day": "2026-05-01"}, "Not a valid date value"),
        ({"first_day": "", "last_day": "2026-05-01"}, "From: Choose the first day"),
        ({"first_day": "2020-01-01", "last_day": "2029-12-31"}, "at most 731 days"),
        (
            {"first_day": "2026-01-01", "last_day": "2026-02-01", "kind": "party"},
            "is not a valid choice",
        ),
        (
            {"first_day": "2026-01-01", "last_day": "2026-02-01", "branch": "x"},
            "Not a valid choice",
        ),
    ],
)
def test_bad_export_requests_show_form_errors(client_as, form, message):
    response = client_as("staff", locale="en").post("/calendar/export", data=form)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert message in response.data.decode()


def test_export_serialises_each_event_once(client_as, selection, monkeypatch):
    calls = []
    original = ical.feed_calendar

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(ical, "feed_calendar", counting)
    client_as("staff", locale="en").post("/calendar/export", data=dates(0, 30))
    assert calls == [1]
