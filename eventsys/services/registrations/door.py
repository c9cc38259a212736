"""The door: the check-in window, checking parties in, walk-ins, and closing the event."""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.local_time import library_zone
from eventsys.models import Event, EventStatus, Registration, User
from eventsys.models.registrations import checkin_code_candidates
from eventsys.services import audit
from eventsys.services.registrations.noshow import apply_noshow_policy
from eventsys.services.registrations.rules import (
    CANCELLED,
    CONFIRMED,
    MAX_WALK_IN_STEP,
    NO_SHOW,
    WAITLISTED,
    RegistrationError,
    local_text,
)
from eventsys.services.registrations.seats import checked_in_people, free_seats

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckIn:
    registration: Registration
    already: bool  # checked in before; nothing changed


def check_in(event: Event, code: str) -> CheckIn:
    """Check a party in by the code of its QR code; twice is harmless. Commits."""
    registration = None
    candidates = checkin_code_candidates(code) if len(code or "") <= 64 else []
    if candidates:
        registration = db.session.scalar(
            sa.select(Registration).where(Registration.checkin_code.in_(candidates))
        )
    if registration is None:
        raise RegistrationError("not_found", _("Unknown code: no registration has this code."))
    if registration.event_id != event.id:
        raise RegistrationError(
            "not_found",
            _(
                "This code belongs to another event: %(title)s on %(when)s.",
                title=registration.event.localized_title,
                when=local_text(registration.event.starts_at),
            ),
        )
    return _check_in(registration)


def check_in_registration(registration: Registration) -> CheckIn:
    """Check a party in that staff found by name, card number or phone. Commits."""
    return _check_in(registration)


def check_in_window(event: Event) -> tuple[datetime, datetime]:
    """When the door is open: from EVENTSYS_CHECKIN_OPENS_MINUTES before the start to the
    end of the event's last local day, so that a code cannot be used days before or after."""
    minutes = current_app.config["EVENTSYS_CHECKIN_OPENS_MINUTES"]
    zone = library_zone()
    last = event.ends_at.astimezone(zone)
    if last.time() == time.min:
        last -= timedelta(microseconds=1)  # ending at midnight ends the day before
    closes = datetime.combine(last.date() + timedelta(days=1), time.min, tzinfo=zone)
    return event.starts_at - timedelta(minutes=minutes), closes.astimezone(UTC)


def door_refusal(event: Event, now: datetime | None = None) -> RegistrationError | None:
    """Why nobody can be checked in to ``event`` now, or None while the door is open."""
    if event.is_cancelled:
        return RegistrationError(
            "cancelled",
            _(
                "This event is cancelled (%(reason)s); nobody can be checked in.",
                reason=event.cancel_reason or "—",
            ),
        )
    if event.status == EventStatus.DRAFT:
        return RegistrationError(
            "draft", _("This event is not published; nobody can be checked in.")
        )
    now = now or utcnow()
    opens, closes = check_in_window(event)
    if now < opens:
        return RegistrationError(
            "not_started",
            _(
                "Check-in opens at %(when)s, %(minutes)s minutes before the start.",
                when=local_text(opens),
                minutes=current_app.config["EVENTSYS_CHECKIN_OPENS_MINUTES"],
            ),
        )
    if now >= closes:
        return RegistrationError(
            "past",
            _(
                "Check-in closed at %(when)s, at the end of the event's day.",
                when=local_text(closes),
            ),
        )
    return None


def _check_in(registration: Registration) -> CheckIn:
    if registration.checked_in_at is not None:
        return CheckIn(registration, already=True)
    closed = door_refusal(registration.event)
    if closed is not None:
        raise closed
    if registration.status == CANCELLED:
        raise RegistrationError("cancelled", _("This registration was cancelled."))
    if registration.status == WAITLISTED:
        raise RegistrationError("full", _("This party is on the waiting list and holds no seat."))
    if registration.status == NO_SHOW:
        raise RegistrationError("past", _("The event is closed; this party was a no-show."))
    registration_id = registration.id
    db.session.commit()
    result = db.session.execute(
        sa.update(Registration)
        .where(Registration.id == registration_id, Registration.checked_in_at.is_(None))
        .values(checked_in_at=utcnow())
    )
    db.session.commit()
    registration = db.session.get(Registration, registration_id)
    return CheckIn(registration, already=result.rowcount != 1)


