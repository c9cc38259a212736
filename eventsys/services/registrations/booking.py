"""Taking a seat or a place on the waiting list, giving it back, and changing the seats.

Each function here commits under the event's lock (see ``seats``).
"""

import logging

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from eventsys.database import commit_without_expiring, write_turn
from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Event, Registration, User
from eventsys.models.registrations import ACTIVE_STATUSES, new_checkin_code
from eventsys.services import audit
from eventsys.services.registrations import reader_mails, seats
from eventsys.services.registrations.attachments import qr_image
from eventsys.services.registrations.queries import active_registration, waitlist_position
from eventsys.services.registrations.rules import (
    CANCELLED,
    CONFIRMED,
    MAX_CAPACITY,
    NO_SHOW,
    ONLINE,
    SOURCES,
    STAFF,
    WAITLISTED,
    RegistrationError,
    check_open,
    duplicate,
    normalise_needs,
    valid_note,
    valid_party_size,
)
from eventsys.services.registrations.waitlist import promote_locked

log = logging.getLogger(__name__)


def register(
    event: Event,
    user: User,
    party_size=1,
    needs=(),
    needs_note: str = "",
    source: str = ONLINE,
    actor: User | None = None,
) -> Registration:
    """Confirm the party if its seats are free, else put it on the waitlist (FIFO).

    Staff adding a registration (``source="staff"``) bypass the window and a suspension,
    never the capacity. Commits.
    """
    if source not in SOURCES:
        raise RegistrationError("bad_input", _("Unknown source of registration."))
    by_staff = source == STAFF
    check_open(event, user, by_staff=by_staff)
    size = valid_party_size(event, party_size)
    needs_text = normalise_needs(needs)
    note = valid_note(needs_note)
    # A reader registered already is told so by the unique index under the lock (see
    # _claim): checking first would cost every registration of a rush one more statement.
    event_id = event.id
    for _attempt in range(_CODE_ATTEMPTS):
        try:
            registration = _register_with_code(
                event, user, size, needs_text, note, source, actor, new_checkin_code()
            )
            break
        except _CodeTaken:
            continue
    else:
        raise RuntimeError("no unused check-in code found")
    db.session.expire(event, ["seats_taken"])
    log.info(
        "registration %s: user %s, event %s, %s x%s",
        registration.id,
        registration.user_id,
        event_id,
        registration.status,
        size,
    )
    return registration


# A new code equals one of the n codes stored with a chance of n in 31**8 (8.5e11): a clash
# is rare enough to be found by the unique index under the lock, then tried again.
_CODE_ATTEMPTS = 5


class _CodeTaken(Exception):
    """The new registration's check-in code is held by another one; nothing was written."""


def _register_with_code(
    event: Event,
    user: User,
    size: int,
    needs_text: str,
    note: str,
    source: str,
    actor: User | None,
    code: str,
) -> Registration:
    """One attempt of ``register`` with ``code``; commits, or raises ``_CodeTaken``."""
    by_staff = source == STAFF
    # Built before the lock, which every other reader of the event waits for: the calendar
    # file (cached per event) and the mail, drafted for the outcome the seat count suggests.
    attachments = [reader_mails.calendar_attachment(user, event), qr_image(code)]
    expected = CONFIRMED if _seems_free(event, size) else WAITLISTED
    draft = reader_mails.draft_registered(user, event, size, needs_text, code, expected)

    # The read above needs no commit first: SQLite opens the write transaction at the
    # first UPDATE, and on PostgreSQL (READ COMMITTED) the UPDATE sees the latest row.
    with write_turn(event.id):
        registration = _claim(
            event, user, size, needs_text, note, source, code, expected == CONFIRMED
        )
        if actor is not None and by_staff:
            audit.record(
                actor,
                "registration.add",
                registration,
                None,
                audit.snapshot(registration, ("event_id", "user_id", "party_size", "status")),
            )
        reader_mails.queue_registered(registration, attachments, draft)
        # Everything loaded is still true after this commit, except the event's seat count.
        commit_without_expiring()
    return registration


def _seems_free(event: Event, size: int) -> bool:
    """Whether the seats were free when the event was read: the guess the mail is drafted
    for before the lock (the lock decides; a wrong guess costs a second draft)."""
    return event.capacity is not None and event.seats_taken + size <= event.capacity


