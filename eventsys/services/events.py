"""The event catalogue's rules: creating, editing, publishing, cancelling, duplicating.

Callers commit. Every function validates everything before it changes anything, so a
refusal leaves the session as it was (nothing half-saved).
"""

import logging
import re
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from eventsys.extensions import db
from eventsys.local_time import datetime_text, library_zone
from eventsys.models import (
    Audience,
    Campaign,
    Event,
    EventKind,
    EventStatus,
    ExhibitionDetails,
    Registration,
    Series,
    User,
    Venue,
    VisitorCount,
)
from eventsys.models.registrations import ACTIVE_STATUSES
from eventsys.services import audit, outbox
from eventsys.services import registrations as registration_service
from eventsys.text import has_controls

log = logging.getLogger(__name__)

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
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
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
    return _defaults()[name]


def _defaults() -> dict:
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


def _clean(values: dict) -> dict:
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


def _apply_exhibition(event: Event, exhibition: dict | None) -> None:
    if event.kind != EventKind.EXHIBITION:
        return
    details = event.exhibition or ExhibitionDetails()
    exhibition = exhibition or {}
    details.curator = (exhibition.get("curator") or "").strip()[:120]
    details.opening_hours = validate_opening_hours(exhibition.get("opening_hours"))
    event.exhibition = details


def create_event(
    actor: User | None,
    values: dict,
    *,
    confirm_capacity: bool = False,
    exhibition: dict | None = None,
) -> Event:
    """A new draft event from ``values`` (field → value; missing fields take defaults)."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise EventError(_("Unknown fields: %(fields)s.", fields=", ".join(sorted(unknown))))
    merged = _clean({**_defaults(), **values})
    validate(merged, confirm_capacity=confirm_capacity)
    if merged["kind"] == EventKind.EXHIBITION:
        validate_opening_hours((exhibition or {}).get("opening_hours"))
    event = Event(status=EventStatus.DRAFT.value, sequence=0, **merged)
    if actor is not None and actor.is_authenticated:
        event.created_by_id = event.updated_by_id = actor.id
    _apply_exhibition(event, exhibition)
    db.session.add(event)
    db.session.flush()
    audit.record(actor, "event.create", event, None, audit.snapshot(event, AUDITED_FIELDS))
    return event


def update_event(
    event: Event,
    actor: User | None,
    values: dict,
    *,
    confirm_capacity: bool = False,
    exhibition: dict | None = None,
) -> Event:
    """Change an event; a new time, place or status raises its sequence number, and a new
    time or place is mailed to every reader booked (in this transaction).

    Staff doors call ``edit_event``, which sends a capacity change through the
    registration rules instead."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise EventError(_("Unknown fields: %(fields)s.", fields=", ".join(sorted(unknown))))
    current = {name: getattr(event, name) for name in EDITABLE_FIELDS}
    merged = _clean({**current, **values})
    validate(merged, confirm_capacity=confirm_capacity, event=event)
    if merged["kind"] == EventKind.EXHIBITION and exhibition is not None:
        validate_opening_hours(exhibition.get("opening_hours"))
    before = audit.snapshot(event, AUDITED_FIELDS)
    exhibition_before = _exhibition_snapshot(event)
    was = registration_service.placing(event)
    for name, value in merged.items():
        setattr(event, name, value)
    if exhibition is not None or merged["kind"] == EventKind.EXHIBITION:
        _apply_exhibition(
            event, exhibition if exhibition is not None else exhibition_before or None
        )
    if any(before[f] != audit.snapshot(event, (f,))[f] for f in SEQUENCE_FIELDS):
        event.sequence += 1
    _audited_change(event, actor, "event.update", before, exhibition_before)
    if any(before[f] != audit.snapshot(event, (f,))[f] for f in MOVE_FIELDS):
        registration_service.queue_moved_mails(event, was)
    return event


def edit_event(
    event: Event,
    actor: User | None,
    values: dict,
    *,
    status: str | None = None,
    cancel_reason: str = "",
    confirm_capacity: bool = False,
    exhibition: dict | None = None,
) -> Event:
    """Every staff door's way to change an event (the edit form, the API). Commits.

    The fields go through ``update_event`` and a new status through ``publish`` or
    ``cancel``; then a new capacity of an event taking registrations goes through
    ``registrations.change_capacity``, so that raising it promotes the waiting list and
    tells those readers, whichever door it came through. Everything is validated first.
    """
    values = dict(values)
    seats = (
        "capacity" in values
        and event.capacity is not None
        and values["capacity"] is not None
        and values["capacity"] != event.capacity
    )
    new_capacity = values.pop("capacity") if seats else None
    if seats:
        current = {name: getattr(event, name) for name in EDITABLE_FIELDS}
        validate(
            _clean({**current, **values, "capacity": new_capacity}),
            confirm_capacity=confirm_capacity,
            event=event,
        )
    if values or exhibition is not None:
        update_event(event, actor, values, confirm_capacity=confirm_capacity, exhibition=exhibition)
    if status == EventStatus.PUBLISHED:
        publish(event, actor)
    elif status == EventStatus.CANCELLED:
        cancel(event, cancel_reason, actor)
    db.session.commit()
    if seats:
        try:
            event = registration_service.change_capacity(event, new_capacity, actor)
        except registration_service.RegistrationError as error:
            db.session.rollback()
            raise EventError(error.message, {"capacity": error.message}) from None
    return event


