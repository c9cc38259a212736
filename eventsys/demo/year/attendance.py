"""Who came to the demo's 2021: registrations with check-ins, no-shows and cancellations,
and the exhibitions' daily visitors."""

from datetime import date, timedelta

import sqlalchemy as sa

from eventsys.demo.year.plan import CLOSED, HOLIDAYS, OUTBREAK, YEAR
from eventsys.demo.year.state import YearState, demo_scale
from eventsys.extensions import db
from eventsys.models import Event, Registration, VisitorCount


def registrations(year: YearState, readers: list[int]) -> None:
    """Past registrable events: parties booked, most came, some were no-shows, some cancelled."""
    rng, rows = year.rng, []
    events = db.session.execute(
        sa.select(
            Event.id,
            Event.capacity,
            Event.max_party_size,
            Event.starts_at,
            Event.ends_at,
            Event.status,
            Event.kind,
            Event.seats_taken,
        ).where(
            Event.capacity.is_not(None),
            Event.starts_at >= year.at(date(YEAR, 1, 1), "00:00"),
            Event.starts_at < year.at(date(YEAR + 1, 1, 1), "00:00"),
            Event.starts_at < year.now,
            Event.closed_at.is_(None),
        )
    ).all()
    taken_by = {
        (event_id, user_id)
        for event_id, user_id in db.session.execute(
            sa.select(Registration.event_id, Registration.user_id).where(
                Registration.event_id.in_([e.id for e in events])
            )
        )
    }
    updates, scale = [], min(demo_scale(), 1.0)
    for event_id, capacity, max_party, starts_at, ends_at, status, kind, held in events:
        free = capacity - held
        wanted = (
            int(free * rng.uniform(0.35, 0.75))
            if kind != "lecture"
            else int(free * rng.uniform(0.3, 0.6))
        )
        wanted = int(wanted * scale)
        people = rng.sample(readers, min(len(readers), wanted + 5))
        seats = 0
        for user_id in people:
            if seats >= wanted or (event_id, user_id) in taken_by:
                continue
            party = min(max_party, rng.choice((1, 1, 2, 2, 3)))
            booked = starts_at - timedelta(hours=rng.randint(3, 24 * 6))
            row = {
                "event_id": event_id,
                "user_id": user_id,
                "party_size": party,
                "source": "online",
                "created_at": booked,
                "confirmed_at": booked,
                "cancelled_at": None,
                "checked_in_at": None,
                "needs": "wheelchair" if rng.random() < 0.01 else "",
                "needs_note": "",
                "checkin_code": year.code(),
            }
            fate = rng.random()
            if status == "cancelled":
                row["status"], row["cancelled_at"] = "cancelled", starts_at - timedelta(days=1)
            elif fate < 0.08:
                row["status"] = "cancelled"
                row["cancelled_at"] = booked + (starts_at - booked) * rng.uniform(0.2, 0.9)
            elif fate < 0.19:
                row["status"] = "no_show"
            else:
                row["status"] = "confirmed"
                row["checked_in_at"] = starts_at - timedelta(minutes=rng.randint(0, 25))
                seats += party
            rows.append(row)
        if status == "published":
            walk_ins = rng.randint(30, 120) if kind == "lecture" else rng.randint(0, 8)
            updates.append(
                {
                    "b_id": event_id,
                    "b_seats": held + seats,
                    "b_walk_ins": walk_ins,
                    "b_closed": ends_at + timedelta(minutes=30),
                }
            )
    if rows:
        db.session.execute(Registration.__table__.insert(), rows)
    if updates:
        table = Event.__table__
        db.session.execute(
            table.update()
            .where(table.c.id == sa.bindparam("b_id"))
            .values(
                seats_taken=sa.bindparam("b_seats"),
                walk_ins=sa.bindparam("b_walk_ins"),
                closed_at=sa.bindparam("b_closed"),
            ),
            updates,
            execution_options={"synchronize_session": False},
        )


def visitor_counts(year: YearState) -> None:
    """Daily walk-in visitors of the year's exhibitions, on the days they were open."""
    rng, rows = year.rng, []
    exhibitions = year.exhibitions(Event.id, Event.starts_at, Event.ends_at, Event.campaign_id)
    counted = set(db.session.scalars(sa.select(VisitorCount.event_id).distinct()))
    today = year.local_day(year.now)
    for event_id, starts_at, ends_at, campaign_id in exhibitions:
        if event_id in counted:
            continue
        base = rng.randint(180, 420) + (200 if campaign_id else 0)
        day = year.local_day(starts_at)
        while day <= min(year.local_day(ends_at), today - timedelta(days=1)):
            if day.weekday() != 0 and day not in CLOSED:
                if OUTBREAK[0] <= day <= OUTBREAK[1]:
                    visitors = rng.randint(20, 80)  # only on appointment
                else:
                    weekend = day.weekday() >= 5 or day in HOLIDAYS
                    visitors = int(base * (1.8 if weekend else 1) * rng.uniform(0.7, 1.3))
                rows.append({"event_id": event_id, "day": day, "visitors": visitors})
            day += timedelta(days=1)
    if rows:
        db.session.execute(VisitorCount.__table__.insert(), rows)
