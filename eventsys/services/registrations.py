"""Registration rules: seats, waitlists, windows, cancellation, check-in and no-shows.

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

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from cachetools import TTLCache, cached
from flask import current_app
from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from eventsys.database import commit_without_expiring, write_turn
from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.local_time import datetime_text, library_zone
from eventsys.models import Event, EventStatus, Registration, RegistrationStatus, User
from eventsys.models.registrations import (
    ACCESS_NEEDS,
    ACTIVE_STATUSES,
    checkin_code_candidates,
    new_checkin_code,
)
from eventsys.services import audit, ical, links, outbox, policies

log = logging.getLogger(__name__)

CONFIRMED = RegistrationStatus.CONFIRMED.value
WAITLISTED = RegistrationStatus.WAITLISTED.value
CANCELLED = RegistrationStatus.CANCELLED.value
NO_SHOW = RegistrationStatus.NO_SHOW.value

ONLINE = "online"
STAFF = "staff"  # added by staff for a reader who phoned or came to the desk
SOURCES = (ONLINE, STAFF)

MAX_NOTE_LENGTH = 300
MAX_CAPACITY = 100_000
MAX_WALK_IN_STEP = 50  # a bigger step is a typing slip, not a crowd

NEED_LABELS = {
    "wheelchair": _l("Wheelchair access"),
    "hearing_loop": _l("Hearing loop"),
    "sign_language": _l("Sign language interpreting"),
    "other": _l("Other needs"),
}

STATUS_LABELS = {
    CONFIRMED: _l("Confirmed"),
    WAITLISTED: _l("On the waiting list"),
    CANCELLED: _l("Cancelled"),
    NO_SHOW: _l("Did not come"),
}

# What readers are shown for a registration whose event the library cancelled.
EVENT_CANCELLED = "event_cancelled"
SHOWN_STATUS_LABELS = {**STATUS_LABELS, EVENT_CANCELLED: _l("Event cancelled")}


class RegistrationError(ValueError):
    """A refusal: ``message`` is for the person, ``code`` for machines (the JSON API).

    Codes: full, window_closed, duplicate, suspended, not_open, cancelled, draft, past,
    party_size, not_found, not_started, capacity, checked_in, bad_input.
    """

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class CheckIn:
    registration: Registration
    already: bool  # checked in before; nothing changed


# ---------------------------------------------------------------- helpers


def local_text(instant: datetime) -> str:
    """The reader's one date format, in the language being made (see ``local_time``)."""
    return datetime_text(instant)


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


def _lock_event(event_id: int) -> sa.Row:
    """Take the event row's write lock (SQLite: the database's) without changing it.

    Returns the row's seats_taken, capacity and waitlist_enabled as they are under the lock.
    """
    return db.session.execute(_LOCK_EVENT, {"event_id": event_id}).one()


def _take_seats(event_id: int, seats: int) -> bool:
    """Atomically take ``seats`` if they are free; True when taken."""
    result = db.session.execute(_TAKE_SEATS, {"event_id": event_id, "seats": seats})
    return result.rowcount == 1


def _free_seats(event_id: int, seats: int) -> None:
    db.session.execute(_FREE_SEATS, {"event_id": event_id, "seats": seats})


def _calendar_file_key(event: Event, waitlisted: bool = False) -> tuple:
    return (
        event.uid,
        event.sequence,
        event.updated_at,
        waitlisted,
        str(get_locale()),
        current_app.config["EVENTSYS_BASE_URL"],
        current_app.config["EVENTSYS_TIMEZONE"],
    )


# Every reader of an event gets the same calendar file, so it is built once per version
# of the event, language and site. Kept for a minute, so that a renamed venue or series
# (which leaves the event's own version alone) shows up soon.
@cached(TTLCache(maxsize=256, ttl=60), key=_calendar_file_key, lock=threading.Lock())
def _ics_attachment(event: Event, waitlisted: bool = False) -> dict:
    """The event for the reader's calendar; a waiting reader's copy is tentative."""
    options = ical.FeedOptions(reader_status={event.id: WAITLISTED} if waitlisted else {})
    content = ical.to_bytes(ical.feed_calendar([event], options)).decode()
    return {
        "filename": "event.ics",
        "content_type": "text/calendar; charset=utf-8",
        "content": content,
    }


