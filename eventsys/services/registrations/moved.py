"""Telling readers that an event they hold a seat for, or wait for, moved in time or place."""

import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Event, EventStatus, Registration, Venue
from eventsys.models.registrations import ACTIVE_STATUSES
from eventsys.services import mails
from eventsys.services.registrations.queries import waitlist_position
from eventsys.services.registrations.reader_mails import calendar_attachment, registration_link
from eventsys.services.registrations.rules import WAITLISTED

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Placing:
    """What readers knew of an event's time and place before a change; the place is
    written out in each reader's language when they are told."""

    starts_at: datetime
    ends_at: datetime
    venue: Venue | None
    online_url: str | None


def placing(event: Event) -> Placing:
    return Placing(event.starts_at, event.ends_at, event.venue, event.online_url)


def queue_moved_mails(event: Event, was: Placing) -> int:
    """Tell every reader holding a seat or waiting that the event's time or place changed,
    in their language, with the updated calendar file. In the caller's transaction; the
    number of mails queued.

    The dedupe key names the change (sequence, new time and place), so saving the same
    change twice mails once. An event over both before and after the change is a record
    being corrected: nobody is told.
    """
    if event.status != EventStatus.PUBLISHED or max(was.ends_at, event.ends_at) <= utcnow():
        return 0
    db.session.flush()  # the new place and the row's new version, for the calendar file
    db.session.expire(event, ["venue"])
    registrations = db.session.scalars(
        sa.select(Registration)
        .where(Registration.event_id == event.id, Registration.status.in_(ACTIVE_STATUSES))
        .order_by(Registration.id)
    ).all()
    change = f"{event.starts_at:%Y%m%d%H%M}-{event.ends_at:%Y%m%d%H%M}:{event.venue_id}"
    queued = 0
    for registration in registrations:
        user = registration.user
        if not user.active:
            continue
        waiting = registration.status == WAITLISTED
        mails.queue_mail(
            user,
            "event_moved",
            attachments=[calendar_attachment(user, event, waiting)],
            dedupe_key=f"event-moved:registration:{registration.id}:{event.sequence}:{change}",
            registration=registration,
            was=was,
            position=waitlist_position(registration),
            link=registration_link(registration),
        )
        queued += 1
    log.info("event %s moved; %s readers told", event.id, queued)
    return queued
