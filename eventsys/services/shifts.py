"""The volunteer service: applications, shifts, sign-ups, attendance, hours and reports.

Functions that change state commit their own transaction (sign-up needs to, to keep its
concurrency guarantee; the others do so for symmetry) and roll back on refusal, so nothing
is ever half-saved. Refusals raise ``ShiftError`` with a message fit to show the person
and a machine-readable ``code``.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.local_time import date_text, datetime_text, library_zone, range_text
from eventsys.models import (
    ApplicationStatus,
    Attendance,
    Branch,
    Event,
    Role,
    Shift,
    ShiftSignup,
    ShiftStatus,
    SignupStatus,
    User,
    Venue,
    VolunteerApplication,
    VolunteerRole,
)
from eventsys.services import audit, outbox, policies
from eventsys.services.links import external_url

log = logging.getLogger(__name__)

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


class ShiftError(ValueError):
    """A refusal with a message fit to show the person and a machine-readable code."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


# --- time helpers ------------------------------------------------------------------------


def local_instant(day: date, at: time) -> datetime:
    """A wall-clock time on a day in the library's zone, as a UTC instant."""
    return datetime.combine(day, at, tzinfo=library_zone()).astimezone(UTC)


def local_day(instant: datetime) -> date:
    return instant.astimezone(library_zone()).date()


def describe_shift(shift: Shift) -> str:
    """ "阅读指导 · 人民路馆 · 报告厅 · 2021年3月6日 周六 09:00–12:00" in the reader's language."""
    return _describe(shift.role, shift.venue, shift.starts_at, shift.ends_at)


def _describe(role: VolunteerRole, venue: Venue, starts_at: datetime, ends_at: datetime) -> str:
    return f"{role.localized_name} · {venue} · {range_text(starts_at, ends_at)}"


