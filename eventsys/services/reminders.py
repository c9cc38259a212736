"""Reminder mails, queued by ``eventsys reminders send`` (safe to run from cron every few
minutes: each reminder has an outbox ``dedupe_key`` and is queued at most once).

Each kind of reminder is a *source*: a function ``(now) -> Iterable[Reminder]`` listing
what is due now, listed in ``SOURCES``. Adding a kind (e.g. volunteers' shifts) means
writing one source function and appending it to ``SOURCES``; queuing, de-duplication and
the command stay as they are.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.local_time import library_zone
from eventsys.models import Event, EventStatus, OutboxMessage, Registration, RegistrationStatus
from eventsys.services import links, mails, outbox

log = logging.getLogger(__name__)

# Readers are reminded of an event starting within this lead time ("the day before").
EVENT_LEAD = timedelta(hours=24)


@dataclass
class Reminder:
    to: str
    subject: str
    body: str
    dedupe_key: str
    attachments: list[dict] = field(default_factory=list)


# ---------------------------------------------------------------- sources


def registration_reminders(now: datetime) -> Iterable[Reminder]:
    """Confirmed parties of published events starting within the next day."""
    query = (
        sa.select(Registration)
        .join(Event, Event.id == Registration.event_id)
        .where(
            Registration.status == RegistrationStatus.CONFIRMED.value,
            Event.status == EventStatus.PUBLISHED.value,
            Event.starts_at > now,
            Event.starts_at <= now + EVENT_LEAD,
            ~sa.exists().where(
                OutboxMessage.dedupe_key
                == sa.literal(registration_key(""), sa.String) + sa.cast(Registration.id, sa.String)
            ),
        )
        .options(joinedload(Registration.user), joinedload(Registration.event))
        .order_by(Registration.id)
    )
    for registration in db.session.scalars(query):
        user, event = registration.user, registration.event
        if not user.active:
            continue
        with force_locale(user.locale):
            # The time and place in the reader's language too (a venue's English name).
            subject, body = mails.render(
                "reminder_registration",
                user=user,
                event=event,
                today=_starts_today(event, now),
                party_size=registration.party_size,
                link=links.external_url("registrations.show", registration_id=registration.id),
            )
        yield Reminder(
            to=user.email,
            subject=subject,
            body=body,
            dedupe_key=registration_key(registration.id),
        )


def _starts_today(event: Event, now: datetime) -> bool:
    """Today or tomorrow, as the library's calendar has it: within the lead time an event
    can start later the same day as well as the next."""
    zone = library_zone()
    return event.starts_at.astimezone(zone).date() == now.astimezone(zone).date()


def registration_key(registration_id: int | str) -> str:
    return f"reminder:registration:{registration_id}"


# ---------------------------------------------------------------- volunteer shifts


def shift_reminders(now: datetime) -> Iterable[Reminder]:
    """Volunteers signed up for a shift starting within the next day
    (services/shifts/reminders.py)."""
    from eventsys.services.shifts import due_shift_reminders

    for reminder in due_shift_reminders(now, EVENT_LEAD):
        yield Reminder(**reminder)


# Every kind of reminder; each source yields what is due at ``now``.
SOURCES: list[Callable[[datetime], Iterable[Reminder]]] = [
    registration_reminders,
    shift_reminders,
]


# ---------------------------------------------------------------- queuing


def send_due(now: datetime | None = None) -> int:
    """Queue every due reminder once; returns how many were queued now."""
    now = now or utcnow()
    queued = 0
    for source in SOURCES:
        reminders = list(source(now))
        db.session.commit()  # end the read before the writes
        for reminder in reminders:
            queued += _queue_once(reminder)
    log.info("reminders: %s queued", queued)
    return queued


def _queue_once(reminder: Reminder) -> int:
    """One commit per reminder, so a run racing another loses only the duplicate."""
    try:
        message = outbox.queue(
            reminder.to,
            reminder.subject,
            reminder.body,
            attachments=reminder.attachments,
            dedupe_key=reminder.dedupe_key,
        )
        db.session.commit()
    except IntegrityError:  # another run queued the same reminder a moment ago
        db.session.rollback()
        return 0
    return int(message is not None)
