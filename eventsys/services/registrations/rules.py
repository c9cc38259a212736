"""Who may register now, and the words for a registration: statuses, needs, party sizes."""

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from eventsys.db_types import utcnow
from eventsys.local_time import datetime_text
from eventsys.models import Event, EventStatus, Registration, RegistrationStatus, User
from eventsys.models.registrations import ACCESS_NEEDS

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


def local_text(instant: datetime) -> str:
    """The reader's one date format, in the language being made (see ``local_time``)."""
    return datetime_text(instant)


def normalise_needs(needs) -> str:
    """Known needs only, in a fixed order, as stored (comma-separated)."""
    chosen = set(needs or ())
    unknown = chosen - set(ACCESS_NEEDS)
    if unknown:
        raise RegistrationError("bad_input", _("Choose accessibility needs from the list."))
    return ",".join(n for n in ACCESS_NEEDS if n in chosen)


def valid_party_size(event: Event, size) -> int:
    """``size`` as a whole number of people the event accepts in one party."""
    try:
        size = int(size)
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


def valid_note(note: str | None) -> str:
    """The note on needs, trimmed, if it is short enough."""
    note = (note or "").strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise RegistrationError(
            "bad_input",
            _("Keep the note under %(max)s characters.", max=MAX_NOTE_LENGTH),
        )
    return note


def duplicate() -> RegistrationError:
    return RegistrationError("duplicate", _("You are registered for this event already."))


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
