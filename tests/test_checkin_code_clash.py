"""A new registration whose check-in code another registration already holds is not taken
for a second registration of the same reader: it is written again with a fresh code, and
the reader's seat, place and mail are those of the registration that was kept."""

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


def test_a_reader_registered_in_the_meantime_is_still_told_so(monkeypatch, make_event, make_user):
    """The unique index, not the code, refused the row: that stays "registered already"."""
    event = make_event(capacity=5)
    reader = make_user()
    earlier = reg.register(event, reader)
    # As if the check before the lock had run just before the reader's other registration.
    real_check, calls = booking.active_registration, []

    def check_missing_the_first_time(*args):
        calls.append(args)
        return None if len(calls) == 1 else real_check(*args)

    monkeypatch.setattr(booking, "active_registration", check_missing_the_first_time)
    _codes(monkeypatch, FRESH)
    with pytest.raises(RegistrationError) as refused:
        reg.register(event, reader)
    assert refused.value.code == "duplicate"
    assert len(calls) == 2  # before the lock, and after the refused row
    assert db.session.get(Event, event.id).seats_taken == 1
    assert db.session.scalars(sa.select(Registration.id)).all() == [earlier.id]
