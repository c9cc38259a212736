"""Which shifts and sign-ups a page or the API lists."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import (
    Shift,
    ShiftSignup,
    ShiftStatus,
    SignupStatus,
    User,
    Venue,
    VolunteerApplication,
)


def shifts_between(
    start: datetime,
    end: datetime,
    *,
    branch_id: int | None = None,
    role_id: int | None = None,
    open_only: bool = False,
    limit: int = 500,
) -> list[Shift]:
    """Shifts starting in [start, end), soonest first, of one centre or branch and one role
    when given: the filter of the volunteers' page, the API and the staff's list."""
    query = (
        sa.select(Shift)
        .join(Shift.venue)
        .options(joinedload(Shift.role), joinedload(Shift.venue).joinedload(Venue.branch))
        .where(Shift.starts_at >= start, Shift.starts_at < end)
        .order_by(Shift.starts_at, Shift.id)
        .limit(limit)
    )
    if open_only:
        query = query.where(Shift.status == ShiftStatus.OPEN)
    if branch_id:
        query = query.where(Venue.branch_id == branch_id)
    if role_id:
        query = query.where(Shift.role_id == role_id)
    return list(db.session.scalars(query))


def applications_with_status(status: str, *, limit: int = 500) -> list[VolunteerApplication]:
    """Applications in ``status``, the oldest first (the staff's queue)."""
    return list(
        db.session.scalars(
            sa.select(VolunteerApplication)
            .where(VolunteerApplication.status == status)
            .order_by(VolunteerApplication.created_at)
            .limit(limit)
        )
    )


def signups_for_shift(shift: Shift) -> list[ShiftSignup]:
    """Everyone who signed up for ``shift``, active ones first, then in the order they came."""
    return list(
        db.session.scalars(
            sa.select(ShiftSignup)
            .where(ShiftSignup.shift_id == shift.id)
            .order_by(ShiftSignup.status, ShiftSignup.created_at)
        )
    )


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
    return shifts_between(
        max(start, utcnow()), end, branch_id=branch_id, role_id=role_id, open_only=True, limit=300
    )


def signups_with_shifts(user_id: int, *conditions) -> list[ShiftSignup]:
    """A volunteer's sign-ups that meet ``conditions`` (on ShiftSignup and Shift), their
    shifts loaded, soonest first."""
    return list(
        db.session.scalars(
            sa.select(ShiftSignup)
            .join(ShiftSignup.shift)
            .options(joinedload(ShiftSignup.shift))
            .where(ShiftSignup.user_id == user_id, *conditions)
            .order_by(Shift.starts_at, ShiftSignup.id)
        )
    )


def signups_of(user: User) -> list[ShiftSignup]:
    """All of a volunteer's sign-ups, latest shift first."""
    return signups_with_shifts(user.id)[::-1]


def active_shift_ids(user: User) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(ShiftSignup.shift_id).where(
                ShiftSignup.user_id == user.id, ShiftSignup.status == SignupStatus.SIGNED_UP
            )
        )
    )
