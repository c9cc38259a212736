"""Personal feeds: the reader's own registrations and shifts behind a revocable token."""

from datetime import timedelta

import icalendar
import pytest
import vobject

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Registration, User
from eventsys.models.volunteers import Shift, ShiftSignup, VolunteerRole
from eventsys.services import events as event_service
from eventsys.services import feeds


@pytest.fixture
def app_config():
    # English, so the assertions hold once the Chinese catalogue exists.
    return {"BABEL_DEFAULT_LOCALE": "en"}


def parse_both(body: bytes) -> dict:
    """uid → (start, end, summary, status, sequence), the same in icalendar and vobject."""
    first = {
        str(ve["UID"]): (
            ve.decoded("DTSTART"),
            ve.decoded("DTEND"),
            str(ve["SUMMARY"]),
            str(ve["STATUS"]),
            int(ve.get("SEQUENCE", 0)),
        )
        for ve in icalendar.Calendar.from_ical(body).walk("VEVENT")
    }
    second = {
        ve.uid.value: (
            ve.dtstart.value,
            ve.dtend.value,
            ve.summary.value,
            ve.status.value,
            int(ve.sequence.value),
        )
        for ve in vobject.readOne(body.decode("utf-8"), validate=True).contents.get("vevent", [])
    }
    assert first == second
    return first


def register(user, event, status="confirmed", **fields) -> Registration:
    registration = Registration(event=event, user=user, status=status, **fields)
    db.session.add(registration)
    db.session.commit()
    return registration


@pytest.fixture
def reader(client_as):
    return client_as("reader", locale="en")


def token_url(client) -> str:
    response = client.post("/calendar/token")
    assert response.status_code == 302
    token = db.session.get(User, client.user.id).calendar_token
    assert token
    return f"/calendar/u/{token}.ics"


def test_personal_feed_shows_own_registrations_with_own_status(
    client, reader, make_event, make_user
):
    confirmed = make_event(title="江南园林讲座")
    waitlisted = make_event(title="昆曲欣赏")
    someone_elses = make_event(title="别人的活动")
    register(reader.user, confirmed)
    register(reader.user, waitlisted, status="waitlisted")
    other = make_user()
    register(other, someone_elses, needs_note="轮椅")
    register(other, confirmed, party_size=3)

    response = client.get(token_url(reader))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response.headers["Cache-Control"]
    parsed = parse_both(response.data)

    assert set(parsed) == {confirmed.uid, waitlisted.uid}
    assert parsed[confirmed.uid][3] == "CONFIRMED"
    assert parsed[waitlisted.uid][3] == "TENTATIVE"
    assert "Waitlisted" in parsed[waitlisted.uid][2]
    assert parsed[confirmed.uid][0] == confirmed.starts_at
    text = response.data.decode("utf-8").replace("\r\n ", "")
    assert "Your registration: confirmed." in text
    assert "Your registration: on the waiting list." in text
    assert other.email not in text and other.display_name not in text and "轮椅" not in text


def test_event_cancelled_by_library_stays_in_personal_feed(client, reader, make_event, make_user):
    event = make_event()
    register(reader.user, event)
    url = token_url(reader)
    event_service.cancel(event, "讲者临时有事", make_user("staff"))
    db.session.commit()

    parsed = parse_both(client.get(url).data)
    assert parsed[event.uid][3] == "CANCELLED"


def test_own_cancelled_registration_leaves_personal_feed(client, reader, make_event):
    event = make_event()
    registration = register(reader.user, event)
    url = token_url(reader)
    registration.status = "cancelled"
    registration.cancelled_at = utcnow()
    db.session.commit()
    assert parse_both(client.get(url).data) == {}


def test_regenerated_token_replaces_the_old_one_at_once(client, reader, make_event):
    register(reader.user, make_event())
    old_url = token_url(reader)
    assert client.get(old_url).status_code == 200

    new_url = token_url(reader)
    assert new_url != old_url
    assert client.get(old_url).status_code == 404
    assert client.get(new_url).status_code == 200