QR_CONTENT_ID = "checkin-qr@eventsys"


def _qr_attachment(code: str) -> dict:
    """The check-in code as a QR image inside the mail, so the door can scan the mail alone
    (no login, no remote image for the mail client to block). The outbox sender draws the
    image when it sends (``"encoding": "qr"``): a registration only stores the code."""
    return {
        "filename": "checkin-qr.png",
        "content_type": "image/png",
        "encoding": "qr",
        "content": code,
        "content_id": QR_CONTENT_ID,
        "alt": code,
    }


def normalise_needs(needs) -> str:
    """Known needs only, in a fixed order, as stored (comma-separated)."""
    chosen = set(needs or ())
    unknown = chosen - set(ACCESS_NEEDS)
    if unknown:
        raise RegistrationError("bad_input", _("Choose accessibility needs from the list."))
    return ",".join(n for n in ACCESS_NEEDS if n in chosen)


def _party_size(event: Event, party_size) -> int:
    try:
        size = int(party_size)
    except (TypeError, ValueError):
        size = 0
    if size < 1 or size > event.max_party_size:
        raise RegistrationError(
            "party_size",
            _("Only one person can come per registration for this event.")
            if event.max_party_size == 1
            else _(
                "A party for this event has between 1 and %(max)s people.",
                max=event.max_party_size,
            ),
        )
    return size


# ---------------------------------------------------------------- reading


_ACTIVE_REGISTRATION = sa.select(Registration).where(
    Registration.event_id == sa.bindparam("event_id"),
    Registration.user_id == sa.bindparam("user_id"),
    Registration.status.in_(ACTIVE_STATUSES),
)


def active_registration(event: Event, user: User) -> Registration | None:
    if user is None or not getattr(user, "is_authenticated", True):
        return None
    return db.session.scalar(_ACTIVE_REGISTRATION, {"event_id": event.id, "user_id": user.id})


_registrations = Registration.__table__
# Parties ahead in the waitlist: FIFO by arrival, the id breaking ties.
_WAITING_AHEAD = (
    sa.select(sa.func.count())
    .select_from(_registrations)
    .where(
        _registrations.c.event_id == sa.bindparam("event_id"),
        _registrations.c.status == WAITLISTED,
        sa.or_(
            _registrations.c.created_at < sa.bindparam("created_at"),
            sa.and_(
                _registrations.c.created_at == sa.bindparam("created_at"),
                _registrations.c.id < sa.bindparam("id"),
            ),
        ),
    )
)


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first party waiting; None unless waitlisted."""
    if registration.status != WAITLISTED:
        return None
    if registration.known_waitlist_position is not None:
        return registration.known_waitlist_position
    ahead = db.session.scalar(
        _WAITING_AHEAD,
        {
            "event_id": registration.event_id,
            "created_at": registration.created_at,
            "id": registration.id,
        },
    )
    return int(ahead) + 1


def waitlist_positions(registrations) -> dict[int, int]:
    """The waitlist places of many registrations, in one query (a window function), for
    lists and exports; each registration also remembers its place for ``waitlist_position``.
    Registrations not waitlisted have no place."""
    waiting = [r for r in registrations if r.status == WAITLISTED]
    if not waiting:
        return {}
    place = (
        sa.func.row_number()
        .over(
            partition_by=_registrations.c.event_id,
            order_by=(_registrations.c.created_at, _registrations.c.id),
        )
        .label("place")
    )
    ranked = (
        sa.select(_registrations.c.id, place)
        .where(
            _registrations.c.event_id.in_({r.event_id for r in waiting}),
            _registrations.c.status == WAITLISTED,
        )
        .subquery()
    )
    wanted = [r.id for r in waiting]
    places = {
        row.id: row.place
        for row in db.session.execute(
            sa.select(ranked.c.id, ranked.c.place).where(ranked.c.id.in_(wanted))
        )
    }
    for registration in waiting:
        registration.known_waitlist_position = places.get(registration.id)
    return {r.id: places[r.id] for r in waiting if r.id in places}


def waitlist_length(event: Event) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Registration)
            .where(Registration.event_id == event.id, Registration.status == WAITLISTED)
        )
    )


def shown_status(registration: Registration) -> str:
    """The status a reader should see: a seat at a cancelled event is no seat at all."""
    if registration.is_active and registration.event.is_cancelled:
        return EVENT_CANCELLED
    return registration.status


def admits(registration: Registration) -> bool:
    """Whether the registration's code gets anyone in, so that its QR code is worth showing."""
    return registration.status == CONFIRMED and not registration.event.is_cancelled


