"""Mails to the volunteers signed up for a shift that staff cancel or move."""

from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Shift, ShiftSignup, SignupStatus, Venue, VolunteerRole
from eventsys.services import mails
from eventsys.services.links import external_url
from eventsys.services.shifts.times import describe_shift


class Placing(NamedTuple):
    """What a volunteer knew of a shift before a change."""

    role: VolunteerRole
    venue: Venue
    starts_at: datetime
    ends_at: datetime

    @classmethod
    def of(cls, shift: Shift) -> "Placing":
        return cls(shift.role, shift.venue, shift.starts_at, shift.ends_at)


def tell_volunteers(shift: Shift, was: Placing, *, cancelled: bool) -> None:
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
    # The descriptions are written while each mail renders, in its reader's language.
    context = {
        "shift": shift,
        "was": was,
        "describe": describe_shift,
        "link": external_url("volunteers.mine"),
    }
    for signup in signups:
        if not signup.user.active:
            continue
        if cancelled:
            template = "shift_cancelled"
            key = f"shift-cancelled:signup:{signup.id}:{shift.sequence}"
        else:
            template = "shift_moved"
            key = (
                f"shift-moved:signup:{signup.id}:{shift.sequence}:"
                f"{shift.starts_at:%Y%m%d%H%M}-{shift.ends_at:%Y%m%d%H%M}:{shift.venue_id}"
            )
        mails.queue_mail(signup.user, template, dedupe_key=key, **context)