def test_revoked_token_answers_404_without_a_hint(client, reader, make_event):
    url = token_url(reader)
    assert reader.post("/calendar/token/revoke").status_code == 302
    assert db.session.get(User, reader.user.id).calendar_token is None

    revoked = client.get(url)
    forged = client.get("/calendar/u/" + "A" * 43 + ".ics")
    malformed = client.get("/calendar/u/%3Cx%3E.ics")
    assert revoked.status_code == forged.status_code == malformed.status_code == 404
    for response in (revoked, forged):
        text = response.data.decode().lower().split("<main", 1)[1].split("</main>", 1)[0]
        assert "page not found" in text
        assert "revoked" not in text and "token" not in text


def test_closed_account_feed_stops_working(client, reader):
    url = token_url(reader)
    user = db.session.get(User, reader.user.id)
    user.active = False
    db.session.commit()
    assert client.get(url).status_code == 404


def test_chosen_reminder_adds_valarm(client, reader, make_event):
    event = make_event()
    register(reader.user, event)
    url = token_url(reader)
    assert not list(icalendar.Calendar.from_ical(client.get(url).data).walk("VALARM"))

    assert reader.post("/calendar/alarm", data={"alarm": "60"}).status_code == 302
    alarms = list(icalendar.Calendar.from_ical(client.get(url).data).walk("VALARM"))
    assert len(alarms) == 1
    assert alarms[0].decoded("TRIGGER") == timedelta(hours=-1)
    assert str(alarms[0]["ACTION"]) == "DISPLAY"

    reader.post("/calendar/alarm", data={"alarm": ""})
    assert not list(icalendar.Calendar.from_ical(client.get(url).data).walk("VALARM"))


def test_unknown_reminder_is_refused(reader):
    response = reader.post("/calendar/alarm", data={"alarm": "7"}, follow_redirects=True)
    assert response.status_code == 200
    assert b"Choose one of the offered reminder times." in response.data
    assert db.session.get(User, reader.user.id).calendar_alarm_minutes is None
    with pytest.raises(feeds.FeedError):
        feeds.set_alarm(reader.user, 3)


def test_personal_feed_answers_304_and_changes_with_status(client, reader, make_event):
    event = make_event()
    registration = register(reader.user, event, status="waitlisted")
    url = token_url(reader)
    first = client.get(url)
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304

    registration.status = "confirmed"
    registration.confirmed_at = utcnow() + timedelta(seconds=1)
    db.session.commit()
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert parse_both(again.data)[event.uid][3] == "CONFIRMED"


def test_volunteer_feed_includes_own_shifts(client, client_as, make_venue, make_event):
    volunteer = client_as("volunteer", locale="en")
    venue = make_venue()
    role = VolunteerRole(name="阅读指导")
    starts = utcnow().replace(microsecond=0) + timedelta(days=2)
    mine = Shift(
        role=role, venue=venue, starts_at=starts, ends_at=starts + timedelta(hours=3), slots=2
    )
    other = Shift(
        role=role, venue=venue, starts_at=starts, ends_at=starts + timedelta(hours=1), slots=2
    )
    db.session.add_all([role, mine, other])
    db.session.flush()
    db.session.add(ShiftSignup(shift=mine, user_id=volunteer.user.id))
    db.session.commit()

    parsed = parse_both(client.get(token_url(volunteer)).data)
    assert set(parsed) == {mine.uid}
    start, end, summary, status, _seq = parsed[mine.uid]
    assert (start, end) == (mine.starts_at, mine.ends_at)
    assert "阅读指导" in summary and status == "CONFIRMED"


def test_account_page_shows_feed_controls(reader):
    page = reader.get("/auth/account")
    assert page.status_code == 200
    assert b"Create my calendar address" in page.data

    token_url(reader)
    page = reader.get("/auth/account").data.decode()
    token = db.session.get(User, reader.user.id).calendar_token
    assert f'value="http://127.0.0.1:5000/calendar/u/{token}.ics"' in page
    assert f"webcal://127.0.0.1:5000/calendar/u/{token}.ics" in page
    for app_name in ("Google Calendar", "Outlook", "Apple Calendar", "Thunderbird"):
        assert app_name in page
    assert "/calendar/token/revoke" in page and 'name="alarm"' in page


def test_token_actions_need_login_and_csrf(client, app):
    assert client.post("/calendar/token").status_code == 302  # to the login page
    assert client.get("/calendar/token").status_code == 405