def _claim(
    event: Event,
    user: User,
    size: int,
    needs: str,
    note: str,
    source: str,
    code: str,
    seemed_free: bool,
) -> Registration:
    """Take the seats or join the waitlist; the new registration, in the open transaction.

    ``seemed_free``: whether the seats were free when the event was read. If not (most of
    a rush), the event is locked and looked at again without first trying to take them."""
    try:
        confirmed = seemed_free and seats.take_seats(event.id, size)
        if not confirmed:
            # A failed conditional UPDATE locks nothing on PostgreSQL: lock, then look again.
            state = seats.lock_event(event.id)
            fits = state.capacity is not None and state.seats_taken + size <= state.capacity
            confirmed = fits and seats.take_seats(event.id, size)
            if not confirmed and not state.waitlist_enabled:
                db.session.rollback()
                if active_registration(event, user) is not None:
                    raise duplicate()
                raise RegistrationError("full", _("This event is fully booked."))
        registration = seats.insert_registration(
            event, user, size, confirmed, needs, note, source, code
        )
    except IntegrityError:
        # The partial unique index (this reader registered in the meantime) or the unique
        # check-in code: after the rollback, the reader's registration tells which.
        db.session.rollback()
        if active_registration(event, user) is not None:
            raise duplicate() from None
        raise _CodeTaken from None
    # Counted under the lock, for the mail and for the answer to this request.
    registration.known_waitlist_position = waitlist_position(registration)
    return registration


def cancel_registration(
    registration: Registration, actor: User | None, *, notify: bool = True
) -> Registration:
    """Cancel and pass freed seats to the waitlist. Twice is harmless. Commits.

    The reader gets a mail saying so, unless ``notify`` is false (closing the account).

    A reader can cancel until the event starts; staff at any time before it is closed.
    """
    by_staff = actor is not None and actor.is_staff and actor.id != registration.user_id
    event = registration.event
    if registration.status in (CANCELLED, NO_SHOW):
        return registration
    if not by_staff and event.starts_at <= utcnow():
        raise RegistrationError(
            "past", _("The event has started; a registration can no longer be cancelled.")
        )
    if event.closed_at is not None:
        raise RegistrationError("past", _("The event is closed; its registrations are final."))
    registration_id, event_id = registration.id, event.id
    before = audit.snapshot(registration, ("status", "party_size"))

    db.session.commit()
    with write_turn(event_id):
        seats.lock_event(event_id)
        current = db.session.execute(
            sa.select(Registration.status, Registration.party_size).where(
                Registration.id == registration_id
            )
        ).one()
        if current.status not in ACTIVE_STATUSES:
            db.session.rollback()
            return db.session.get(Registration, registration_id)
        db.session.execute(
            sa.update(Registration)
            .where(Registration.id == registration_id)
            .values(status=CANCELLED, cancelled_at=utcnow())
        )
        if current.status == CONFIRMED:
            seats.free_seats(event_id, current.party_size)
        db.session.expire_all()
        registration = db.session.get(Registration, registration_id)
        if by_staff:
            audit.record(actor, "registration.cancel", registration, before, {"status": CANCELLED})
            reader_mails.queue_cancelled_by_library(registration)
        elif notify:
            reader_mails.queue_cancelled_by_reader(registration)
        promote_locked(db.session.get(Event, event_id))
        db.session.commit()
    return registration


def change_capacity(event: Event, new_capacity, actor: User | None) -> Event:
    """Raise or lower the seats; raising promotes the waitlist. Lowering below the seats
    held by confirmed parties is refused: staff cancel parties explicitly. Commits."""
    try:
        capacity = int(new_capacity)
    except (TypeError, ValueError):
        capacity = -1
    if capacity < 0 or capacity > MAX_CAPACITY:
        raise RegistrationError(
            "capacity",
            _("The capacity is a whole number from 0 to %(max)s.", max=MAX_CAPACITY),
        )
    if not event.takes_registrations:
        raise RegistrationError("not_open", _("This event needs no registration."))
    event_id, old_capacity = event.id, event.capacity
    db.session.commit()
    result = db.session.execute(
        sa.update(Event)
        .where(Event.id == event_id, Event.seats_taken <= capacity)
        .values(capacity=capacity)
    )
    if result.rowcount != 1:
        db.session.rollback()
        event = db.session.get(Event, event_id)
        raise RegistrationError(
            "capacity",
            _(
                "%(taken)s seats are held by confirmed parties, more than %(capacity)s. "
                "Cancel parties on the registrations page first; each of them will be told.",
                taken=event.seats_taken,
                capacity=capacity,
            ),
        )
    event = db.session.get(Event, event_id)
    db.session.refresh(event)
    audit.record(actor, "event.capacity", event, {"capacity": old_capacity}, {"capacity": capacity})
    if old_capacity is None or capacity > old_capacity:
        promote_locked(event)
    db.session.commit()
    return event
