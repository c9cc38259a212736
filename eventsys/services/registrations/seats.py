"""The seat count and the statements that change it, under the event's lock.

Concurrency: hundreds of readers may press "register" in the same second, against
several app servers. Every write that touches seats runs in one short transaction whose
first *write* is an UPDATE of the event row, inside ``database.write_turn`` (which lines
the writers up so that they are served in order and nobody polls):

- on SQLite (pysqlite runs SELECTs outside a transaction and opens one at the first
  write) that UPDATE takes the database's write lock, so writers queue one by one
  (WAL + busy_timeout are set in eventsys/database.py);
- on PostgreSQL the UPDATE locks the event row until commit, so writers for one event
  queue while other events go on.

The seat count is changed by an atomic conditional UPDATE (``seats_taken + n <=
capacity``); the CHECK constraint on events and the partial unique index "one active
registration per reader and event" are the last guards. That is why the functions that
write seats do their work and commit themselves. ``register`` reads first in the same
transaction (it has written nothing before the lock); the others commit the caller's
work before they start.
"""

import sqlalchemy as sa
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Event, Registration, User
from eventsys.services.registrations.rules import CANCELLED, CONFIRMED, WAITLISTED

# The seat statements are built once: a rush runs them thousands of times a minute.
# They go to the events table (not the ORM class), so the session's copy of the event
# is left alone, and updated_at is set to itself so that its onupdate does not fire.
_events = Event.__table__
_LOCK_EVENT = (
    sa.update(_events)
    .where(_events.c.id == sa.bindparam("event_id"))
    .values(seats_taken=_events.c.seats_taken, updated_at=_events.c.updated_at)
    .returning(_events.c.seats_taken, _events.c.capacity, _events.c.waitlist_enabled)
)
_TAKE_SEATS = (
    sa.update(_events)
    .where(
        _events.c.id == sa.bindparam("event_id"),
        _events.c.capacity.is_not(None),
        _events.c.seats_taken + sa.bindparam("seats") <= _events.c.capacity,
    )
    .values(
        seats_taken=_events.c.seats_taken + sa.bindparam("seats"), updated_at=_events.c.updated_at
    )
)
_FREE_SEATS = (
    sa.update(_events)
    .where(_events.c.id == sa.bindparam("event_id"))
    .values(
        seats_taken=sa.case(
            (
                _events.c.seats_taken > sa.bindparam("seats"),
                _events.c.seats_taken - sa.bindparam("seats"),
            ),
            else_=0,
        ),
        updated_at=_events.c.updated_at,
    )
)
_INSERT_REGISTRATION = sa.insert(Registration.__table__).returning(Registration.__table__.c.id)


def lock_event(event_id: int) -> sa.Row:
    """Take the event row's write lock (SQLite: the database's) without changing it.

    Returns the row's seats_taken, capacity and waitlist_enabled as they are under the lock.
    """
    return db.session.execute(_LOCK_EVENT, {"event_id": event_id}).one()


def take_seats(event_id: int, seats: int) -> bool:
    """Atomically take ``seats`` if they are free; True when taken."""
    result = db.session.execute(_TAKE_SEATS, {"event_id": event_id, "seats": seats})
    return result.rowcount == 1


def free_seats(event_id: int, seats: int) -> None:
    db.session.execute(_FREE_SEATS, {"event_id": event_id, "seats": seats})


def insert_registration(
    event: Event,
    user: User,
    size: int,
    confirmed: bool,
    needs: str,
    note: str,
    source: str,
    code: str,
) -> Registration:
    """INSERT the row with one prepared statement, then hand it to the session as loaded.

    The row is known in full, so the session gets it without a unit-of-work flush or a
    reload: a flush costs several times this statement, under the lock, in a rush.
    """
    now = utcnow()
    values = {
        "event_id": event.id,
        "user_id": user.id,
        "party_size": size,
        "status": CONFIRMED if confirmed else WAITLISTED,
        "needs": needs,
        "needs_note": note,
        "checkin_code": code,
        "source": source,
        "created_at": now,
        "confirmed_at": now if confirmed else None,
        "cancelled_at": None,
        "checked_in_at": None,
    }
    new_id = db.session.execute(_INSERT_REGISTRATION, values).scalar_one()
    registration = Registration(id=new_id, **values)
    make_transient_to_detached(registration)
    db.session.add(registration)
    set_committed_value(registration, "event", event)
    set_committed_value(registration, "user", user)
    return registration


def checked_in_people(event_id):
    """People checked in to the event, as a scalar subquery (a party counts its size)."""
    return (
        sa.select(sa.func.coalesce(sa.func.sum(Registration.party_size), 0))
        .where(
            Registration.event_id == event_id,
            Registration.checked_in_at.is_not(None),
            Registration.status != CANCELLED,
        )
        .scalar_subquery()
    )
