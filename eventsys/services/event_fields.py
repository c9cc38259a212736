"""What staff set on an event and which values are acceptable: the editable fields, their
defaults, the checks every door runs before saving, and the library's wall-clock times of
the staff forms.
"""

import re
from datetime import UTC, datetime

from flask_babel import gettext as _
from flask_babel import ngettext

from eventsys.extensions import db
from eventsys.local_time import library_zone
from eventsys.models import Audience, Campaign, Event, EventKind, Series, Venue
from eventsys.text import has_controls

# What staff may set on an event.
EDITABLE_FIELDS = (
    "kind",
    "title",
    "description",
    "title_en",
    "description_en",
    "series_id",
    "campaign_id",
    "parent_id",
    "venue_id",
    "starts_at",
    "ends_at",
    "online",
    "online_url",
    "audience",
    "capacity",
    "waitlist_enabled",
    "max_party_size",
    "registration_opens_at",
    "registration_closes_at",
    "speaker_name",
    "speaker_title",
    "speaker_bio",
)
AUDITED_FIELDS = (*EDITABLE_FIELDS, "status", "cancel_reason", "sequence")
# A change to any of these is a change calendar clients must pick up (RFC 5545 SEQUENCE).
SEQUENCE_FIELDS = ("starts_at", "ends_at", "venue_id", "online", "online_url", "status")
# A change to any of these moves the event: everyone booked is told.
MOVE_FIELDS = ("starts_at", "ends_at", "venue_id", "online", "online_url")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
# What any door may store: instants within a programme's reach (further ones only overflow
# date arithmetic), ids that fit the database's keys, seats a building can hold.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 12, 31, 23, 59, tzinfo=UTC)
MAX_ID = 2**31 - 1
MAX_CAPACITY = 100_000
# Fields shown on one line: in mail subjects, calendar SUMMARY and LOCATION lines.
ONE_LINE_FIELDS = ("title", "title_en", "online_url", "speaker_name", "speaker_title")