def _minutes(start: datetime, end: datetime) -> int:
    return max(int((end - start).total_seconds() // 60), 0)


# --- applications ------------------------------------------------------------------------


def pending_application(user: User) -> VolunteerApplication | None:
    return db.session.scalar(
        sa.select(VolunteerApplication).where(
            VolunteerApplication.user_id == user.id,
            VolunteerApplication.status == ApplicationStatus.APPLIED,
        )
    )


def latest_application(user: User) -> VolunteerApplication | None:
    return db.session.scalar(
        sa.select(VolunteerApplication)
        .where(VolunteerApplication.user_id == user.id)
        .order_by(VolunteerApplication.created_at.desc(), VolunteerApplication.id.desc())
        .limit(1)
    )


def apply(
    user: User,
    *,
    skills: str = "",
    languages: str = "",
    availability: str = "",
    emergency_name: str,
    emergency_phone: str,
    motivation: str = "",
) -> VolunteerApplication:
    if user.role != Role.READER:
        raise ShiftError(_("Your account can already serve volunteer shifts."), "already")
    if pending_application(user) is not None:
        raise ShiftError(_("Your application is already waiting for a decision."), "pending")
    if not emergency_name.strip() or not emergency_phone.strip():
        raise ShiftError(_("Please give an emergency contact and phone."), "invalid")
    application = VolunteerApplication(
        user_id=user.id,
        skills=skills.strip(),
        languages=languages.strip(),
        availability=availability.strip(),
        emergency_name=emergency_name.strip(),
        emergency_phone=emergency_phone.strip(),
        motivation=motivation.strip(),
        status=ApplicationStatus.APPLIED,
    )
    db.session.add(application)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ShiftError(
            _("Your application is already waiting for a decision."), "pending"
        ) from None
    return application


def _decide(application: VolunteerApplication, actor: User, status: str, note: str) -> None:
    if application.status != ApplicationStatus.APPLIED:
        raise ShiftError(_("This application has been decided already."), "decided")
    before = audit.snapshot(application, ("status", "note"))
    application.status = status
    application.note = note.strip()[:500]
    application.decided_by_id = actor.id
    application.decided_at = utcnow()
    audit.record(
        actor,
        f"volunteer_application.{status}",
        application,
        before,
        audit.snapshot(application, ("status", "note")),
    )


def approve(application: VolunteerApplication, actor: User, note: str = "") -> None:
    """Approve: a reader becomes a volunteer (staff keep their own role)."""
    _decide(application, actor, ApplicationStatus.APPROVED, note)
    user = application.user
    if user.role == Role.READER:
        audit.record(actor, "user.role", user, {"role": user.role}, {"role": Role.VOLUNTEER.value})
        user.role = Role.VOLUNTEER
    with force_locale(user.locale):
        outbox.queue(
            user.email,
            _("You are now a library volunteer"),
            _(
                "Hello %(name)s,\n\nyour application to volunteer at the library is approved. "
                "You can now sign up for shifts on the volunteer pages.\n\n%(note)s",
                name=user.display_name,
                note=application.note,
            ),
        )
    db.session.commit()


def reject(application: VolunteerApplication, actor: User, note: str = "") -> None:
    _decide(application, actor, ApplicationStatus.REJECTED, note)
    user = application.user
    with force_locale(user.locale):
        outbox.queue(
            user.email,
            _("Your volunteer application"),
            _(
                "Hello %(name)s,\n\nthank you for your interest. We cannot accept your "
                "application to volunteer at this time.\n\n%(note)s",
                name=user.display_name,
                note=application.note,
            ),
        )
    db.session.commit()


# --- roles and shifts --------------------------------------------------------------------


def roles() -> list[VolunteerRole]:
    return list(db.session.scalars(sa.select(VolunteerRole).order_by(VolunteerRole.name)))


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
    if ends_at <= starts_at:
        raise ShiftError(_("The shift must end after it starts."), "invalid")
    if ends_at - starts_at > timedelta(hours=MAX_SHIFT_HOURS):
        raise ShiftError(
            _("A shift lasts at most %(hours)s hours.", hours=MAX_SHIFT_HOURS), "invalid"
        )
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
    """One separate shift per matching day, times in the library's zone; all or nothing."""
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
    """Change a shift; slots below the number signed up are refused."""
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
    was = _Placing(shift.role, shift.venue, shift.starts_at, shift.ends_at)
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
        if was_open and shift.is_cancelled:
            _tell_volunteers(shift, was, cancelled=True)
        elif was_open and moved:
            _tell_volunteers(shift, was, cancelled=False)
        db.session.commit()
    except IntegrityError:
        # Someone signed up meanwhile: the database's own guard refused the change.
        db.session.rollback()
        raise ShiftError(
            _("Volunteers signed up meanwhile; slots cannot go below that."),
            "slots_below_filled",
        ) from None
    return shift


class _Placing(NamedTuple):
    """What a volunteer knew of a shift before a change."""

    role: VolunteerRole
    venue: Venue
    starts_at: datetime
    ends_at: datetime


def _tell_volunteers(shift: Shift, was: _Placing, *, cancelled: bool) -> None:
    """Queue a mail to each volunteer signed up for the shift: it is cancelled, or its time
    or place changed. In the caller's transaction.

    The dedupe key names the change (the shift's sequence and, for a move, the new time and
    place): two staff saving the same change at once mail once, every later change mails
    again. A shift over both before and after the change is a record being corrected: nobody
    is told.
    """
    if max(was.ends_at, shift.ends_at) <= utcnow():
        return
    # The relationships still hold the old role and venue until they are loaded again.
    db.session.expire(shift, ["role", "venue"])
    signups = db.session.scalars(
        sa.select(ShiftSignup)
        .options(joinedload(ShiftSignup.user))
        .where(ShiftSignup.shift_id == shift.id, ShiftSignup.status == SignupStatus.SIGNED_UP)
        .order_by(ShiftSignup.id)
    ).all()
    if not signups:
        return
    link = external_url("volunteers.mine")
    for signup in signups:
        user = signup.user
        if not user.active:
            continue
        with force_locale(user.locale):
            if cancelled:
                subject, body = _cancelled_mail(user, was, link)
                key = f"shift-cancelled:signup:{signup.id}:{shift.sequence}"
            else:
                subject, body = _moved_mail(user, shift, was, link)
                key = (
                    f"shift-moved:signup:{signup.id}:{shift.sequence}:"
                    f"{shift.starts_at:%Y%m%d%H%M}-{shift.ends_at:%Y%m%d%H%M}:{shift.venue_id}"
                )
            outbox.queue(user.email, subject, body, dedupe_key=key)


def _cancelled_mail(user: User, was: _Placing, link: str) -> tuple[str, str]:
    subject = _(
        "Cancelled: your volunteer shift %(when)s",
        when=datetime_text(was.starts_at),
    )
    body = _(
        "Hello %(name)s,\n\nthe volunteer shift you signed up for is cancelled:\n"
        "%(shift)s\n\nYou do not need to come. Your shifts:\n%(link)s\n\n"
        "Thank you for volunteering.\n\nSuzhou Library",
        name=user.display_name,
        shift=_describe(*was),
        link=link,
    )
    return subject, body


def _moved_mail(user: User, shift: Shift, was: _Placing, link: str) -> tuple[str, str]:
    subject = _(
        "Changed: your volunteer shift is now %(when)s",
        when=datetime_text(shift.starts_at),
    )
    body = _(
        "Hello %(name)s,\n\nthe time or place of the volunteer shift you signed up for has "
        "changed. It is now:\n%(shift)s\n\nIt was:\n%(was)s\n\nIf you cannot come now, "
        "please withdraw on your volunteer page or tell the volunteer desk. Your shifts:\n"
        "%(link)s\n\nSuzhou Library",
        name=user.display_name,
        shift=describe_shift(shift),
        was=_describe(*was),
        link=link,
    )
    return subject, body


# --- sign-up -----------------------------------------------------------------------------


def _active_signups_of(user_id: int, start: datetime, end: datetime) -> list[ShiftSignup]:
    """The user's active sign-ups for open shifts that touch [start, end)."""
    return list(
        db.session.scalars(
            sa.select(ShiftSignup)
            .join(ShiftSignup.shift)
            .options(joinedload(ShiftSignup.shift))
            .where(
                ShiftSignup.user_id == user_id,
                ShiftSignup.status == SignupStatus.SIGNED_UP,
                Shift.status == ShiftStatus.OPEN,
                Shift.starts_at < end,
                Shift.ends_at > start,
            )
            .order_by(Shift.starts_at)
        )
    )


def _check_personal_rules(shift: Shift, user_id: int, check_limits: bool = True) -> None:
    """Duplicate, clash and daily cap: the rules that depend on the volunteer's other shifts."""
    duplicate = db.session.scalar(
        sa.select(ShiftSignup.id).where(
            ShiftSignup.shift_id == shift.id,
            ShiftSignup.user_id == user_id,
            ShiftSignup.status == SignupStatus.SIGNED_UP,
        )
    )
    if duplicate is not None:
        raise ShiftError(_("You are signed up for this shift already."), "duplicate")
    if not check_limits:
        return
    for other in _active_signups_of(user_id, shift.starts_at, shift.ends_at):
        if other.shift_id != shift.id:
            raise ShiftError(
                _(
                    "This shift overlaps another shift you signed up for: %(shift)s.",
                    shift=describe_shift(other.shift),
                ),
                "clash",
            )
    cap_hours = policies.get("volunteer_max_hours_per_day")
    if cap_hours:
        day = local_day(shift.starts_at)
        day_start = local_instant(day, time(0))
        day_end = local_instant(day + timedelta(days=1), time(0))
        booked = sum(
            s.shift.minutes
            for s in _active_signups_of(user_id, day_start, day_end)
            if local_day(s.shift.starts_at) == day
        )
        if booked + shift.minutes > cap_hours * 60:
            raise ShiftError(
                _(
                    "Volunteers serve at most %(hours)s hours a day; with this shift you "
                    "would serve more on %(day)s.",
                    hours=cap_hours,
                    day=day.isoformat(),
                ),
                "daily_cap",
            )


def _check_shift_open(shift: Shift | None, now: datetime, *, staff: bool) -> Shift:
    if shift is None or shift.is_cancelled:
        raise ShiftError(_("This shift is not open for sign-up."), "closed")
    if not staff and shift.starts_at <= now:
        raise ShiftError(_("This shift has already started or is over."), "past")
    if not staff:
        opens_days = policies.get("volunteer_signup_opens_days")
        if opens_days and shift.starts_at - now > timedelta(days=opens_days):
            opens = shift.starts_at - timedelta(days=opens_days)
            raise ShiftError(
                _(
                    "Sign-up for this shift opens %(days)s days ahead, on %(when)s.",
                    days=opens_days,
                    when=datetime_text(opens),
                ),
                "not_open_yet",
            )
    return shift


def _check_free(shift: Shift) -> None:
    if shift.filled >= shift.slots:
        raise ShiftError(_("This shift is full."), "full")


def _take_slot(
    shift_id: int,
    user_id: int,
    *,
    check_limits: bool,
    override_reason: str = "",
) -> ShiftSignup:
    """The write transaction: claim a slot first, then re-check and insert, or undo all."""
    # End the read transaction, so the conditional UPDATE opens the write transaction:
    # on SQLite it takes the single write lock, on PostgreSQL the shift's row lock.
    db.session.commit()
    taken = db.session.execute(
        sa.update(Shift)
        .where(Shift.id == shift_id, Shift.filled < Shift.slots, Shift.status == ShiftStatus.OPEN)
        .values(filled=Shift.filled + 1)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        db.session.rollback()
        raise ShiftError(_("This shift is full."), "full")
    try:
        if db.engine.dialect.name == "postgresql":
            # Serialise one volunteer's sign-ups, so two overlapping shifts cannot both pass.
            db.session.execute(sa.select(User.id).where(User.id == user_id).with_for_update())
        shift = db.session.get(Shift, shift_id, populate_existing=True)
        _check_personal_rules(shift, user_id, check_limits=check_limits)
        signup = ShiftSignup(
            shift_id=shift_id,
            user_id=user_id,
            status=SignupStatus.SIGNED_UP,
            override=bool(override_reason),
            override_reason=override_reason,
        )
        db.session.add(signup)
        db.session.flush()
    except ShiftError:
        db.session.rollback()
        raise
    except IntegrityError:
        db.session.rollback()
        raise ShiftError(_("You are signed up for this shift already."), "duplicate") from None
    return signup


def sign_up(
    shift_id: int, user: User, now: datetime | None = None, understood: bool = False
) -> ShiftSignup:
    """An approved volunteer takes a free slot; every refusal says why. Past the withdrawal
    cut-off the volunteer must have said they know the sign-up is final (``understood``)."""
    now = now or utcnow()
    user_id = user.id
    if user.role != Role.VOLUNTEER:
        raise ShiftError(
            _("Only approved volunteers can sign up for shifts. Apply to volunteer first."),
            "not_volunteer",
        )
    shift = _check_shift_open(db.session.get(Shift, shift_id), now, staff=False)
    check_final_sign_up(shift, understood, now)
    _check_personal_rules(shift, user_id)
    _check_free(shift)
    signup = _take_slot(shift.id, user_id, check_limits=True)
    db.session.commit()
    log.info("volunteer %s signed up for shift %s", user_id, shift_id)
    return signup


def staff_assign(
    shift_id: int, volunteer: User, actor: User, override_reason: str = ""
) -> ShiftSignup:
    """Staff put a volunteer on a shift: same clash and cap checks unless overridden with a
    reason, which is logged. Past shifts are allowed (recording who served after the fact)."""
    override_reason = override_reason.strip()[:300]
    if volunteer.role != Role.VOLUNTEER:
        raise ShiftError(
            _("%(name)s is not an approved volunteer.", name=volunteer.display_name),
            "not_volunteer",
        )
    shift = _check_shift_open(db.session.get(Shift, shift_id), utcnow(), staff=True)
    volunteer_id, actor_id = volunteer.id, actor.id
    _check_personal_rules(shift, volunteer_id, check_limits=not override_reason)
    _check_free(shift)
    signup = _take_slot(
        shift.id, volunteer_id, check_limits=not override_reason, override_reason=override_reason
    )
    audit.record(
        db.session.get(User, actor_id),
        "shift_signup.assign",
        signup,
        None,
        {
            "shift_id": shift_id,
            "user_id": volunteer_id,
            "override": signup.override,
            "override_reason": override_reason,
        },
    )
    db.session.commit()
    return signup


def _release(signup: ShiftSignup, status: str) -> None:
    signup.status = status
    signup.withdrawn_at = utcnow()
    db.session.execute(
        sa.update(Shift)
        .where(Shift.id == signup.shift_id, Shift.filled > 0)
        .values(filled=Shift.filled - 1)
        .execution_options(synchronize_session=False)
    )


def withdraw(signup: ShiftSignup, user: User, now: datetime | None = None) -> None:
    """The volunteer withdraws, until the policy's hours before the start."""
    now = now or utcnow()
    if signup.user_id != user.id or not signup.is_active:
        raise ShiftError(_("You are not signed up for this shift."), "not_signed_up")
    hours = policies.get("volunteer_withdraw_hours")
    if now > signup.shift.starts_at - timedelta(hours=hours):
        raise ShiftError(
            _(
                "Withdrawal closes %(hours)s hours before the shift starts. Please contact "
                "the volunteer desk.",
                hours=hours,
            ),
            "too_late",
        )
    _release(signup, SignupStatus.WITHDRAWN)
    db.session.commit()


def staff_remove(signup: ShiftSignup, actor: User, reason: str = "") -> None:
    """Staff take a volunteer off a shift at any time."""
    if not signup.is_active:
        raise ShiftError(_("This volunteer is not signed up for the shift."), "not_signed_up")
    _release(signup, SignupStatus.REMOVED)
    audit.record(
        actor,
        "shift_signup.remove",
        signup,
        {"status": SignupStatus.SIGNED_UP.value},
        {"status": SignupStatus.REMOVED.value, "reason": reason.strip()[:300]},
    )
    db.session.commit()


# --- attendance and hours ----------------------------------------------------------------


def _recredit(user_id: int) -> None:
    """Credited minutes of all attended sign-ups of one volunteer, overlapping time once.

    Ordered by start, each sign-up is credited the part of its time not covered by an
    earlier one; every earlier interval starts no later, so that covered part is
    [start, latest end so far).
    """
    attended = list(
        db.session.scalars(
            sa.select(ShiftSignup)
            .options(joinedload(ShiftSignup.shift))
            .where(
                ShiftSignup.user_id == user_id,
                ShiftSignup.attendance == Attendance.ATTENDED,
                ShiftSignup.status == SignupStatus.SIGNED_UP,
            )
        )
    )
    attended.sort(key=lambda s: (s.served_from, s.id))
    covered_until: datetime | None = None
    for signup in attended:
        start, end = signup.served_from, signup.served_until
        if covered_until is not None and covered_until > start:
            start = min(covered_until, end)
        signup.credited_minutes = _minutes(start, end)
        covered_until = end if covered_until is None else max(covered_until, end)


def mark_attendance(
    signup: ShiftSignup,
    actor: User,
    attended: bool,
    actual_start: datetime | None = None,
    actual_end: datetime | None = None,
    now: datetime | None = None,
) -> None:
    """Attended (with actual times when they differ) or no-show; hours follow from it."""
    now = now or utcnow()
    shift = signup.shift
    if not signup.is_active:
        raise ShiftError(_("This volunteer is not signed up for the shift."), "not_signed_up")
    if shift.starts_at > now:
        raise ShiftError(_("Attendance can be recorded once the shift has started."), "future")
    before = audit.snapshot(signup, ("attendance", "actual_start", "actual_end"))
    if attended:
        start = actual_start or shift.starts_at
        end = actual_end or shift.ends_at
        if end <= start:
            raise ShiftError(_("The actual end must be after the actual start."), "invalid")
        if end - start > timedelta(hours=MAX_SHIFT_HOURS):
            raise ShiftError(
                _("A shift lasts at most %(hours)s hours.", hours=MAX_SHIFT_HOURS), "invalid"
            )
        signup.attendance = Attendance.ATTENDED
        signup.actual_start = actual_start
        signup.actual_end = actual_end
    else:
        signup.attendance = Attendance.NO_SHOW
        signup.actual_start = None
        signup.actual_end = None
        signup.credited_minutes = 0
    signup.marked_at = now
    db.session.flush()
    _recredit(signup.user_id)
    audit.record(
        actor,
        "shift_signup.attendance",
        signup,
        before,
        audit.snapshot(signup, ("attendance", "actual_start", "actual_end", "credited_minutes")),
    )
    db.session.commit()


# --- reading: volunteer pages, rosters ---------------------------------------------------


def open_shifts(
    start: datetime,
    end: datetime,
    branch_id: int | None = None,
    role_id: int | None = None,
    limit: int = 300,
) -> list[Shift]:
    query = (
        sa.select(Shift)
        .join(Shift.venue)
        .options(joinedload(Shift.role), joinedload(Shift.venue).joinedload(Venue.branch))
        .where(Shift.status == ShiftStatus.OPEN, Shift.starts_at >= start, Shift.starts_at < end)
        .order_by(Shift.starts_at, Shift.id)
        .limit(limit)
    )
    if branch_id:
        query = query.where(Venue.branch_id == branch_id)
    if role_id:
        query = query.where(Shift.role_id == role_id)
    return list(db.session.scalars(query))


def can_see_open_shifts(user: User | None) -> bool:
    """Approved volunteers and staff see the open shifts; readers are asked to apply."""
    return bool(user is not None and user.is_authenticated and (user.is_volunteer or user.is_staff))


def open_shifts_for(
    user: User | None,
    start: datetime,
    end: datetime,
    branch_id: int | None = None,
    role_id: int | None = None,
) -> list[Shift]:
    """The open shifts ``user`` is shown, from now on; the web page and the API both ask here."""
    if not can_see_open_shifts(user):
        return []
    return open_shifts(max(start, utcnow()), end, branch_id, role_id)


def signups_of(user: User) -> list[ShiftSignup]:
    return list(
        db.session.scalars(
            sa.select(ShiftSignup)
            .join(ShiftSignup.shift)
            .options(joinedload(ShiftSignup.shift))
            .where(ShiftSignup.user_id == user.id)
            .order_by(Shift.starts_at.desc(), ShiftSignup.id.desc())
        )
    )


def active_shift_ids(user: User) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(ShiftSignup.shift_id).where(
                ShiftSignup.user_id == user.id, ShiftSignup.status == SignupStatus.SIGNED_UP
            )
        )
    )


def can_withdraw(signup: ShiftSignup, now: datetime | None = None) -> bool:
    now = now or utcnow()
    hours = policies.get("volunteer_withdraw_hours")
    return signup.is_active and now <= signup.shift.starts_at - timedelta(hours=hours)


def withdrawal_closed(shift: Shift, now: datetime | None = None) -> bool:
    """Whether a sign-up made now could no longer be withdrawn (the rule of ``withdraw``)."""
    hours = policies.get("volunteer_withdraw_hours")
    return (now or utcnow()) > shift.starts_at - timedelta(hours=hours)


def no_withdrawal_warning() -> str:
    return _(
        "You will not be able to withdraw from this shift once you sign up: withdrawal "
        "closes %(hours)s hours before a shift starts. If you cannot come after all, "
        "you must tell the volunteer desk.",
        hours=policies.get("volunteer_withdraw_hours"),
    )


def check_final_sign_up(shift: Shift, understood: bool, now: datetime | None = None) -> None:
    """A sign-up past the withdrawal cut-off is final: the volunteer must say they know."""
    if not understood and withdrawal_closed(shift, now):
        raise ShiftError(no_withdrawal_warning(), "no_withdrawal")


@dataclass
class RosterRow:
    shift: Shift
    signup: ShiftSignup
    volunteer: User


def roster(
    start: datetime | None = None,
    end: datetime | None = None,
    shift_id: int | None = None,
    branch_id: int | None = None,
) -> list[RosterRow]:
    """Who is coming (and who came): active sign-ups by shift time."""
    query = (
        sa.select(ShiftSignup, Shift, User)
        .join(Shift, ShiftSignup.shift_id == Shift.id)
        .join(User, ShiftSignup.user_id == User.id)
        .join(Venue, Shift.venue_id == Venue.id)
        .where(ShiftSignup.status == SignupStatus.SIGNED_UP, Shift.status == ShiftStatus.OPEN)
        .order_by(Shift.starts_at, Shift.id, User.display_name)
    )
    if start is not None:
        query = query.where(Shift.starts_at >= start)
    if end is not None:
        query = query.where(Shift.starts_at < end)
    if shift_id:
        query = query.where(Shift.id == shift_id)
    if branch_id:
        query = query.where(Venue.branch_id == branch_id)
    return [RosterRow(shift, signup, user) for signup, shift, user in db.session.execute(query)]


ATTENDANCE_LABELS = {
    Attendance.ATTENDED.value: _l("Attended"),
    Attendance.NO_SHOW.value: _l("No-show"),
}


def roster_header() -> list[str]:
    """The roster's column names in the reader's language (CSV and Excel)."""
    return [
        _("Date"),
        _("Starts"),
        _("Ends"),
        _("Role"),
        _("Centre or branch"),
        _("Venue"),
        _("Volunteer"),
        _("Email"),
        _("Phone"),
        _("Attendance"),
        _("Hours"),
    ]


def roster_table(rows: list[RosterRow]) -> list[list]:
    """The roster as plain cells (local times, translated attendance), for CSV and Excel."""
    zone = library_zone()
    table = []
    for row in rows:
        starts = row.shift.starts_at.astimezone(zone)
        ends = row.shift.ends_at.astimezone(zone)
        attendance = row.signup.attendance
        table.append(
            [
                date_text(starts),
                starts.strftime("%H:%M"),
                ends.strftime("%H:%M"),
                row.shift.role.name,
                row.shift.venue.branch.name,
                row.shift.venue.name,
                row.volunteer.display_name,
                row.volunteer.email,
                row.volunteer.phone or "",
                str(ATTENDANCE_LABELS.get(attendance, attendance)) if attendance else "",
                round(row.signup.credited_minutes / 60, 2),
            ]
        )
    return table


# --- hours and reports -------------------------------------------------------------------


def _utc_offset_hours() -> int:
    """The library zone's offset now. Asia/Shanghai has had no daylight saving since 1991,
    so a fixed offset groups by local day/month correctly in SQL on SQLite too."""
    offset = utcnow().astimezone(library_zone()).utcoffset() or timedelta(0)
    return int(offset.total_seconds() // 3600)


def _local_period(column, fmt: str):
    """SQL for the local year ('%Y') or month ('%Y-%m') of a UTC column."""
    hours = _utc_offset_hours()
    # Literals, not bound parameters: PostgreSQL must see the same expression in GROUP BY.
    if db.engine.dialect.name == "postgresql":
        pg = {"%Y": "'YYYY'", "%Y-%m": "'YYYY-MM'"}[fmt]
        shifted = sa.func.timezone(sa.literal_column("'UTC'"), column) + sa.literal_column(
            f"interval '{hours} hours'"
        )
        return sa.func.to_char(shifted, sa.literal_column(pg))
    return sa.func.strftime(
        sa.literal_column(f"'{fmt}'"), column, sa.literal_column(f"'{hours:+d} hours'")
    )


def hours_by_year(user: User) -> list[tuple[str, float]]:
    """[(year, hours)] of credited service, newest year first."""
    year = _local_period(Shift.starts_at, "%Y").label("year")
    rows = db.session.execute(
        sa.select(year, sa.func.sum(ShiftSignup.credited_minutes))
        .join(Shift, ShiftSignup.shift_id == Shift.id)
        .where(ShiftSignup.user_id == user.id, ShiftSignup.attendance == Attendance.ATTENDED)
        .group_by(year)
        .order_by(year.desc())
    )
    return [(y, round((minutes or 0) / 60, 2)) for y, minutes in rows]


def attended_in_year(user: User, year: int) -> list[ShiftSignup]:
    start = local_instant(date(year, 1, 1), time(0))
    end = local_instant(date(year + 1, 1, 1), time(0))
    return list(
        db.session.scalars(
            sa.select(ShiftSignup)
            .join(ShiftSignup.shift)
            .options(joinedload(ShiftSignup.shift))
            .where(
                ShiftSignup.user_id == user.id,
                ShiftSignup.attendance == Attendance.ATTENDED,
                Shift.starts_at >= start,
                Shift.starts_at < end,
            )
            .order_by(Shift.starts_at)
        )
    )


def volunteer_figures(start: datetime, end: datetime) -> dict:
    """Volunteer service figures for shifts starting in [start, end), grouped in the database.

    Hours come from attendance only. Volunteer shifts are never reader activities; this is
    a separate figure. Keys: active_volunteers, hours, shifts, slots, signups, attended,
    no_shows, by_volunteer, by_role, by_centre, by_month (lists of dicts, hours in hours).
    """
    in_period = sa.and_(Shift.starts_at >= start, Shift.starts_at < end)
    attended = sa.and_(
        in_period,
        ShiftSignup.attendance == Attendance.ATTENDED,
        ShiftSignup.status == SignupStatus.SIGNED_UP,
    )
    base = sa.select().select_from(ShiftSignup).join(Shift, ShiftSignup.shift_id == Shift.id)
    minutes = sa.func.coalesce(sa.func.sum(ShiftSignup.credited_minutes), 0)
    volunteers = sa.func.count(sa.distinct(ShiftSignup.user_id))

    totals = db.session.execute(base.add_columns(minutes, volunteers).where(attended)).one()
    shifts, slots = db.session.execute(
        sa.select(sa.func.count(Shift.id), sa.func.coalesce(sa.func.sum(Shift.slots), 0)).where(
            in_period, Shift.status == ShiftStatus.OPEN
        )
    ).one()
    counts = dict(
        db.session.execute(
            base.add_columns(ShiftSignup.attendance, sa.func.count(ShiftSignup.id))
            .where(in_period, ShiftSignup.status == SignupStatus.SIGNED_UP)
            .group_by(ShiftSignup.attendance)
        ).all()
    )

    def grouped(*columns, joins=(), order=None):
        query = base.add_columns(*columns, minutes, volunteers).where(attended)
        for target, on in joins:
            query = query.join(target, on)
        query = query.group_by(*columns).order_by(order if order is not None else minutes.desc())
        return db.session.execute(query).all()

    month = _local_period(Shift.starts_at, "%Y-%m").label("month")
    return {
        "active_volunteers": totals[1],
        "hours": round(totals[0] / 60, 2),
        "shifts": shifts,
        "slots": slots,
        "signups": sum(counts.values()),
        "attended": counts.get(Attendance.ATTENDED.value, 0),
        "no_shows": counts.get(Attendance.NO_SHOW.value, 0),
        "by_volunteer": [
            {"user_id": uid, "name": name, "hours": round(m / 60, 2)}
            for uid, name, m, _n in grouped(
                User.id, User.display_name, joins=[(User, User.id == ShiftSignup.user_id)]
            )
        ],
        "by_role": [
            {"role_id": rid, "role": name, "hours": round(m / 60, 2), "volunteers": n}
            for rid, name, m, n in grouped(
                VolunteerRole.id,
                VolunteerRole.name,
                joins=[(VolunteerRole, VolunteerRole.id == Shift.role_id)],
            )
        ],
        "by_centre": [
            {"branch_id": bid, "centre": name, "hours": round(m / 60, 2), "volunteers": n}
            for bid, name, m, n in grouped(
                Branch.id,
                Branch.name,
                joins=[(Venue, Venue.id == Shift.venue_id), (Branch, Branch.id == Venue.branch_id)],
            )
        ],
        "by_month": [
            {"month": m_, "hours": round(m / 60, 2), "volunteers": n}
            for m_, m, n in grouped(month, order=month)
        ],
    }


# --- reminders ---------------------------------------------------------------------------


def due_shift_reminders(now: datetime, lead: timedelta) -> list[dict]:
    """Reminders for active sign-ups of open shifts starting within ``lead`` ("the day
    before"): dicts with to, subject, body and dedupe_key ``reminder:signup:<id>``.
    Queuing them once only is services/reminders.py's job."""
    signups = db.session.scalars(
        sa.select(ShiftSignup)
        .join(ShiftSignup.shift)
        .options(joinedload(ShiftSignup.shift), joinedload(ShiftSignup.user))
        .where(
            ShiftSignup.status == SignupStatus.SIGNED_UP,
            Shift.status == ShiftStatus.OPEN,
            Shift.starts_at > now,
            Shift.starts_at <= now + lead,
        )
        .order_by(ShiftSignup.id)
    ).all()
    due = []
    for signup in signups:
        user = signup.user
        if not user.active:
            continue
        with force_locale(user.locale):
            due.append(
                {
                    "to": user.email,
                    "subject": _(
                        "Reminder: your volunteer shift %(when)s",
                        when=datetime_text(signup.shift.starts_at),
                    ),
                    "body": _(
                        "Hello %(name)s,\n\nthank you for volunteering. Your shift:\n"
                        "%(shift)s\n\n%(notes)s\n\nIf you cannot come, please tell the "
                        "volunteer desk.\n\nSuzhou Library",
                        name=user.display_name,
                        shift=describe_shift(signup.shift),
                        notes=signup.shift.notes,
                    ),
                    "dedupe_key": f"reminder:signup:{signup.id}",
                }
            )
    return due


# --- personal data -----------------------------------------------------------------------


def personal_data(user: User) -> dict:
    applications = db.session.scalars(
        sa.select(VolunteerApplication).where(VolunteerApplication.user_id == user.id)
    )
    return {
        "volunteer_applications": [
            {
                "status": a.status,
                "skills": a.skills,
                "languages": a.languages,
                "availability": a.availability,
                "emergency_contact": f"{a.emergency_name} {a.emergency_phone}".strip(),
                "motivation": a.motivation,
                "applied_at": a.created_at.isoformat(),
            }
            for a in applications
        ],
        "volunteer_shifts": [
            {
                "shift": describe_shift(s.shift),
                "status": s.status,
                "attendance": s.attendance,
                "credited_minutes": s.credited_minutes,
            }
            for s in signups_of(user)
        ],
    }


def anonymise(user: User) -> None:
    """Closing an account wipes the application texts; hours stay for the statistics."""
    for application in db.session.scalars(
        sa.select(VolunteerApplication).where(VolunteerApplication.user_id == user.id)
    ):
        application.skills = application.availability = application.motivation = ""
        application.emergency_name = application.emergency_phone = ""
        application.languages = ""
