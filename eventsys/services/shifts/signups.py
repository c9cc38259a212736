"""Signing up for shifts, withdrawing, and staff assigning and removing volunteers.

A slot is taken under a lock (a conditional UPDATE of the shift's ``filled``), so two
volunteers never share the last slot; the rules that depend on the volunteer's other
shifts are checked again inside that write transaction.
"""

import logging
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.local_time import datetime_text
from eventsys.models import Role, Shift, ShiftSignup, ShiftStatus, SignupStatus, User
from eventsys.services import audit, policies
from eventsys.services.shifts.errors import ShiftError
from eventsys.services.shifts.listing import signups_with_shifts
from eventsys.services.shifts.times import describe_shift, local_day, local_instant

log = logging.getLogger(__name__)


# --- withdrawal cut-off ------------------------------------------------------------------


def withdrawal_closed(shift: Shift, now: datetime | None = None) -> bool:
    """Whether a sign-up made now could no longer be withdrawn (the rule of ``withdraw``)."""
    hours = policies.get("volunteer_withdraw_hours")
    return (now or utcnow()) > shift.starts_at - timedelta(hours=hours)


def can_withdraw(signup: ShiftSignup, now: datetime | None = None) -> bool:
    return signup.is_active and not withdrawal_closed(signup.shift, now)


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


# --- the rules ---------------------------------------------------------------------------


def _active_signups_of(user_id: int, start: datetime, end: datetime) -> list[ShiftSignup]:
    """The user's active sign-ups for open shifts that touch [start, end)."""
    return signups_with_shifts(
        user_id,
        ShiftSignup.status == SignupStatus.SIGNED_UP,
        Shift.status == ShiftStatus.OPEN,
        Shift.starts_at < end,
        Shift.ends_at > start,
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


# --- taking and releasing a slot ---------------------------------------------------------


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


def _release(signup: ShiftSignup, status: str) -> None:
    signup.status = status
    signup.withdrawn_at = utcnow()
    db.session.execute(
        sa.update(Shift)
        .where(Shift.id == signup.shift_id, Shift.filled > 0)
        .values(filled=Shift.filled - 1)
        .execution_options(synchronize_session=False)
    )


# --- what volunteers and staff do --------------------------------------------------------


def sign_up(
    shift_id: int, user: User, now: datetime | None = None, understood: bool = False
) -> ShiftSignup:
    """An approved volunteer takes a free slot; every refusal says why. Past the withdrawal
    cut-off the volunteer must have said they know the sign-up is final (``understood``).
    Commits."""
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
    reason, which is logged. Past shifts are allowed (recording who served after the fact).
    Commits."""
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


def withdraw(signup: ShiftSignup, user: User, now: datetime | None = None) -> None:
    """The volunteer withdraws, until the policy's hours before the start. Commits."""
    if signup.user_id != user.id or not signup.is_active:
        raise ShiftError(_("You are not signed up for this shift."), "not_signed_up")
    if withdrawal_closed(signup.shift, now):
        raise ShiftError(
            _(
                "Withdrawal closes %(hours)s hours before the shift starts. Please contact "
                "the volunteer desk.",
                hours=policies.get("volunteer_withdraw_hours"),
            ),
            "too_late",
        )
    _release(signup, SignupStatus.WITHDRAWN)
    db.session.commit()


def staff_remove(signup: ShiftSignup, actor: User, reason: str = "") -> None:
    """Staff take a volunteer off a shift at any time. Commits."""
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
