"""Hours served: a volunteer's own by year, and the report of all volunteer service."""

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.local_time import library_zone
from eventsys.models import (
    Attendance,
    Branch,
    Shift,
    ShiftSignup,
    ShiftStatus,
    SignupStatus,
    User,
    Venue,
    VolunteerRole,
)
from eventsys.services.shifts.listing import signups_with_shifts
from eventsys.services.shifts.times import local_instant


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
    return signups_with_shifts(
        user.id,
        ShiftSignup.attendance == Attendance.ATTENDED,
        Shift.starts_at >= start,
        Shift.starts_at < end,
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
