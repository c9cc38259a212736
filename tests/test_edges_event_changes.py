"""Changes to an event reach readers the same way whichever door staff use (the staff
form or the API): a raised capacity promotes the waiting list, a move tells everyone
booked, in their own language, with the updated calendar file."""

from datetime import timedelta

import icalendar
import pytest
import sqlalchemy as sa
from test_api_support import auth

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Event, OutboxMessage, Registration
from eventsys.services import events as event_service
from eventsys.services import registrations as reg
from eventsys.services.events import to_local

DOORS = ("form", "api")


def _local(value) -> str:
    return to_local(value).strftime("%Y-%m-%dT%H:%M")


def _form_data(event: Event, **changes) -> dict:
    """The staff edit form as a browser posts it for ``event``, with ``changes``."""
    values = {name: getattr(event, name) for name in event_service.EDITABLE_FIELDS}
    values.update(changes)
    data = {
        "kind": values["kind"],
        "title": values["title"],
        "description": values["description"] or "",
        "venue_id": str(values["venue_id"] or 0),
        "series_id": str(values["series_id"] or 0),
        "campaign_id": str(values["campaign_id"] or 0),
        "parent_id": str(values["parent_id"] or 0),
        "starts_at": _local(values["starts_at"]),
        "ends_at": _local(values["ends_at"]),
        "audience": values["audience"],
        "capacity": "" if values["capacity"] is None else str(values["capacity"]),
        "max_party_size": str(values["max_party_size"]),
    }
    if values["waitlist_enabled"]:
        data["waitlist_enabled"] = "y"
    return data


@pytest.fixture
def make_event(make_event):
    """Events on whole minutes, as the staff form (minutes, no seconds) gives them back."""

    def make(**fields):
        fields.setdefault(
            "starts_at", utcnow().replace(second=0, microsecond=0) + timedelta(days=7)
        )
        return make_event(**fields)

    return make


@pytest.fixture
def change_through(client, client_as, make_user):
    """change_through(door, event, **changes): staff change the event through that door."""
    staff_form = client_as("staff")
    staff_headers = auth(client, make_user("staff"))

    def change(door: str, event: Event, **changes) -> None:
        if door == "form":
            response = staff_form.post(
                f"/staff/events/{event.id}/edit", data=_form_data(event, **changes)
            )
            assert response.status_code == 302, response.get_data(as_text=True)
        else:
            body = {
                name: value.isoformat() if hasattr(value, "isoformat") else value
                for name, value in changes.items()
            }
            response = client.patch(f"/api/v1/events/{event.id}", json=body, headers=staff_headers)
            assert response.status_code == 200, response.get_json()
        db.session.expire_all()

    return change


def _mails_since(last_id: int) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.id > last_id).order_by(OutboxMessage.id)
        )
    )


def _last_mail_id() -> int:
    return db.session.scalar(sa.select(sa.func.max(OutboxMessage.id))) or 0


def _attached_event(mail: OutboxMessage) -> icalendar.Event:
    (attachment,) = [a for a in mail.attachments if a["filename"].endswith(".ics")]
    (vevent,) = icalendar.Calendar.from_ical(attachment["content"]).walk("VEVENT")
    return vevent


# --- 1: capacity -------------------------------------------------------------------------


def _raise_capacity(door, change_through, make_event, make_user) -> dict:
    """Capacity 1 → 3 with one reader confirmed and three waiting (the last a party of two)."""
    event = make_event(capacity=1, max_party_size=2)
    readers = [make_user() for _ in range(4)]
    for reader, size in zip(readers, (1, 1, 1, 2), strict=True):
        reg.register(event, reader, size)
    first_mail = _last_mail_id()

    change_through(door, event, capacity=3)

    registrations = db.session.scalars(
        sa.select(Registration).where(Registration.event_id == event.id).order_by(Registration.id)
    ).all()
    index = {reader.email: n for n, reader in enumerate(readers)}
    return {
        "statuses": [r.status for r in registrations],
        "seats_taken": db.session.get(Event, event.id).seats_taken,
        "mails": sorted(
            (index[m.to_address], m.subject.split(":")[0]) for m in _mails_since(first_mail)
        ),
    }


def test_capacity_raised_through_the_form_or_the_api_promotes_and_mails_alike(
    app, change_through, make_event, make_user
):
    outcomes = {
        door: _raise_capacity(door, change_through, make_event, make_user) for door in DOORS
    }
    assert outcomes["form"] == outcomes["api"]
    assert outcomes["form"] == {
        "statuses": ["confirmed", "confirmed", "confirmed", "waitlisted"],
        "seats_taken": 3,
        "mails": [(1, "A seat for you"), (2, "A seat for you")],
    }


