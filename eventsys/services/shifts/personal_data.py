"""A volunteer's personal data: what they may download, and what closing the account wipes.
services/accounts.py calls both by name."""

import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.models import User, VolunteerApplication
from eventsys.services.shifts.listing import signups_of
from eventsys.services.shifts.times import describe_shift


def _applications(user: User) -> list[VolunteerApplication]:
    return list(
        db.session.scalars(
            sa.select(VolunteerApplication).where(VolunteerApplication.user_id == user.id)
        )
    )


def personal_data(user: User) -> dict:
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
            for a in _applications(user)
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
    """Closing an account wipes the application texts; hours stay for the statistics.
    The caller commits."""
    for application in _applications(user):
        application.skills = application.availability = application.motivation = ""
        application.emergency_name = application.emergency_phone = ""
        application.languages = ""
