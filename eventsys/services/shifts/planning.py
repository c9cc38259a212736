"""Volunteer roles, and creating and changing shifts (one, or one per day of a pattern)."""

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from eventsys.extensions import db
from eventsys.models import Event, Shift, ShiftStatus, User, Venue, VolunteerRole
from eventsys.services import audit
from eventsys.services.shifts.errors import ShiftError
from eventsys.services.shifts.notices import Placing, tell_volunteers
from eventsys.services.shifts.times import local_instant

MAX_SLOTS = 500
MAX_REPEATED_SHIFTS = 200
MAX_SHIFT_HOURS = 24

SHIFT_FIELDS = (
    "role_id",
    "venue_id",
    "event_id",
    "starts_at",
    "ends_at",
    "slots",
    "notes",
    "status",
)
# A change to one of these is news to calendar subscribers.
SEQUENCE_FIELDS = ("starts_at", "ends_at", "venue_id", "status")
# A change to one of these is news to the volunteers signed up for an open shift.
MOVE_FIELDS = ("starts_at", "ends_at", "venue_id")


def roles() -> list[VolunteerRole]:
    return list(db.session.scalars(sa.select(VolunteerRole).order_by(VolunteerRole.name)))


def check_duration(starts_at: datetime, ends_at: datetime, message: str) -> None:
    """A shift, or the time served on it, ends after it starts and lasts a day at most."""
    if ends_at <= starts_at:
        raise ShiftError(message, "invalid")
    if ends_at - starts_at > timedelta(hours=MAX_SHIFT_HOURS):
        raise ShiftError(
            _("A shift lasts at most %(hours)s hours.", hours=MAX_SHIFT_HOURS), "invalid"
        )


def _validate_shift(
    role_id: int | None,
    venue_id: int | None,
    starts_at: datetime,
    ends_at: datetime,
    slots: int,
    event_id: int | None,
) -> None:
    if role_id is None or db.session.get(VolunteerRole, role_id) is None:
        raise ShiftError(_("Choose a volunteer role."), "invalid")
    if venue_id is None or db.session.get(Venue, venue_id) is None:
        raise ShiftError(_("Choose a venue."), "invalid")
    if event_id is not None and db.session.get(Event, event_id) is None:
        raise ShiftError(_("There is no event with number %(id)s.", id=event_id), "invalid")
    check_duration(starts_at, ends_at, _("The shift must end after it starts."))
    if slots is None or not 1 <= slots <= MAX_SLOTS:
        raise ShiftError(_("Slots must be between 1 and %(max)s.", max=MAX_SLOTS), "invalid")


def create_shift(
    actor: User | None,
    *,
    role_id: int,
    venue_id: int,
    starts_at: datetime,
    ends_at: datetime,
    slots: int,
    event_id: int | None = None,
    notes: str = "",
    commit: bool = True,
) -> Shift:
    """Commits unless ``commit`` is false (one of a repeating pattern)."""
    _validate_shift(role_id, venue_id, starts_at, ends_at, slots, event_id)
    shift = Shift(
        role_id=role_id,
        venue_id=venue_id,
        event_id=event_id,
        starts_at=starts_at,
        ends_at=ends_at,
        slots=slots,
        notes=notes.strip(),
        status=ShiftStatus.OPEN,
        created_by_id=actor.id if actor else None,
        updated_by_id=actor.id if actor else None,
    )
    db.session.add(shift)
    db.session.flush()
    audit.record(actor, "shift.create", shift, None, audit.snapshot(shift, SHIFT_FIELDS))
    if commit:
        db.session.commit()
    return shift


def repeat_days(first_day: date, last_day: date, weekdays: set[int]) -> list[date]:
    """Days from first to last (inclusive) that fall on one of the weekdays (Mon = 0)."""
    days = []
    day = first_day
    while day <= last_day and len(days) <= MAX_REPEATED_SHIFTS:
        if day.weekday() in weekdays:
            days.append(day)
        day += timedelta(days=1)
    return days


def create_repeating_shifts(
    actor: User | None,
    *,
    role_id: int,
    venue_id: int,
    first_day: date,
    last_day: date,
    weekdays: set[int],
    start_time: time,
    end_time: time,
    slots: int,
    event_id: int | None = None,
    notes: str = "",
) -> list[Shift]:
    """One separate shift per matching day, times in the library's zone; all or nothing.
    Commits."""
    if last_day < first_day:
        raise ShiftError(_("The last day must not be before the first day."), "invalid")
    if not weekdays or not weekdays <= set(range(7)):
        raise ShiftError(_("Choose at least one weekday."), "no_shifts")
    if end_time <= start_time:
        raise ShiftError(_("The shift must end after it starts."), "invalid")
    days = repeat_days(first_day, last_day, weekdays)
    if not days:
        raise ShiftError(
            _("This pattern gives no shift: none of the chosen weekdays falls in the range."),
            "no_shifts",
        )
    if len(days) > MAX_REPEATED_SHIFTS:
        raise ShiftError(
            _(
                "This pattern would create more than %(max)s shifts. Choose a shorter range "
                "or fewer weekdays.",
                max=MAX_REPEATED_SHIFTS,
            ),
            "too_many",
        )
    try:
        shifts = [
            create_shift(
                actor,
                role_id=role_id,
                venue_id=venue_id,
                starts_at=local_instant(day, start_time),
                ends_at=local_instant(day, end_time),
                slots=slots,
                event_id=event_id,
                notes=notes,
                commit=False,
            )
            for day in days
        ]
    except ShiftError:
        db.session.rollback()
        raise
    db.session.commit()
    return shifts


def update_shift(shift: Shift, actor: User | None, **changes) -> Shift:
    """Change a shift; slots below the number signed up are refused. Volunteers signed up
    for an open shift are mailed when it is cancelled or moved. Commits."""
    values = {name: changes.get(name, getattr(shift, name)) for name in SHIFT_FIELDS}
    if values["status"] not in (ShiftStatus.OPEN, ShiftStatus.CANCELLED):
        raise ShiftError(_("Unknown status."), "invalid")
    _validate_shift(
        values["role_id"],
        values["venue_id"],
        values["starts_at"],
        values["ends_at"],
        values["slots"],
        values["event_id"],
    )
    if values["slots"] < shift.filled:
        raise ShiftError(
            _(
                "%(filled)s volunteers are signed up already; slots cannot go below that. "
                "Remove volunteers from the roster first.",
                filled=shift.filled,
            ),
            "slots_below_filled",
        )
    before = audit.snapshot(shift, SHIFT_FIELDS)
    news = any(values[name] != getattr(shift, name) for name in SEQUENCE_FIELDS)
    was_open = shift.status == ShiftStatus.OPEN
    moved = any(values[name] != getattr(shift, name) for name in MOVE_FIELDS)
    was = Placing.of(shift)
    for name, value in values.items():
        setattr(shift, name, value)
    shift.notes = (shift.notes or "").strip()
    if news:
        shift.sequence += 1
    shift.updated_by_id = actor.id if actor else None
    old, new = audit.changed(before, audit.snapshot(shift, SHIFT_FIELDS))
    if new:
        audit.record(actor, "shift.update", shift, old, new)
    try:
        if was_open and (shift.is_cancelled or moved):
            tell_volunteers(shift, was, cancelled=shift.is_cancelled)
        db.session.commit()
    except IntegrityError:
        # Someone signed up meanwhile: the database's own guard refused the change.
        db.session.rollback()
        raise ShiftError(
            _("Volunteers signed up meanwhile; slots cannot go below that."),
            "slots_below_filled",
        ) from None
    return shift