def party_text(size: int) -> str:
    """ "1 person", "3 people": a party's size in words, in the current language."""
    return ngettext("%(num)s person", "%(num)s people", size)


def suspension_message(user: User) -> str:
    return _(
        "Online registration is suspended until %(until)s because of repeated no-shows. "
        "Please call the library if you need a seat.",
        until=local_text(user.suspended_until),
    )


def is_suspended(user: User, now: datetime | None = None) -> bool:
    until = user.suspended_until
    return until is not None and until > (now or utcnow())


def check_open(event: Event, user: User | None = None, *, by_staff: bool = False) -> None:
    """Raise the reason why ``user`` cannot register for ``event`` now (party size apart)."""
    now = utcnow()
    if not event.takes_registrations:
        raise RegistrationError("not_open", _("This event needs no registration."))
    if event.status == EventStatus.DRAFT:
        raise RegistrationError("draft", _("This event is not published yet."))
    if event.status == EventStatus.CANCELLED:
        raise RegistrationError(
            "cancelled", _("This event is cancelled, so registration is closed.")
        )
    if event.starts_at <= now:
        raise RegistrationError(
            "past", _("This event has started or is over; registration is closed.")
        )
    if not by_staff:
        opens, closes = event.registration_opens_at, event.registration_closes_at
        if opens is not None and now < opens:
            raise RegistrationError(
                "not_open",
                _("Registration opens on %(when)s.", when=local_text(opens)),
            )
        if closes is not None and now >= closes:
            raise RegistrationError(
                "window_closed",
                _("Registration closed on %(when)s.", when=local_text(closes)),
            )
        if user is not None and is_suspended(user, now):
            raise RegistrationError("suspended", suspension_message(user))
    if not event.waitlist_enabled and event.seats_left == 0:
        raise RegistrationError("full", _("This event is fully booked."))


def refusal(event: Event, user: User | None) -> RegistrationError | None:
    """Why registration is not possible for ``user`` now, or None."""
    try:
        check_open(event, user)
    except RegistrationError as error:
        return error
    return None


# ---------------------------------------------------------------- registering


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
    size = _party_size(event, party_size)
    needs_text = normalise_needs(needs)
    note = (needs_note or "").strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise RegistrationError(
            "bad_input",
            _("Keep the note under %(max)s characters.", max=MAX_NOTE_LENGTH),
        )
    if active_registration(event, user) is not None:
        raise _duplicate()
    event_id = event.id
    # Built before the lock: the calendar file and the QR image are the slowest part of a
    # registration.
    code = _unused_checkin_code()
    with force_locale(user.locale):
        attachments = [_ics_attachment(event), _qr_attachment(code)]

    # The read above needs no commit first: SQLite opens the write transaction at the
    # first UPDATE, and on PostgreSQL (READ COMMITTED) the UPDATE sees the latest row.
    with write_turn(event_id):
        registration = _claim(event, user, size, needs_text, note, source, code)
        if actor is not None and by_staff:
            audit.record(
                actor,
                "registration.add",
                registration,
                None,
                audit.snapshot(registration, ("event_id", "user_id", "party_size", "status")),
            )
        _queue_registered_mail(registration, attachments)
        # Everything loaded is still true after this commit, except the event's seat count.
        commit_without_expiring()
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