def _exhibition_snapshot(event: Event) -> dict:
    if event.exhibition is None:
        return {}
    return {
        "curator": event.exhibition.curator,
        "opening_hours": dict(event.exhibition.opening_hours or {}),
    }


def _audited_change(
    event: Event, actor: User | None, action: str, before: dict, exhibition_before=None
) -> Event:
    after = audit.snapshot(event, AUDITED_FIELDS)
    if exhibition_before is not None:
        before = {**before, "exhibition": exhibition_before}
        after = {**after, "exhibition": _exhibition_snapshot(event)}
    old, new = audit.changed(before, after)
    if new:
        if actor is not None and actor.is_authenticated:
            event.updated_by_id = actor.id
        audit.record(actor, action, event, old, new)
    return event


def publish(event: Event, actor: User | None) -> Event:
    if event.status == EventStatus.PUBLISHED:
        return event
    if event.status == EventStatus.CANCELLED:
        raise EventError(_("A cancelled event cannot be published again. Duplicate it instead."))
    current = {name: getattr(event, name) for name in EDITABLE_FIELDS}
    # Over-capacity was confirmed when it was saved.
    validate(current, confirm_capacity=True, event=event)
    before = audit.snapshot(event, AUDITED_FIELDS)
    event.status = EventStatus.PUBLISHED.value
    event.sequence += 1
    return _audited_change(event, actor, "event.publish", before)


def cancel(event: Event, reason: str, actor: User | None) -> Event:
    """Cancel with a reason and tell everyone holding a seat or waiting; twice is harmless."""
    reason = (reason or "").strip()
    if event.status == EventStatus.CANCELLED:
        return event
    if not reason:
        raise EventError(
            _("Say why the event is cancelled; readers will see the reason."),
            {"reason": _("Give a reason.")},
        )
    if len(reason) > 500:
        raise EventError(_("Keep the reason under 500 characters."), {"reason": _("Too long.")})
    if event.status == EventStatus.DRAFT:
        raise EventError(_("A draft was never public, so there is nothing to cancel."))
    before = audit.snapshot(event, AUDITED_FIELDS)
    event.status = EventStatus.CANCELLED.value
    event.cancel_reason = reason
    event.sequence += 1
    _queue_cancellation_notices(event)
    return _audited_change(event, actor, "event.cancel", before)


def _queue_cancellation_notices(event: Event) -> int:
    registrations = db.session.scalars(
        sa.select(Registration)
        .where(Registration.event_id == event.id, Registration.status.in_(ACTIVE_STATUSES))
        .order_by(Registration.id)
    ).all()
    for registration in registrations:
        user = registration.user
        with force_locale(user.locale):  # the reader's language, as every other mail
            subject = _("Cancelled: %(title)s", title=event.localized_title)
            body = _(
                'Dear %(name)s,\n\nwe are sorry: "%(title)s" on %(when)s has been cancelled.\n'
                "Reason: %(reason)s\n\nYour registration no longer holds a seat.\n"
                "Suzhou Library",
                name=user.display_name,
                title=event.localized_title,
                when=datetime_text(event.starts_at),
                reason=event.cancel_reason,
            )
        outbox.queue(
            user.email,
            subject,
            body,
            dedupe_key=f"event-cancelled:{event.id}:{registration.id}",
        )
    log.info("event %s cancelled; %s readers notified", event.id, len(registrations))
    return len(registrations)


def duplicate(event: Event, actor: User | None, starts_at: datetime | None = None) -> Event:
    """A new draft session with the same details; by default one week later."""
    new_start = starts_at or event.starts_at + timedelta(days=7)
    shift = new_start - event.starts_at
    values = {name: getattr(event, name) for name in EDITABLE_FIELDS}
    values["starts_at"] = new_start
    values["ends_at"] = event.ends_at + shift
    for key in ("registration_opens_at", "registration_closes_at"):
        if values[key] is not None:
            values[key] = values[key] + shift
    exhibition = _exhibition_snapshot(event) or None
    copy = create_event(actor, values, confirm_capacity=True, exhibition=exhibition)
    audit.record(actor, "event.duplicate", copy, {"source_id": event.id}, {"id": copy.id})
    return copy


