"""The day-before reminder of a volunteer shift (queued by services/reminders.py)."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy.orm import joinedload

from eventsys.extensions import db
from eventsys.models import Shift, ShiftSignup, ShiftStatus, SignupStatus
from eventsys.services import mails
from eventsys.services.shifts.times import describe_shift


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
            subject, body = mails.render(
                "shift_reminder", user=user, shift=signup.shift, describe=describe_shift
            )
        due.append(
            {
                "to": user.email,
                "subject": subject,
                "body": body,
                "dedupe_key": f"reminder:signup:{signup.id}",
            }
        )
    return due
