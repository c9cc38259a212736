"""The no-show policy: repeated no-shows within a window suspend online registration."""

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.models import Event, Registration, User
from eventsys.services import policies
from eventsys.services.registrations.reader_mails import queue_suspended
from eventsys.services.registrations.rules import NO_SHOW

log = logging.getLogger(__name__)


def apply_noshow_policy(user: User, now: datetime, event: Event) -> None:
    """Suspend ``user`` when ``event`` (just closed) makes too many recent no-shows; the
    policies set how many, within how many days, and for how long. The caller commits."""
    count, days = policies.get("noshow_count"), policies.get("noshow_window_days")
    suspend_days = policies.get("noshow_suspend_days")
    if suspend_days <= 0:
        return
    recent = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .join(Event, Event.id == Registration.event_id)
        .where(
            Registration.user_id == user.id,
            Registration.status == NO_SHOW,
            Event.starts_at >= now - timedelta(days=days),
        )
    )
    if recent < count:
        return
    until = now + timedelta(days=suspend_days)
    if user.suspended_until is not None and user.suspended_until >= until:
        return
    user.suspended_until = until
    log.info("user %s suspended until %s (%s no-shows)", user.id, until, recent)
    queue_suspended(user, event, no_shows=recent, days=days, until=until)