def local_day_range(event: Event) -> tuple[date, date]:
    zone = library_zone()
    last = event.ends_at.astimezone(zone)
    # An exhibition ending at midnight ended the day before.
    if last.time() == datetime.min.time():
        last -= timedelta(microseconds=1)
    return event.starts_at.astimezone(zone).date(), last.date()


def record_visitors(event: Event, day: date, visitors: int, actor: User | None) -> VisitorCount:
    """Store (or correct) the walk-in visitors of an exhibition on one day."""
    if event.kind != EventKind.EXHIBITION:
        raise EventError(_("Visitor counts are kept for exhibitions only."))
    if visitors is None or visitors < 0:
        raise EventError(
            _("The number of visitors cannot be negative."),
            {"visitors": _("Enter 0 or more.")},
        )
    if visitors > 1_000_000:
        raise EventError(
            _("That number of visitors is not plausible for one day."),
            {"visitors": _("Check the number.")},
        )
    first, last = local_day_range(event)
    if not first <= day <= last:
        message = _(
            "The day must fall within the exhibition (%(first)s to %(last)s).",
            first=first.isoformat(),
            last=last.isoformat(),
        )
        raise EventError(message, {"day": message})
    row = db.session.scalar(
        sa.select(VisitorCount).where(VisitorCount.event_id == event.id, VisitorCount.day == day)
    )
    before = None
    if row is None:
        row = VisitorCount(event_id=event.id, day=day, visitors=visitors)
        db.session.add(row)
    else:
        before = {"day": day.isoformat(), "visitors": row.visitors}
        row.visitors = visitors
    if actor is not None and actor.is_authenticated:
        row.recorded_by_id = actor.id
    db.session.flush()
    audit.record(
        actor, "exhibition.visitors", event, before, {"day": day.isoformat(), "visitors": visitors}
    )
    return row


def visitor_counts(event: Event) -> list[VisitorCount]:
    return list(
        db.session.scalars(
            sa.select(VisitorCount)
            .where(VisitorCount.event_id == event.id)
            .order_by(VisitorCount.day)
        )
    )


def _check_slug(model, slug: str, current_id: int | None) -> dict:
    if not _SLUG.match(slug or ""):
        return {"slug": _("Use lower-case letters, digits and hyphens (at most 80).")}
    taken = db.session.scalar(sa.select(model.id).where(model.slug == slug))
    if taken is not None and taken != current_id:
        return {"slug": _("This short name is taken already.")}
    return {}


def save_series(actor: User | None, values: dict, series: Series | None = None) -> Series:
    slug = (values.get("slug") or "").strip()
    title = (values.get("title") or "").strip()
    errors = _check_slug(Series, slug, series.id if series else None)
    if not title:
        errors["title"] = _("Give the series a title.")
    if errors:
        raise EventError(" ".join(errors.values()), errors)
    before = None
    if series is None:
        series = Series()
        db.session.add(series)
    else:
        before = audit.snapshot(series, ("slug", "title", "brand", "description"))
    series.slug, series.title = slug, title[:200]
    series.brand = (values.get("brand") or "").strip()[:40]
    series.description = values.get("description") or ""
    series.title_en = (values.get("title_en") or "").strip()[:200]
    series.description_en = values.get("description_en") or ""
    db.session.flush()
    after = audit.snapshot(series, ("slug", "title", "brand", "description"))
    audit.record(actor, "series.save", series, before, after)
    return series


def save_campaign(actor: User | None, values: dict, campaign: Campaign | None = None) -> Campaign:
    slug = (values.get("slug") or "").strip()
    title = (values.get("title") or "").strip()
    year = values.get("year")
    errors = _check_slug(Campaign, slug, campaign.id if campaign else None)
    if not title:
        errors["title"] = _("Give the campaign a title.")
    if not isinstance(year, int) or not 1900 <= year <= 2200:
        errors["year"] = _("Give a year between 1900 and 2200.")
    if errors:
        raise EventError(" ".join(errors.values()), errors)
    before = None
    if campaign is None:
        campaign = Campaign(year=year)
        db.session.add(campaign)
    else:
        before = audit.snapshot(campaign, ("slug", "title", "year", "description"))
    campaign.slug, campaign.title, campaign.year = slug, title[:200], year
    campaign.description = values.get("description") or ""
    campaign.title_en = (values.get("title_en") or "").strip()[:200]
    campaign.description_en = values.get("description_en") or ""
    db.session.flush()
    after = audit.snapshot(campaign, ("slug", "title", "year", "description"))
    audit.record(actor, "campaign.save", campaign, before, after)
    return campaign


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
