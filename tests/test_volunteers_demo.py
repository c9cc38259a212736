"""The volunteer demo data: a month of shifts at both centres, loaded twice without doubles."""

import sqlalchemy as sa

from eventsys import demo
from eventsys.extensions import db
from eventsys.models import Branch, Shift, ShiftSignup, User, Venue, VolunteerApplication


def _counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(sa.select(sa.func.count(Shift.id))),
        db.session.scalar(sa.select(sa.func.count(ShiftSignup.id))),
        db.session.scalar(sa.select(sa.func.count(VolunteerApplication.id))),
    )


def test_demo_has_full_and_open_shifts_at_both_centres_and_loads_once(app):
    demo.load()
    first = _counts()
    demo.load()
    assert _counts() == first
    centres = db.session.scalars(
        sa.select(Branch.code)
        .distinct()
        .join(Venue, Venue.branch_id == Branch.id)
        .join(Shift, Shift.venue_id == Venue.id)
    ).all()
    assert {"renmin", "second"} <= set(centres)
    shifts = db.session.scalars(sa.select(Shift)).all()
    assert any(s.filled == s.slots for s in shifts)
    assert any(s.filled < s.slots for s in shifts)
    assert all(s.filled <= s.slots for s in shifts)
    volunteers = db.session.scalar(
        sa.select(sa.func.count(User.id)).where(User.role == "volunteer")
    )
    assert volunteers >= 4
    assert db.session.scalar(
        sa.select(VolunteerApplication.id).where(VolunteerApplication.status == "applied")
    )
