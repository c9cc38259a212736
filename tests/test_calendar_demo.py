"""With the demo data, every feed the calendar page offers parses the same in two parsers
and matches the database."""

import re
from datetime import timedelta

import icalendar
import pytest
import sqlalchemy as sa
import vobject

from eventsys import demo
from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Event, Registration, User
from eventsys.models.volunteers import ShiftSignup
from eventsys.services import feeds


@pytest.fixture
def app_config():
    return {"BABEL_DEFAULT_LOCALE": "en"}


def agreed_instants(body: bytes) -> dict:
    """uid → (start, end, status) as icalendar and vobject read it; they must agree."""
    first = {
        str(ve["UID"]): (ve.decoded("DTSTART"), ve.decoded("DTEND"), str(ve["STATUS"]))
        for ve in icalendar.Calendar.from_ical(body).walk("VEVENT")
    }
    vcal = vobject.readOne(body.decode("utf-8"), validate=True)
    second = {
        ve.uid.value: (ve.dtstart.value, ve.dtend.value, ve.status.value)
        for ve in vcal.contents.get("vevent", [])
    }
    assert first == second
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    return first


def assert_matches_database(parsed: dict) -> None:
    events = {e.uid: e for e in db.session.scalars(sa.select(Event).where(Event.uid.in_(parsed)))}
    for uid, (start, end, status) in parsed.items():
        event = events.get(uid)
        if event is None:
            continue  # a volunteer shift
        if event.kind == "exhibition":
            assert start == (event.starts_at + timedelta(hours=8)).date()
        else:
            assert (start, end) == (event.starts_at, event.ends_at)
        assert (status == "CANCELLED") == (event.status == "cancelled")


@pytest.fixture
def demo_data(app):
    demo.load()


def test_every_public_feed_of_the_demo_data_agrees_with_the_database(client, demo_data):
    page = client.get("/calendar/").data.decode()
    urls = sorted(set(re.findall(r'value="http://127.0.0.1:5000(/calendar/[^"]+\.ics)"', page)))
    assert len(urls) > 10
    total = set()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        parsed = agreed_instants(response.data)
        assert_matches_database(parsed)
        total |= set(parsed)
    visible = db.session.scalars(
        sa.select(Event.uid).where(*feeds.public_conditions(feeds.FeedFilter()))
    ).all()
    assert set(visible) == total


def test_personal_feeds_of_demo_readers_and_volunteers(client, demo_data):
    readers = db.session.scalars(sa.select(Registration.user_id).distinct().limit(5)).all()
    volunteers = db.session.scalars(sa.select(ShiftSignup.user_id).distinct().limit(3)).all()
    for user_id in {*readers, *volunteers}:
        user = db.session.get(User, user_id)
        token = feeds.issue_token(user)
        db.session.commit()
        response = client.get(f"/calendar/u/{token}.ics")
        assert response.status_code == 200
        assert_matches_database(agreed_instants(response.data))


def test_staff_export_of_demo_year_with_drafts_and_shifts(client_as, demo_data):
    staff = client_as("staff", locale="en")
    today = (utcnow() + timedelta(hours=8)).date()
    response = staff.post(
        "/calendar/export",
        data={
            "first_day": (today - timedelta(days=300)).isoformat(),
            "last_day": (today + timedelta(days=300)).isoformat(),
            "drafts": "y",
            "shifts": "y",
        },
    )
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert_matches_database(agreed_instants(response.data))
