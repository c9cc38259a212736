"""The roster: who is coming to which shift (and who came), on the page and as a file."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsys.extensions import db
from eventsys.local_time import date_text, library_zone
from eventsys.models import Attendance, Shift, ShiftSignup, ShiftStatus, SignupStatus, User, Venue


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
