"""Recording who came, and the hours credited for it."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Attendance, ShiftSignup, SignupStatus, User
from eventsys.services import audit
from eventsys.services.shifts.errors import ShiftError
from eventsys.services.shifts.planning import check_duration
from eventsys.services.shifts.times import minutes_between


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
        signup.credited_minutes = minutes_between(start, end)
        covered_until = end if covered_until is None else max(covered_until, end)


def mark_attendance(
    signup: ShiftSignup,
    actor: User,
    attended: bool,
    actual_start: datetime | None = None,
    actual_end: datetime | None = None,
    now: datetime | None = None,
) -> None:
    """Attended (with actual times when they differ) or no-show; hours follow from it.
    Commits."""
    now = now or utcnow()
    shift = signup.shift
    if not signup.is_active:
        raise ShiftError(_("This volunteer is not signed up for the shift."), "not_signed_up")
    if shift.starts_at > now:
        raise ShiftError(_("Attendance can be recorded once the shift has started."), "future")
    before = audit.snapshot(signup, ("attendance", "actual_start", "actual_end"))
    if attended:
        check_duration(
            actual_start or shift.starts_at,
            actual_end or shift.ends_at,
            _("The actual end must be after the actual start."),
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