def _unused_checkin_code() -> str:
    """A new code that no registration holds yet (a clash is rare, but the column is
    unique and a clash under the lock would read as "registered already")."""
    while True:
        code = new_checkin_code()
        taken = db.session.scalar(
            sa.select(Registration.id).where(Registration.checkin_code == code)
        )
        if taken is None:
            return code


def _claim(
    event: Event, user: User, size: int, needs: str, note: str, source: str, code: str
) -> Registration:
    """Take the seats or join the waitlist; the new registration, in the open transaction."""
    try:
        confirmed = _take_seats(event.id, size)
        if not confirmed:
            # A failed conditional UPDATE locks nothing on PostgreSQL: lock, then look again.
            state = _lock_event(event.id)
            fits = state.capacity is not None and state.seats_taken + size <= state.capacity
            confirmed = fits and _take_seats(event.id, size)
            if not confirmed and not state.waitlist_enabled:
                db.session.rollback()
                raise RegistrationError("full", _("This event is fully booked."))
        registration = _insert(event, user, size, confirmed, needs, note, source, code)
    except IntegrityError:
        db.session.rollback()
        raise _duplicate() from None
    # Counted under the lock, for the mail and for the answer to this request.
    registration.known_waitlist_position = waitlist_position(registration)
    return registration


_INSERT_REGISTRATION = sa.insert(_registrations).returning(_registrations.c.id)


def _insert(
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


def _duplicate() -> RegistrationError:
    return RegistrationError("duplicate", _("You are registered for this event already."))


# ---------------------------------------------------------------- cancelling and promoting


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
        _lock_event(event_id)
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
            _free_seats(event_id, current.party_size)
        db.session.expire_all()
        registration = db.session.get(Registration, registration_id)
        if by_staff:
            audit.record(actor, "registration.cancel", registration, before, {"status": CANCELLED})
            _queue_cancelled_by_library_mail(registration)
        elif notify:
            _queue_cancelled_by_reader_mail(registration)
        _promote_locked(db.session.get(Event, event_id))
        db.session.commit()
    return registration


def promote_waitlist(event: Event) -> list[Registration]:
    """Confirm the earliest waiting parties that fit the free seats. Commits."""
    event_id = event.id
    db.session.commit()
    with write_turn(event_id):
        _lock_event(event_id)
        promoted = _promote_locked(db.session.get(Event, event_id))
        db.session.commit()
    return promoted


def _promote_locked(event: Event) -> list[Registration]:
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
        if registration.party_size > free or not _take_seats(event.id, registration.party_size):
            continue
        registration.status = CONFIRMED
        registration.confirmed_at = utcnow()
        free -= registration.party_size
        promoted.append(registration)
        _queue_promoted_mail(registration)
    if promoted:
        db.session.flush()
        db.session.refresh(event)
        log.info("event %s: %s waiting parties promoted", event.id, len(promoted))
    return promoted


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
        _promote_locked(event)
    db.session.commit()
    return event


# ---------------------------------------------------------------- at the door


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


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def find(event: Event, query: str, *, limit: int = 20, statuses=None) -> list[Registration]:
    """Registrations of ``event`` whose reader matches a name, email, card number or phone."""
    query = " ".join((query or "").split())[:100]
    select = (
        sa.select(Registration)
        .join(User, User.id == Registration.user_id)
        .options(contains_eager(Registration.user))  # the joined user, not one query a row
        .where(Registration.event_id == event.id)
    )
    if statuses:
        select = select.where(Registration.status.in_(statuses))
    if query:
        pattern = f"%{_escape_like(query)}%"
        select = select.where(
            sa.or_(
                User.display_name.ilike(pattern, escape="\\"),
                User.email.ilike(pattern, escape="\\"),
                User.card_number == query,
                User.phone.ilike(pattern, escape="\\"),
            )
        )
    select = select.order_by(Registration.created_at, Registration.id)
    if limit:
        select = select.limit(limit)
    return list(db.session.scalars(select))


def room_capacity(event: Event) -> int | None:
    """How many people the room holds: the venue's seats, else the event's; None if unknown."""
    if event.venue is not None and event.venue.capacity:
        return event.venue.capacity
    return event.capacity or None


def _checked_in_people(event_id):
    return (
        sa.select(sa.func.coalesce(sa.func.sum(Registration.party_size), 0))
        .where(
            Registration.event_id == event_id,
            Registration.checked_in_at.is_not(None),
            Registration.status != CANCELLED,
        )
        .scalar_subquery()
    )


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
    present = _checked_in_people(event_id)
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
    total = event.walk_ins + db.session.scalar(sa.select(_checked_in_people(event_id)))
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


# ---------------------------------------------------------------- after the event


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
        _free_seats(event_id, seats)  # seats_taken counts confirmed parties only
    event = db.session.get(Event, event_id)
    audit.record(actor, "event.close", event, None, {"no_shows": len(no_shows)})
    for user_id in sorted({r.user_id for r in no_shows}):
        _apply_noshow_policy(db.session.get(User, user_id), now, event)
    db.session.commit()
    log.info("event %s closed: %s no-shows", event_id, len(no_shows))
    return list(no_shows)


def _apply_noshow_policy(user: User, now: datetime, event: Event) -> None:
    count, days = policies.get("noshow_count"), policies.get("noshow_window_days")
    suspend_days = policies.get("noshow_suspend_days")
    if suspend_days <= 0:
        return
    recent = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .join(Event, Event.id == Registration.event_id)
        .where(
            Registration.user_id == user.id,
            Registration.status == NO_SHOW,
            Event.starts_at >= now - timedelta(days=days),
        )
    )
    if recent < count:
        return
    until = now + timedelta(days=suspend_days)
    if user.suspended_until is not None and user.suspended_until >= until:
        return
    user.suspended_until = until
    log.info("user %s suspended until %s (%s no-shows)", user.id, until, recent)
    with force_locale(user.locale):
        outbox.queue(
            user.email,
            _("Online registration suspended"),
            _(
                "Dear %(name)s,\n\nyou did not come to %(count)s events you had registered "
                'for within %(days)s days, most recently "%(title)s". Online registration '
                "is suspended until %(until)s. You can still register by calling the "
                "library.\n\nSuzhou Library",
                name=user.display_name,
                count=recent,
                days=days,
                title=event.localized_title,
                until=local_text(until),
            ),
            dedupe_key=f"suspended:{user.id}:{event.id}",
        )