@pytest.mark.parametrize("door", DOORS)
def test_capacity_change_through_either_door_is_audited_once(
    app, door, change_through, make_event, make_user
):
    from eventsys.models import AuditEntry

    event = make_event(capacity=2)
    reg.register(event, make_user())
    change_through(door, event, capacity=4)
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.action.like("event.%"))
    ).all()
    assert actions.count("event.capacity") == 1
    assert db.session.get(Event, event.id).capacity == 4


# --- 2: moving an event ------------------------------------------------------------------


@pytest.mark.parametrize("door", DOORS)
def test_moving_an_event_mails_everyone_booked_in_their_language_with_the_new_calendar(
    app, door, change_through, make_event, make_user
):
    event = make_event(capacity=1, title="昆曲六百年")
    confirmed = make_user(locale="en")
    waiting = make_user(locale="zh_Hans")
    gone = make_user()
    reg.register(event, confirmed)
    reg.register(event, waiting)
    reg.cancel_registration(reg.register(event, gone), gone)
    sequence = db.session.get(Event, event.id).sequence
    first_mail = _last_mail_id()
    new_start = event.starts_at + timedelta(days=1, hours=2)

    change_through(door, event, starts_at=new_start, ends_at=new_start + timedelta(hours=2))

    event = db.session.get(Event, event.id)
    assert event.sequence > sequence
    mails = {m.to_address: m for m in _mails_since(first_mail)}
    assert sorted(mails) == sorted([confirmed.email, waiting.email])
    english, chinese = mails[confirmed.email], mails[waiting.email]
    assert "昆曲六百年" in english.subject and "昆曲六百年" in english.body
    assert reg.local_text(new_start) in english.body
    for mail in (english, chinese):
        vevent = _attached_event(mail)
        assert vevent["SEQUENCE"] == event.sequence
        assert vevent.decoded("DTSTART") == new_start
    # Each reader's own language, down to the calendar file's categories.
    assert "Lecture" in _attached_event(english)["CATEGORIES"].to_ical().decode()
    assert "讲座" in _attached_event(chinese)["CATEGORIES"].to_ical().decode()
    assert _attached_event(chinese)["STATUS"] == "TENTATIVE"
    assert _attached_event(english)["STATUS"] == "CONFIRMED"


@pytest.mark.parametrize("door", DOORS)
def test_moving_to_another_venue_mails_the_new_place(
    app, door, change_through, make_event, make_user, make_venue
):
    event = make_event()
    reader = make_user()
    reg.register(event, reader)
    other = make_venue(name="第二报告厅", capacity=200)
    first_mail = _last_mail_id()

    change_through(door, event, venue_id=other.id)

    (mail,) = _mails_since(first_mail)
    assert mail.to_address == reader.email
    assert "第二报告厅" in mail.body
    assert "第二报告厅" in _attached_event(mail)["LOCATION"]


@pytest.mark.parametrize("door", DOORS)
def test_a_new_title_alone_mails_nobody(app, door, change_through, make_event, make_user):
    event = make_event()
    reg.register(event, make_user())
    first_mail = _last_mail_id()
    change_through(door, event, title="新的题目")
    assert _mails_since(first_mail) == []


def test_the_same_move_saved_twice_mails_once(app, make_event, make_user):
    event = make_event()
    reg.register(event, make_user())
    staff = make_user("staff")
    first_mail = _last_mail_id()
    new_start = event.starts_at + timedelta(hours=1)
    change = {"starts_at": new_start, "ends_at": new_start + timedelta(hours=2)}
    event_service.update_event(event, staff, change)
    db.session.commit()
    event_service.update_event(event, staff, change)
    db.session.commit()
    assert len(_mails_since(first_mail)) == 1


def test_correcting_a_past_event_mails_nobody(app, make_event, make_user):
    start = utcnow() + timedelta(days=1)
    event = make_event(starts_at=start)
    reg.register(event, make_user())
    event.starts_at = utcnow() - timedelta(days=2)
    event.ends_at = event.starts_at + timedelta(hours=2)
    db.session.commit()
    first_mail = _last_mail_id()
    event_service.update_event(
        event, make_user("staff"), {"ends_at": event.ends_at + timedelta(hours=1)}
    )
    db.session.commit()
    assert _mails_since(first_mail) == []
