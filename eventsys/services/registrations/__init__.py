"""Registration rules: seats, waitlists, windows, cancellation, check-in and no-shows.

Callers import from here; the modules hold:

- ``rules``: statuses and labels, ``RegistrationError``, who may register now
  (``check_open``, ``refusal``, suspensions) and what a reader is shown;
- ``seats``: the seat count under the event's lock (how concurrent writers are served),
  the statements that take and free seats, the new registration's row;
- ``booking``: ``register``, ``cancel_registration``, ``change_capacity``;
- ``waitlist``: promotion of waiting parties when seats free up;
- ``queries``: a reader's registrations, waitlist places, the staff's searches and counts;
- ``door``: the check-in window, check-in, walk-ins, closing an event;
- ``noshow``: the no-show policy that suspends online registration;
- ``corrections``: undoing a no-show, lifting a suspension;
- ``reader_mails`` and ``attachments``: the mails to readers, with the calendar file and
  the QR image of the check-in code;
- ``moved``: telling readers that an event moved in time or place.
"""

from eventsys.models.registrations import ACTIVE_STATUSES
from eventsys.services.registrations.booking import (
    cancel_registration,
    change_capacity,
    register,
)
from eventsys.services.registrations.corrections import lift_suspension, undo_no_show
from eventsys.services.registrations.door import (
    check_in,
    check_in_registration,
    check_in_window,
    close_event,
    door_refusal,
    record_walk_ins,
    room_capacity,
)
from eventsys.services.registrations.moved import placing, queue_moved_mails
from eventsys.services.registrations.queries import (
    active_registration,
    find,
    find_readers,
    headcount,
    of_reader,
    waitlist_length,
    waitlist_position,
    waitlist_positions,
)
from eventsys.services.registrations.rules import (
    CONFIRMED,
    MAX_CAPACITY,
    MAX_NOTE_LENGTH,
    NEED_LABELS,
    ONLINE,
    SHOWN_STATUS_LABELS,
    STAFF,
    STATUS_LABELS,
    RegistrationError,
    admits,
    check_open,
    is_suspended,
    local_text,
    refusal,
    shown_status,
    suspension_message,
)
from eventsys.services.registrations.waitlist import promote_waitlist

__all__ = [
    "ACTIVE_STATUSES",
    "CONFIRMED",
    "MAX_CAPACITY",
    "MAX_NOTE_LENGTH",
    "NEED_LABELS",
    "ONLINE",
    "SHOWN_STATUS_LABELS",
    "STAFF",
    "STATUS_LABELS",
    "RegistrationError",
    "active_registration",
    "admits",
    "cancel_registration",
    "change_capacity",
    "check_in",
    "check_in_registration",
    "check_in_window",
    "check_open",
    "close_event",
    "door_refusal",
    "find",
    "find_readers",
    "headcount",
    "is_suspended",
    "lift_suspension",
    "local_text",
    "of_reader",
    "placing",
    "promote_waitlist",
    "queue_moved_mails",
    "record_walk_ins",
    "refusal",
    "register",
    "room_capacity",
    "shown_status",
    "suspension_message",
    "undo_no_show",
    "waitlist_length",
    "waitlist_position",
    "waitlist_positions",
]