class EventError(ValueError):
    """A refusal with a message fit to show staff; ``errors`` maps form fields to messages."""

    def __init__(self, message: str, errors: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class CapacityNeedsConfirmation(EventError):
    """The capacity exceeds the venue's: allowed, but only when staff confirm it."""


def blank_value(name: str):
    """What an event's field holds when nothing is given for it."""
    return defaults()[name]


def defaults() -> dict:
    """Every editable field's value when nothing is given for it."""
    return {
        "kind": EventKind.LECTURE.value,
        "title": "",
        "description": "",
        "title_en": "",
        "description_en": "",
        "series_id": None,
        "campaign_id": None,
        "parent_id": None,
        "venue_id": None,
        "starts_at": None,
        "ends_at": None,
        "online": False,
        "online_url": "",
        "audience": Audience.ALL.value,
        "capacity": None,
        "waitlist_enabled": True,
        "max_party_size": 1,
        "registration_opens_at": None,
        "registration_closes_at": None,
        "speaker_name": "",
        "speaker_title": "",
        "speaker_bio": "",
    }


def _is_aware(value) -> bool:
    return isinstance(value, datetime) and value.tzinfo is not None


def validate(values: dict, *, confirm_capacity: bool = False, event: Event | None = None) -> None:
    """Raise EventError listing every problem with ``values`` (a full set of fields)."""
    errors: dict[str, str] = {}
    if values["kind"] not in {k.value for k in EventKind}:
        errors["kind"] = _("Choose a known kind of event.")
    if values["audience"] not in {a.value for a in Audience}:
        errors["audience"] = _("Choose a known audience.")
    title = (values["title"] or "").strip()
    if not title:
        errors["title"] = _("Give the event a title.")
    elif len(title) > 200:
        errors["title"] = _("Keep the title under 200 characters.")
    for name in ONE_LINE_FIELDS:
        if has_controls(values[name]):
            errors.setdefault(
                name, _("Write this on one line, without tabs or control characters.")
            )

    starts, ends = values["starts_at"], values["ends_at"]
    if not _is_aware(starts):
        errors["starts_at"] = _("Give the start date and time.")
    if not _is_aware(ends):
        errors["ends_at"] = _("Give the end date and time.")
    elif _is_aware(starts) and ends <= starts:
        errors["ends_at"] = _("The event must end after it starts.")
    for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        if _is_aware(values[name]) and not EARLIEST <= values[name] <= LATEST:
            errors[name] = _(
                "Give a date between the years %(first)s and %(last)s.",
                first=EARLIEST.year,
                last=LATEST.year,
            )
    for name in ("venue_id", "series_id", "campaign_id", "parent_id"):
        if values[name] is not None and not 0 < values[name] <= MAX_ID:
            values = {**values, name: -1}  # no such row: the checks below say it is unknown

    opens, closes = values["registration_opens_at"], values["registration_closes_at"]
    if closes is not None and _is_aware(starts) and closes > starts:
        errors["registration_closes_at"] = _(
            "Registration must close before the event starts, or when it starts."
        )
    if opens is not None and closes is not None and opens >= closes:
        errors["registration_opens_at"] = _("Registration must open before it closes.")
    elif opens is not None and _is_aware(starts) and opens >= starts:
        errors["registration_opens_at"] = _("Registration must open before the event starts.")

    capacity = values["capacity"]
    if capacity is not None and capacity < 0:
        errors["capacity"] = _("Capacity cannot be negative; leave it empty for no registration.")
    elif capacity is not None and capacity > MAX_CAPACITY:
        errors["capacity"] = _("At most %(max)s seats.", max=MAX_CAPACITY)
    if values["max_party_size"] is None or values["max_party_size"] < 1:
        errors["max_party_size"] = _("A party is at least one person.")

    venue = None
    if values["venue_id"] is not None:
        venue = db.session.get(Venue, values["venue_id"])
        if venue is None:
            errors["venue_id"] = _("This venue does not exist. Choose one from the list.")
    elif not values["online"]:
        errors["venue_id"] = _("Choose a venue, or mark the event as online.")
    url = (values["online_url"] or "").strip()
    if values["online"] and not url:
        errors["online_url"] = _("Give the link for the online event.")
    elif url and not re.match(r"^https?://\S+$", url):
        errors["online_url"] = _("The online link must start with http:// or https://.")
    elif len(url) > 500:
        errors["online_url"] = _("Keep the online link under 500 characters.")

    if values["series_id"] is not None and db.session.get(Series, values["series_id"]) is None:
        errors["series_id"] = _("This series does not exist.")
    if (
        values["campaign_id"] is not None
        and db.session.get(Campaign, values["campaign_id"]) is None
    ):
        errors["campaign_id"] = _("This campaign does not exist.")
    if values["parent_id"] is not None:
        parent = db.session.get(Event, values["parent_id"])
        if parent is None or parent.kind != EventKind.EXHIBITION:
            errors["parent_id"] = _("A guided tour can only belong to an existing exhibition.")
        elif event is not None and parent.id == event.id:
            errors["parent_id"] = _("An event cannot belong to itself.")
    if values["kind"] == EventKind.EXHIBITION and values["parent_id"] is not None:
        errors.setdefault("parent_id", _("An exhibition cannot belong to another exhibition."))
    if event is not None and capacity is not None and capacity < event.seats_taken:
        errors.setdefault(
            "capacity",
            ngettext(
                "%(num)s seat is taken already; the capacity cannot be lower.",
                "%(num)s seats are taken already; the capacity cannot be lower.",
                event.seats_taken,
            ),
        )

    if errors:
        raise EventError(" ".join(errors.values()), errors)
    if (
        venue is not None
        and capacity is not None
        and venue.capacity > 0
        and capacity > venue.capacity
        and not confirm_capacity
    ):
        message = _(
            "The capacity (%(capacity)s) is above what %(venue)s holds (%(venue_capacity)s). "
            "Tick the confirmation to save it anyway.",
            capacity=capacity,
            venue=venue.name,
            venue_capacity=venue.capacity,
        )
        raise CapacityNeedsConfirmation(message, {"confirm_capacity": message})


def cleaned(values: dict) -> dict:
    """``values`` with one-line fields trimmed and empty texts as empty strings."""
    clean = dict(values)
    for key in ("title", "title_en", "online_url", "speaker_name", "speaker_title"):
        clean[key] = (clean[key] or "").strip()
    for key in ("description", "description_en", "speaker_bio"):
        clean[key] = clean[key] or ""
    return clean


def validate_opening_hours(hours: dict | None) -> dict:
    """``{"mon": "09:00-17:00", ...}``; empty means closed that day."""
    hours = hours or {}
    unknown = set(hours) - set(WEEKDAYS)
    if unknown:
        raise EventError(_("Unknown weekday in the opening hours."))
    clean, errors = {}, {}
    for day in WEEKDAYS:
        value = (hours.get(day) or "").strip()
        if value and (not _HOURS.match(value) or value[:5] >= value[6:]):
            errors[f"hours_{day}"] = _("Write opening hours like 09:00-17:00, or leave empty.")
        clean[day] = value
    if errors:
        raise EventError(" ".join(errors.values()), errors)
    return clean


def to_utc(local: datetime | None) -> datetime | None:
    """A naive wall-clock time in the library's zone (form input) as an aware UTC instant."""
    if local is None:
        return None
    zone = library_zone()
    return local.replace(tzinfo=zone).astimezone(UTC)


def to_local(value: datetime | None) -> datetime | None:
    """An instant as a naive wall-clock time in the library's zone (form pre-fill)."""
    if value is None:
        return None
    zone = library_zone()
    return value.astimezone(zone).replace(tzinfo=None)