# ---------------------------------------------------------------- staff corrections


def undo_no_show(registration: Registration, actor: User | None, *, attended: bool) -> Registration:
    """Correct a no-show that staff know was wrong. Commits.

    ``attended``: the party was there, so it counts as checked in (at the start) and takes
    its seats back; otherwise it is excused and cancelled, counted nowhere. A suspension
    the no-show led to stays until staff lift it.
    """
    if registration.status != NO_SHOW:
        raise RegistrationError("bad_input", _("Only a no-show can be undone."))
    registration_id, event_id = registration.id, registration.event_id
    starts_at, size = registration.event.starts_at, registration.party_size
    before = audit.snapshot(registration, ("status", "checked_in_at"))
    if attended:
        values = {"status": CONFIRMED, "checked_in_at": starts_at}
    else:
        values = {"status": CANCELLED, "cancelled_at": utcnow()}
    db.session.commit()
    with write_turn(event_id):
        result = db.session.execute(
            sa.update(Registration)
            .where(Registration.id == registration_id, Registration.status == NO_SHOW)
            .values(**values)
        )
        if result.rowcount != 1:
            db.session.rollback()
            raise RegistrationError("bad_input", _("Only a no-show can be undone."))
        if attended:
            _take_seats(event_id, size)  # seats_taken counts confirmed parties
        db.session.expire_all()
        registration = db.session.get(Registration, registration_id)
        after = audit.snapshot(registration, ("status", "checked_in_at"))
        audit.record(actor, "registration.undo_no_show", registration, before, after)
        db.session.commit()
    log.info("registration %s: no-show undone (%s)", registration_id, values["status"])
    return registration