def room_capacity(event: Event) -> int | None:
    """How many people the room holds: the venue's seats, else the event's; None if unknown."""
    if event.venue is not None and event.venue.capacity:
        return event.venue.capacity
    return event.capacity or None


def record_walk_ins(event: Event, delta, actor: User | None, *, over_capacity: bool = False) -> int:
    """Add (or, to correct, remove) walk-ins; returns the new count. Commits.

    Each step is bounded and the count never goes below 0. More people than the room holds
    (checked in plus walk-ins) need ``over_capacity``, given by staff who counted them;
    the audit entry says so.
    """
    try:
        delta = int(delta)
    except (TypeError, ValueError):
        delta = 0
    if delta == 0 or abs(delta) > MAX_WALK_IN_STEP:
        raise RegistrationError(
            "bad_input",
            _("Add or remove between 1 and %(max)s walk-ins at a time.", max=MAX_WALK_IN_STEP),
        )
    if event.is_cancelled:
        raise RegistrationError("cancelled", _("This event is cancelled; it has no walk-ins."))
    event_id, room = event.id, room_capacity(event)
    db.session.commit()
    present = checked_in_people(event_id)
    update = sa.update(Event).where(Event.id == event_id, Event.walk_ins + delta >= 0)
    if delta > 0 and room is not None and not over_capacity:
        update = update.where(Event.walk_ins + delta + present <= room)
    result = db.session.execute(
        update.values(walk_ins=Event.walk_ins + delta, updated_at=Event.updated_at)
    )
    if result.rowcount != 1:
        db.session.rollback()
        event = db.session.get(Event, event_id)
        db.session.refresh(event)
        if event.walk_ins + delta < 0:
            raise RegistrationError(
                "bad_input",
                _("There are no walk-ins to remove.")
                if event.walk_ins == 0
                else _("Only %(count)s walk-ins can be removed.", count=event.walk_ins),
            )
        raise RegistrationError(
            "over_capacity",
            _(
                "With %(delta)s more walk-ins, %(total)s people would be in a room for "
                "%(room)s. If they are really there, tick the confirmation and record them "
                "again.",
                delta=delta,
                total=event.walk_ins + delta + db.session.scalar(sa.select(present)),
                room=room,
            ),
        )
    event = db.session.get(Event, event_id)
    db.session.refresh(event)
    total = event.walk_ins + db.session.scalar(sa.select(checked_in_people(event_id)))
    audit.record(
        actor,
        "event.walk_ins",
        event,
        None,
        {
            "delta": delta,
            "walk_ins": event.walk_ins,
            "over_capacity": room is not None and delta > 0 and total > room,
        },
    )
    db.session.commit()
    return event.walk_ins


def close_event(event: Event, actor: User | None) -> list[Registration]:
    """Unattended confirmed parties become no-shows; the no-show policy then suspends
    repeat offenders. Closing twice changes nothing. Returns the new no-shows. Commits."""
    now = utcnow()
    if event.starts_at > now:
        raise RegistrationError("not_started", _("An event can be closed once it has started."))
    event_id = event.id
    db.session.commit()
    result = db.session.execute(
        sa.update(Event)
        .where(Event.id == event_id, Event.closed_at.is_(None))
        .values(closed_at=now, updated_at=Event.updated_at)
    )
    if result.rowcount != 1:
        db.session.rollback()
        return []
    no_shows = db.session.scalars(
        sa.select(Registration).where(
            Registration.event_id == event_id,
            Registration.status == CONFIRMED,
            Registration.checked_in_at.is_(None),
        )
    ).all()
    seats = 0
    for registration in no_shows:
        registration.status = NO_SHOW
        seats += registration.party_size
    db.session.flush()
    if seats:
        free_seats(event_id, seats)  # seats_taken counts confirmed parties only
    event = db.session.get(Event, event_id)
    audit.record(actor, "event.close", event, None, {"no_shows": len(no_shows)})
    for user_id in sorted({r.user_id for r in no_shows}):
        apply_noshow_policy(db.session.get(User, user_id), now, event)
    db.session.commit()
    log.info("event %s closed: %s no-shows", event_id, len(no_shows))
    return list(no_shows)
