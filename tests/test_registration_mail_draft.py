"""The confirmation or waitlist mail is written before the event's lock and completed under
it: the reader gets exactly the mail written from the registration itself, in their
language, also when the seats went to others between the guess and the lock."""

import pytest
import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.models import Event, OutboxMessage
from eventsys.services import mails
from eventsys.services import registrations as reg
from eventsys.services.registrations.reader_mails import registration_link


def _mail_to(user) -> OutboxMessage:
    return db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.to_address == user.email)
    ).one()


def _written_now(registration) -> tuple[str, str]:
    """The mail as written from the stored registration, after the fact."""
    context = {"registration": registration, "link": registration_link(registration)}
    if registration.status == "confirmed":
        return mails.write(registration.user, "registration_confirmed", **context)
    position = reg.waitlist_position(registration)
    return mails.write(registration.user, "waitlist_joined", position=position, **context)


@pytest.mark.parametrize("locale", ["zh_Hans", "en"])
def test_confirmed_and_waitlisted_readers_get_the_mail_of_their_registration(
    make_event, make_user, locale
):
    event = make_event(title="昆曲欣赏", title_en="Kunqu Opera", capacity=2)
    readers = [make_user(locale=locale) for _ in range(4)]
    registrations = [reg.register(event, reader, party_size=1) for reader in readers]
    assert [r.status for r in registrations] == ["confirmed"] * 2 + ["waitlisted"] * 2

    for reader, registration in zip(readers, registrations, strict=True):
        mail = _mail_to(reader)
        assert (mail.subject, mail.body) == _written_now(registration)
        assert registration_link(registration) in mail.body
        assert "\x00" not in mail.subject + mail.body
    assert "(number 2)" in _mail_to(readers[3]).body or "第 2 位" in _mail_to(readers[3]).body
    assert len(_mail_to(readers[0]).attachments) == 2  # the calendar file and the QR code
    assert _mail_to(readers[2]).attachments == []


def test_seats_taken_by_others_after_the_event_was_read_give_the_waitlist_mail(
    make_event, make_user
):
    event = make_event(capacity=1)
    reader = make_user(locale="en")
    assert event.seats_left == 1  # what the request read: one seat free
    # Meanwhile another server gave the seat away; this session still holds the old count.
    db.session.execute(sa.update(Event.__table__).values(seats_taken=1))

    registration = reg.register(event, reader)
    assert registration.status == "waitlisted"
    mail = _mail_to(reader)
    assert mail.subject.startswith("Waiting list:")
    assert (mail.subject, mail.body) == _written_now(registration)
    assert "(number 1)" in mail.body


def test_seats_freed_after_the_event_was_read_as_full_are_taken(make_event, make_user):
    """A full event is locked and looked at again before anyone is put on the waitlist."""
    event = make_event(capacity=1)
    holder = reg.register(event, make_user())
    reader = make_user(locale="en")
    assert event.seats_left == 0  # what the request read: no seat free
    # Meanwhile the holder cancelled on another server; this session still holds the count.
    db.session.execute(sa.update(Event.__table__).values(seats_taken=0))
    db.session.execute(
        sa.update(type(holder).__table__).values(status="cancelled", cancelled_at=sa.func.now())
    )

    registration = reg.register(event, reader)
    assert registration.status == "confirmed"
    mail = _mail_to(reader)
    assert mail.subject.startswith("Registered:")
    assert (mail.subject, mail.body) == _written_now(registration)
    assert db.session.get(Event, event.id).seats_taken == 1
