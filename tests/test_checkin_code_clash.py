"""Both unique guards of a registration row, met under the event's lock: a check-in code
another registration holds is replaced by a fresh one (the reader's seat, place and mail
are those of the registration kept), and a reader registered already is told so."""

import pytest
import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.models import Event, OutboxMessage, Registration
from eventsys.services import registrations as reg
from eventsys.services.registrations import booking
from eventsys.services.registrations.rules import RegistrationError

FRESH = "ABCDEFGH"


def _codes(monkeypatch, *codes: str) -> None:
    given = iter(codes)
    monkeypatch.setattr(booking, "new_checkin_code", lambda: next(given))


@pytest.mark.parametrize(
    ("capacity", "status"), [(5, "confirmed"), (1, "waitlisted")], ids=["confirmed", "waitlisted"]
)
def test_a_code_held_by_another_registration_is_replaced(
    monkeypatch, make_event, make_user, capacity, status
):
    event = make_event(capacity=capacity, waitlist_enabled=True)
    first = reg.register(event, make_user(email="first@example.org"))
    reader = make_user(email="second@example.org", locale="en")
    _codes(monkeypatch, first.checkin_code, FRESH)

    registration = reg.register(event, reader)

    assert registration.status == status
    assert registration.checkin_code == FRESH
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Registration).where(Registration.event_id == event.id))
    assert sorted(r.checkin_code for r in rows) == sorted([first.checkin_code, FRESH])
    # The attempt that clashed left no seat taken behind.
    assert db.session.get(Event, event.id).seats_taken == min(2, capacity)
    mails = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.to_address == reader.email)
    ).all()
    assert len(mails) == 1
    if status == "confirmed":
        qr = next(a for a in mails[0].attachments if a["content_type"] == "image/png")
        assert qr["content"] == FRESH
    else:
        assert "(number 1)" in mails[0].body


@pytest.mark.parametrize(
    ("capacity", "waitlist"), [(5, False), (1, True)], ids=["seats free", "waitlist"]
)
def test_a_reader_registered_already_is_told_so_and_nothing_changes(
    monkeypatch, make_event, make_user, capacity, waitlist
):
    """Found by the unique index under the lock, not taken for a clash of codes."""
    event = make_event(capacity=capacity, waitlist_enabled=waitlist)
    reader = make_user()
    earlier = reg.register(event, reader)
    _codes(monkeypatch, FRESH)
    with pytest.raises(RegistrationError) as refused:
        reg.register(event, reader)
    assert refused.value.code == "duplicate"
    db.session.expire_all()
    assert db.session.get(Event, event.id).seats_taken == 1
    assert db.session.scalars(sa.select(Registration.id)).all() == [earlier.id]
    assert len(db.session.scalars(sa.select(OutboxMessage.id)).all()) == 1


def test_a_reader_registered_already_is_not_told_full_when_the_last_seat_went_meanwhile(
    monkeypatch, make_event, make_user
):
    event = make_event(capacity=2, waitlist_enabled=False)
    reader = make_user()
    reg.register(event, reader)
    db.session.commit()
    assert event.seats_left == 1  # what the request reads: one seat free
    # Meanwhile another server gave the last seat away; this session still holds the count.
    with db.engine.begin() as other_server:
        other_server.execute(sa.update(Event.__table__).values(seats_taken=2))
    _codes(monkeypatch, FRESH)
    with pytest.raises(RegistrationError) as refused:
        reg.register(event, reader)
    assert refused.value.code == "duplicate"
    assert db.session.get(Event, event.id).seats_taken == 2
