"""Promotion: freed seats go to the earliest waiting parties that fit."""

import logging

import sqlalchemy as sa

from eventsys.database import write_turn
from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Event, EventStatus, Registration
from eventsys.services.registrations.reader_mails import queue_promoted
from eventsys.services.registrations.rules import CONFIRMED, WAITLISTED
from eventsys.services.registrations.seats import lock_event, take_seats

log = logging.getLogger(__name__)


def promote_waitlist(event: Event) -> list[Registration]:
    """Confirm the earliest waiting parties that fit the free seats. Commits."""
    event_id = event.id
    db.session.commit()
    with write_turn(event_id):
        lock_event(event_id)
        promoted = promote_locked(db.session.get(Event, event_id))
        db.session.commit()
    return promoted


def promote_locked(event: Event) -> list[Registration]:
    """Inside a transaction holding the event's lock; once the event has started, a seat
    freed at the door goes to a walk-in, so nobody is promoted."""
    db.session.refresh(event)
    if (
        event.capacity is None
        or event.status != EventStatus.PUBLISHED
        or event.starts_at <= utcnow()
        or event.closed_at is not None
    ):
        return []
    free = event.capacity - event.seats_taken
    promoted = []
    if free <= 0:
        return promoted
    waiting = db.session.scalars(
        sa.select(Registration)
        .where(Registration.event_id == event.id, Registration.status == WAITLISTED)
        .order_by(Registration.created_at, Registration.id)
    ).all()
    for registration in waiting:
        if free <= 0:
            break
        if registration.party_size > free or not take_seats(event.id, registration.party_size):
            continue
        registration.status = CONFIRMED
        registration.confirmed_at = utcnow()
        free -= registration.party_size
        promoted.append(registration)
        queue_promoted(registration)
    if promoted:
        db.session.flush()
        db.session.refresh(event)
        log.info("event %s: %s waiting parties promoted", event.id, len(promoted))
    return promoted
