"""The event catalogue's changes: creating, editing, publishing, cancelling, duplicating,
and the visitors of exhibitions.

Callers commit. Every function validates everything before it changes anything, so a
refusal leaves the session as it was (nothing half-saved). The staff desk and the API call
this module: the fields and their checks live in ``event_fields.py``, series and campaigns
in ``programmes.py``.
"""

import logging
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from eventsys.extensions import db
from eventsys.local_time import library_zone
from eventsys.models import (
    Event,
    EventKind,
    EventStatus,
    ExhibitionDetails,
    Registration,
    User,
    VisitorCount,
)
from eventsys.models.registrations import ACTIVE_STATUSES
from eventsys.services import audit, mails
from eventsys.services import registrations as registration_service
from eventsys.services.event_fields import (
    AUDITED_FIELDS,
    EARLIEST,
    EDITABLE_FIELDS,
    LATEST,
    MAX_CAPACITY,
    MAX_ID,
    MOVE_FIELDS,
    SEQUENCE_FIELDS,
    WEEKDAYS,
    CapacityNeedsConfirmation,
    EventError,
    blank_value,
    cleaned,
    defaults,
    to_local,
    to_utc,
    validate,
    validate_opening_hours,
)
from eventsys.services.programmes import save_campaign, save_series

__all__ = [
    "AUDITED_FIELDS",
    "EARLIEST",
    "EDITABLE_FIELDS",
    "LATEST",
    "MAX_CAPACITY",
    "MAX_ID",
    "WEEKDAYS",
    "CapacityNeedsConfirmation",
    "EventError",
    "blank_value",
    "cancel",
    "create_event",
    "duplicate",
    "edit_event",
    "local_day_range",
    "publish",
    "record_visitors",
    "save_campaign",
    "save_series",
    "to_local",
    "to_utc",
    "update_event",
    "validate",
    "validate_opening_hours",
    "visitor_counts",
]

log = logging.getLogger(__name__)


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
    merged = cleaned({**defaults(), **values})
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
    merged = cleaned({**current, **values})
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
            cleaned({**current, **values, "capacity": new_capacity}),
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
        mails.queue_mail(
            registration.user,
            "event_cancelled",
            dedupe_key=f"event-cancelled:{event.id}:{registration.id}",
            event=event,
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
