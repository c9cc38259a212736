"""Where an event stands for a reader, in one word and one colour: the same on every card,
event page and calendar, so a reader never has to work it out from seats and dates."""

import enum
import math
from datetime import datetime

from eventsys.db_types import utcnow
from eventsys.models import Event


class ReaderState(enum.StrEnum):
    OPEN = "open"  # registration open, seats left
    FEW_LEFT = "few"  # registration open, a handful of seats left
    WAITLIST = "waitlist"  # full, the waiting list takes registrations
    FULL = "full"  # full, no waiting list
    NOT_YET_OPEN = "soon"  # registration opens later
    CLOSED = "closed"  # registration closed (window over, or the event has started)
    DROP_IN = "drop_in"  # no registration needed: come along
    CANCELLED = "cancelled"
    PAST = "past"


# "Few seats left" once this share of the seats or fewer remains (at least three seats).
FEW_SHARE = 0.1
FEW_AT_LEAST = 3


def few_seats_threshold(capacity: int) -> int:
    return max(FEW_AT_LEAST, math.ceil(capacity * FEW_SHARE))


def reader_state(event: Event, now: datetime | None = None) -> ReaderState:
    now = now or utcnow()
    if event.is_cancelled:
        return ReaderState.CANCELLED
    if event.ends_at <= now:
        return ReaderState.PAST
    if not event.takes_registrations:
        return ReaderState.DROP_IN
    if event.starts_at <= now:
        return ReaderState.CLOSED
    if event.registration_opens_at and event.registration_opens_at > now:
        return ReaderState.NOT_YET_OPEN
    if event.registration_closes_at and event.registration_closes_at <= now:
        return ReaderState.CLOSED
    left = event.seats_left or 0
    if left <= 0:
        return ReaderState.WAITLIST if event.waitlist_enabled else ReaderState.FULL
    if left <= few_seats_threshold(event.capacity or 0):
        return ReaderState.FEW_LEFT
    return ReaderState.OPEN