def lift_suspension(user: User, actor: User | None) -> User:
    """End a reader's no-show suspension now and tell them by mail. Commits."""
    if not is_suspended(user):
        raise RegistrationError(
            "not_suspended", _("%(name)s is not suspended.", name=user.display_name)
        )
    before = audit.snapshot(user, ("suspended_until",))
    user.suspended_until = None
    audit.record(actor, "user.suspension_lift", user, before, {"suspended_until": None})
    with force_locale(user.locale):
        outbox.queue(
            user.email,
            _("Suspension lifted: you can register online again"),
            _(
                "Dear %(name)s,\n\nthe library has lifted the suspension of your online "
                "registration. You can register for events online again.\n\nSuzhou Library",
                name=user.display_name,
            ),
        )
    db.session.commit()
    log.info("user %s: suspension lifted", user.id)
    return user


# ---------------------------------------------------------------- mails


def _queue_registered_mail(registration: Registration, attachments: list[dict]) -> None:
    """``attachments``: the calendar file and the QR image of the registration's code."""
    user, event = registration.user, registration.event
    link = links.external_url("registrations.show", registration_id=registration.id)
    with force_locale(user.locale):
        if registration.status == CONFIRMED:
            outbox.queue(
                user.email,
                _("Registered: %(title)s", title=event.localized_title),
                _(
                    'Dear %(name)s,\n\nyour registration for "%(title)s" on %(when)s is '
                    "confirmed (%(party)s).\n\nYour check-in code: %(code)s\n"
                    "Show the QR code in this mail, or the code, at the door. Your "
                    "registration:\n%(link)s\n\n"
                    "The event is attached for your calendar.\n\nSuzhou Library",
                    name=user.display_name,
                    title=event.localized_title,
                    when=local_text(event.starts_at),
                    party=party_text(registration.party_size),
                    code=registration.shown_checkin_code,
                    link=link,
                ),
                attachments=attachments,
                dedupe_key=f"registered:registration:{registration.id}",
            )
        else:
            outbox.queue(
                user.email,
                _("Waiting list: %(title)s", title=event.localized_title),
                _(
                    'Dear %(name)s,\n\n"%(title)s" on %(when)s is fully booked, so you are '
                    "on the waiting list (number %(position)s). We will write as soon as seats "
                    "free up for you.\n%(link)s\n\nSuzhou Library",
                    name=user.display_name,
                    title=event.localized_title,
                    when=local_text(event.starts_at),
                    position=waitlist_position(registration),
                    link=link,
                ),
                dedupe_key=f"waitlisted:registration:{registration.id}",
            )


def _queue_promoted_mail(registration: Registration) -> None:
    user, event = registration.user, registration.event
    link = links.external_url("registrations.show", registration_id=registration.id)
    with force_locale(user.locale):
        outbox.queue(
            user.email,
            _("A seat for you: %(title)s", title=event.localized_title),
            _(
                "Dear %(name)s,\n\ngood news: seats freed up and your registration for "
                '"%(title)s" on %(when)s is now confirmed (%(party)s).\n\n'
                "Your check-in code: %(code)s\nShow the QR code in this mail, or the code, "
                "at the door. Your registration:\n%(link)s\n\nIf you cannot come, please "
                "cancel so the next reader gets the seat.\n\nSuzhou Library",
                name=user.display_name,
                title=event.localized_title,
                when=local_text(event.starts_at),
                party=party_text(registration.party_size),
                code=registration.shown_checkin_code,
                link=link,
            ),
            attachments=[_ics_attachment(event), _qr_attachment(registration.checkin_code)],
            dedupe_key=f"promoted:registration:{registration.id}",
        )


def _queue_cancelled_by_library_mail(registration: Registration) -> None:
    user, event = registration.user, registration.event
    with force_locale(user.locale):
        outbox.queue(
            user.email,
            _("Registration cancelled: %(title)s", title=event.localized_title),
            _(
                "Dear %(name)s,\n\nthe library has cancelled your registration for "
                '"%(title)s" on %(when)s. Please contact us if you have questions.\n\n'
                "Suzhou Library",
                name=user.display_name,
                title=event.localized_title,
                when=local_text(event.starts_at),
            ),
            dedupe_key=f"cancelled:registration:{registration.id}",
        )


