"""Reading registrations: a reader's own, places on the waiting list, the staff's lists."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from eventsys.extensions import db
from eventsys.models import Event, Registration, User
from eventsys.models.registrations import ACTIVE_STATUSES
from eventsys.services.registrations.rules import WAITLISTED
from eventsys.services.registrations.seats import checked_in_people

_registrations = Registration.__table__

_ACTIVE_REGISTRATION = sa.select(Registration).where(
    Registration.event_id == sa.bindparam("event_id"),
    Registration.user_id == sa.bindparam("user_id"),
    Registration.status.in_(ACTIVE_STATUSES),
)

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


def active_registration(event: Event, user: User | None) -> Registration | None:
    if user is None or not getattr(user, "is_authenticated", True):
        return None
    return db.session.scalar(_ACTIVE_REGISTRATION, {"event_id": event.id, "user_id": user.id})


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


def of_reader(user: User, *, limit: int | None = None) -> list[Registration]:
    """A reader's registrations, latest event first, with their events loaded and their
    places on waiting lists counted in one query (the web page and the API show both)."""
    select = (
        sa.select(Registration)
        .join(Event, Event.id == Registration.event_id)
        .options(contains_eager(Registration.event))
        .where(Registration.user_id == user.id)
        .order_by(Event.starts_at.desc(), Registration.id.desc())
        .limit(limit)
    )
    rows = list(db.session.scalars(select))
    waitlist_positions(rows)
    return rows


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


def find_readers(text: str, *, limit: int = 20) -> list[User]:
    """Active accounts whose email, card number or phone is exactly ``text``."""
    text = text.strip()
    if not text:
        return []
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.active.is_(True),
                sa.or_(
                    User.email == text.lower(),
                    User.card_number == text,
                    User.phone == text,
                ),
            )
            .order_by(User.id)
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class Headcount:
    """People (not parties) registered for an event, by status, and checked in."""

    by_status: dict[str, int]
    checked_in: int


def headcount(event: Event) -> Headcount:
    by_status = db.session.execute(
        sa.select(Registration.status, sa.func.coalesce(sa.func.sum(Registration.party_size), 0))
        .where(Registration.event_id == event.id)
        .group_by(Registration.status)
    ).all()
    return Headcount(dict(by_status), db.session.scalar(sa.select(checked_in_people(event.id))))
