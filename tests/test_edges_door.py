"""Cancelled and far-off events: what readers see, the door's window, walk-ins, no-shows."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from test_api_support import auth

from eventsys.config import from_environment
from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import AuditEntry, Event, OutboxMessage, Registration, User
from eventsys.services import events as events_service
from eventsys.services import indicators
from eventsys.services import registrations as reg
from eventsys.services.registrations import RegistrationError

CST = ZoneInfo("Asia/Shanghai")
REASON = "The speaker is ill"


@pytest.fixture
def app_config():
    return {"BABEL_DEFAULT_LOCALE": "en"}


def _refused(code, call, *args, **kwargs):
    with pytest.raises(RegistrationError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value.message
    assert caught.value.message
    return caught.value


def _cancel(event, staff):
    events_service.cancel(db.session.get(Event, event.id), REASON, staff)
    db.session.commit()


def _audit(action):
    return db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ).all()


def _section(page: str, heading: str) -> str:
    """The part of a page from an <h2> with ``heading`` to the next <h2>."""
    match = re.search(rf"<h2[^>]*>\s*{re.escape(heading)}\s*</h2>(.*?)(?=<h2|$)", page, re.S)
    return match[1] if match else ""


def _soon(make_event, **fields):
    """An event starting within the hour, so that its door is open."""
    start = utcnow().replace(microsecond=0) + timedelta(minutes=30)
    return make_event(starts_at=start, ends_at=start + timedelta(hours=2), **fields)


# ---------------------------------------------------------------- 3: what readers see


def test_cancelled_event_says_cancelled_with_reason_and_no_qr_code(
    client_as, make_event, make_user
):
    event = make_event(title="江南园林讲座")
    client = client_as()
    registration = reg.register(event, client.user)
    _cancel(event, make_user("staff"))

    page = client.get(f"/registrations/{registration.id}").get_data(as_text=True)
    assert "Event cancelled" in page and REASON in page
    assert "<svg" not in page and registration.checkin_code not in page
    assert registration.shown_checkin_code not in page
    assert "Cancel my registration" not in page

    box = client.get(f"/events/{event.id}/register").get_data(as_text=True)
    assert "You are registered" not in box and "QR code" not in box
    assert REASON in box

    mine = client.get("/my/registrations").get_data(as_text=True)
    assert "江南园林讲座" not in _section(mine, "Upcoming")
    cancelled = _section(mine, "Cancelled")
    assert "江南园林讲座" in cancelled and REASON in cancelled
    assert "QR code" not in cancelled


def test_own_cancellations_leave_the_upcoming_list(client_as, make_event):
    event = make_event(title="昆曲欣赏")
    client = client_as()
    registration = reg.register(event, client.user)
    reg.cancel_registration(registration, client.user)
    mine = client.get("/my/registrations").get_data(as_text=True)
    assert "昆曲欣赏" not in _section(mine, "Upcoming")
    assert "昆曲欣赏" in _section(mine, "Cancelled")


def test_api_reports_the_events_cancellation_and_hides_the_code(app, client, make_event, make_user):
    event = make_event()
    reader = make_user()
    reg.register(event, reader)
    _cancel(event, make_user("staff"))
    response = client.get("/api/v1/me/registrations", headers=auth(client, reader))
    (item,) = response.get_json()["items"]
    assert item["event"]["status"] == "cancelled"
    assert item["event"]["cancel_reason"] == REASON
    assert item["checkin_code"] is None


# ---------------------------------------------------------------- 4: the door's window


def test_door_refuses_a_cancelled_event_by_code_and_by_name(client_as, make_event, make_user):
    event = _soon(make_event)
    r = reg.register(event, make_user(display_name="王芳"))
    staff = client_as("staff")
    _cancel(event, staff.user)
    event = db.session.get(Event, event.id)
    error = _refused("cancelled", reg.check_in, event, r.checkin_code)
    assert REASON in error.message
    _refused("cancelled", reg.check_in_registration, db.session.get(Registration, r.id))

    url = f"/staff/events/{event.id}/checkin"
    response = staff.post(url, data={"code": r.checkin_code})
    assert response.status_code == 422 and "cancelled" in response.get_data(as_text=True)
    response = staff.post(f"{url}/{r.id}")
    assert response.status_code == 422
    assert db.session.get(Registration, r.id).checked_in_at is None


def test_door_refuses_an_event_eleven_days_away(client_as, make_event, make_user):
    event = make_event(starts_at=utcnow() + timedelta(days=11))
    r = reg.register(event, make_user())
    error = _refused("not_started", reg.check_in, event, r.checkin_code)
    assert "opens" in error.message
    _refused("not_started", reg.check_in_registration, r)
    staff = client_as("staff")
    page = staff.get(f"/staff/events/{event.id}/checkin").get_data(as_text=True)
    assert "Check-in opens" in page
    response = staff.post(f"/staff/events/{event.id}/checkin/{r.id}")
    assert response.status_code == 422
    assert db.session.get(Registration, r.id).checked_in_at is None


def test_door_opens_a_configurable_time_before_the_start(app, make_event, make_user):
    event = make_event(starts_at=utcnow() + timedelta(hours=3))
    r = reg.register(event, make_user())
    assert app.config["EVENTSYS_CHECKIN_OPENS_MINUTES"] == 120
    _refused("not_started", reg.check_in, event, r.checkin_code)
    app.config["EVENTSYS_CHECKIN_OPENS_MINUTES"] = 240
    assert not reg.check_in(event, r.checkin_code).already
    assert from_environment({"EVENTSYS_CHECKIN_OPENS_MINUTES": "30"}) == {
        "EVENTSYS_CHECKIN_OPENS_MINUTES": 30
    }


def test_door_window_ends_with_the_events_last_local_day(app, make_event):
    lecture = make_event(
        starts_at=datetime(2021, 3, 10, 14, tzinfo=CST),
        ends_at=datetime(2021, 3, 10, 16, tzinfo=CST),
    )
    assert reg.check_in_window(lecture) == (
        datetime(2021, 3, 10, 12, tzinfo=CST),
        datetime(2021, 3, 11, 0, tzinfo=CST),
    )
    exhibition = make_event(
        kind="exhibition",
        capacity=None,
        starts_at=datetime(2021, 3, 1, 9, tzinfo=CST),
        ends_at=datetime(2021, 4, 1, 0, tzinfo=CST),
    )
    assert reg.check_in_window(exhibition)[1] == datetime(2021, 4, 1, 0, tzinfo=CST)
    exhibition.ends_at = datetime(2021, 4, 1, 17, tzinfo=CST)
    assert reg.check_in_window(exhibition)[1] == datetime(2021, 4, 2, 0, tzinfo=CST)


def test_door_is_closed_after_the_events_day(make_event, make_user):
    event = make_event()
    r = reg.register(event, make_user())
    event = db.session.get(Event, event.id)
    event.starts_at = utcnow() - timedelta(days=2)
    event.ends_at = event.starts_at + timedelta(hours=2)
    db.session.commit()
    error = _refused("past", reg.check_in, event, r.checkin_code)
    assert "closed" in error.message


# ---------------------------------------------------------------- 5: walk-ins


def test_walk_in_steps_are_bounded(make_event, make_user, make_venue):
    event = make_event(venue=make_venue(capacity=280), capacity=200)
    staff = make_user("staff")
    _refused("bad_input", reg.record_walk_ins, event, 999, staff)
    _refused("bad_input", reg.record_walk_ins, event, 51, staff)
    _refused("bad_input", reg.record_walk_ins, event, -51, staff)
    assert reg.record_walk_ins(event, 50, staff) == 50
    _refused("bad_input", reg.record_walk_ins, event, -50 - 1, staff)
    assert db.session.get(Event, event.id).walk_ins == 50


def test_walk_ins_above_the_room_need_a_confirmation_that_is_logged(
    make_event, make_user, make_venue
):
    event = _soon(make_event, venue=make_venue(capacity=60), capacity=20, max_party_size=4)
    staff = make_user("staff")
    r = reg.register(event, make_user(), 4)
    reg.check_in(event, r.checkin_code)
    assert reg.record_walk_ins(event, 50, staff) == 50
    assert reg.record_walk_ins(event, 6, staff) == 56  # 4 checked in + 56 = 60 seats
    error = _refused("over_capacity", reg.record_walk_ins, event, 1, staff)
    assert "60" in error.message
    assert db.session.get(Event, event.id).walk_ins == 56
    assert reg.record_walk_ins(event, 1, staff, over_capacity=True) == 57
    assert _audit("event.walk_ins")[-1].after["over_capacity"] is True
    assert reg.record_walk_ins(event, -1, staff) == 56


def test_walk_in_page_bounds_and_confirms(client_as, make_event, make_venue):
    event = make_event(venue=make_venue(capacity=280))
    staff = client_as("staff")
    url = f"/staff/events/{event.id}/walk-ins"
    page = staff.post(url, data={"delta": "999"}, follow_redirects=True).get_data(as_text=True)
    assert "between 1 and 50" in page
    assert db.session.get(Event, event.id).walk_ins == 0
    for _ in range(5):
        staff.post(url, data={"delta": "50"})
    staff.post(url, data={"delta": "30"})
    page = staff.post(url, data={"delta": "1"}, follow_redirects=True).get_data(as_text=True)
    assert "280" in page and 'name="over_capacity"' in page
    assert db.session.get(Event, event.id).walk_ins == 280
    staff.post(url, data={"delta": "1", "over_capacity": "y"})
    assert db.session.get(Event, event.id).walk_ins == 281


# ---------------------------------------------------------------- 6: suspensions and no-shows


def _no_show(make_event, reader, staff, **fields):
    event = make_event(**fields)
    r = reg.register(event, reader)
    event = db.session.get(Event, event.id)
    event.starts_at = utcnow() - timedelta(hours=3)
    event.ends_at = event.starts_at + timedelta(hours=2)
    db.session.commit()
    reg.close_event(event, staff)
    return db.session.get(Registration, r.id)


def _suspended_reader(make_event, make_user, staff):
    reader = make_user(display_name="李雷")
    for n in range(3):
        _no_show(make_event, reader, staff, title=f"讲座 {n}")
    reader = db.session.get(User, reader.id)
    assert reg.is_suspended(reader)
    return reader


def test_staff_see_and_lift_a_suspension_and_the_reader_is_told(client_as, make_event, make_user):
    staff = client_as("staff")
    reader = _suspended_reader(make_event, make_user, staff.user)
    page = staff.get(f"/staff/readers/{reader.id}").get_data(as_text=True)
    assert "李雷" in page and "suspended until" in page.lower()
    response = staff.post(f"/staff/readers/{reader.id}/lift-suspension")
    assert response.status_code == 302
    db.session.expire_all()
    reader = db.session.get(User, reader.id)
    assert reader.suspended_until is None and not reg.is_suspended(reader)
    (entry,) = _audit("user.suspension_lift")
    assert entry.actor_id == staff.user.id and entry.entity_id == reader.id
    assert entry.before["suspended_until"]
    mails = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.to_address == reader.email)
    ).all()
    assert any("lifted" in m.subject.lower() for m in mails)
    reg.register(make_event(), reader)  # online registration works again
    _refused("not_suspended", reg.lift_suspension, reader, staff.user)


def test_suspension_shows_on_the_registrations_list_and_the_admin_page(
    client_as, make_event, make_user
):
    staff = client_as("staff")
    reader = _suspended_reader(make_event, make_user, staff.user)
    event = make_event()
    reg.register(event, reader, source=reg.STAFF, actor=staff.user)
    page = staff.get(f"/staff/events/{event.id}/registrations").get_data(as_text=True)
    assert f"/staff/readers/{reader.id}" in page and "Suspended" in page
    admin = client_as("admin")
    page = admin.get(f"/admin/users/{reader.id}").get_data(as_text=True)
    assert "suspended until" in page.lower() and f"/staff/readers/{reader.id}" in page


def test_undo_a_no_show_of_someone_who_was_there_counts_them(client_as, make_event, make_user):
    staff = client_as("staff")
    reader = make_user()
    r = _no_show(make_event, reader, staff.user, max_party_size=3)
    event = db.session.get(Event, r.event_id)
    page = staff.get(f"/staff/events/{event.id}/registrations").get_data(as_text=True)
    assert f"/staff/registrations/{r.id}/undo-no-show" in page
    response = staff.post(f"/staff/registrations/{r.id}/undo-no-show", data={"outcome": "attended"})
    assert response.status_code == 302
    db.session.expire_all()
    r = db.session.get(Registration, r.id)
    assert r.status == "confirmed" and r.checked_in_at is not None
    (entry,) = _audit("registration.undo_no_show")
    assert entry.before["status"] == "no_show" and entry.after["status"] == "confirmed"
    assert entry.actor_id == staff.user.id
    shares = indicators.contributions(indicators.year_period(event.starts_at.astimezone(CST).year))
    assert shares[str(event.id)] == [1, 1]
    _refused("bad_input", reg.undo_no_show, r, staff.user, attended=True)


def test_undo_a_no_show_as_excused_counts_nobody(make_event, make_user):
    staff, reader = make_user("staff"), make_user()
    r = _no_show(make_event, reader, staff)
    r = reg.undo_no_show(r, staff, attended=False)
    assert r.status == "cancelled" and r.checked_in_at is None
    assert _audit("registration.undo_no_show")[0].after["status"] == "cancelled"