def _queue_cancelled_by_reader_mail(registration: Registration) -> None:
    """The reader's own cancellation, confirmed in writing (it may not have been them)."""
    user, event = registration.user, registration.event
    link = links.event_url(event, external=True)
    with force_locale(user.locale):
        outbox.queue(
            user.email,
            _("Your registration is cancelled: %(title)s", title=event.localized_title),
            _(
                'Dear %(name)s,\n\nyour registration for "%(title)s" on %(when)s is '
                "cancelled, as you asked. If you change your mind, register again while "
                "seats are free:\n%(link)s\n\nIf you did not cancel, please contact the "
                "library.\n\nSuzhou Library",
                name=user.display_name,
                title=event.localized_title,
                when=local_text(event.starts_at),
                link=link,
            ),
            dedupe_key=f"cancelled-by-reader:registration:{registration.id}",
        )


def place_text(event: Event) -> str:
    """Where a reader goes: the branch and room, or the online link."""
    if event.venue is not None:
        return str(event.venue)
    return event.online_url or ""


@dataclass(frozen=True)
class Placing:
    """What readers knew of an event's time and place before a change."""

    starts_at: datetime
    ends_at: datetime
    place: str


def placing(event: Event) -> Placing:
    return Placing(event.starts_at, event.ends_at, place_text(event))


def queue_moved_mails(event: Event, was: Placing) -> int:
    """Tell every reader holding a seat or waiting that the event's time or place changed,
    in their language, with the updated calendar file. In the caller's transaction; the
    number of mails queued.

    The dedupe key names the change (sequence, new time and place), so saving the same
    change twice mails once. An event over both before and after the change is a record
    being corrected: nobody is told.
    """
    if event.status != EventStatus.PUBLISHED or max(was.ends_at, event.ends_at) <= utcnow():
        return 0
    db.session.flush()  # the new place and the row's new version, for the calendar file
    db.session.expire(event, ["venue"])
    registrations = db.session.scalars(
        sa.select(Registration)
        .where(Registration.event_id == event.id, Registration.status.in_(ACTIVE_STATUSES))
        .order_by(Registration.id)
    ).all()
    change = f"{event.starts_at:%Y%m%d%H%M}-{event.ends_at:%Y%m%d%H%M}:{event.venue_id}"
    queued = 0
    for registration in registrations:
        user = registration.user
        if not user.active:
            continue
        waiting = registration.status == WAITLISTED
        with force_locale(user.locale):
            subject, body = _moved_mail(registration, was)
            queued += 1
            outbox.queue(
                user.email,
                subject,
                body,
                attachments=[_ics_attachment(event, waiting)],
                dedupe_key=f"event-moved:registration:{registration.id}:{event.sequence}:{change}",
            )
    log.info("event %s moved; %s readers told", event.id, queued)
    return queued


def _moved_mail(registration: Registration, was: Placing) -> tuple[str, str]:
    user, event = registration.user, registration.event
    if registration.status == WAITLISTED:
        standing = _(
            "You stay on the waiting list (number %(position)s).",
            position=waitlist_position(registration),
        )
    else:
        standing = _(
            "Your registration stays confirmed (%(party)s).",
            party=party_text(registration.party_size),
        )
    subject = _(
        "Changed: %(title)s is now on %(when)s",
        title=event.localized_title,
        when=local_text(event.starts_at),
    )
    body = _(
        'Dear %(name)s,\n\nthe time or place of "%(title)s" has changed. It is now:\n'
        "%(when)s, %(where)s\n\nIt was:\n%(was_when)s, %(was_where)s\n\n%(standing)s "
        "If you cannot come now, please cancel so another reader gets the seat:\n%(link)s"
        "\n\nThe updated event is attached for your calendar.\n\nSuzhou Library",
        name=user.display_name,
        title=event.localized_title,
        when=local_text(event.starts_at),
        where=place_text(event),
        was_when=local_text(was.starts_at),
        was_where=was.place,
        standing=standing,
        link=links.external_url("registrations.show", registration_id=registration.id),
    )
    return subject, body
