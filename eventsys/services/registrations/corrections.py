"""Staff corrections after the event: a no-show that was wrong, a suspension lifted early."""

import logging

import sqlalchemy as sa
from flask_babel import gettext as _

from eventsys.database import write_turn
from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Registration, User
from eventsys.services import audit, mails
from eventsys.services.registrations.rules import (
    CANCELLED,
    CONFIRMED,
    NO_SHOW,
    RegistrationError,
    is_suspended,
)
from eventsys.services.registrations.seats import take_seats

log = logging.getLogger(__name__)


def undo_no_show(registration: Registration, actor: User | None, *, attended: bool) -> Registration:
    """Correct a no-show that staff know was wrong. Commits.

    ``attended``: the party was there, so it counts as checked in (at the start) and takes
    its seats back; otherwise it is excused and cancelled, counted nowhere. A suspension
    the no-show led to stays until staff lift it.
    """
    if registration.status != NO_SHOW:
        raise RegistrationError("bad_input", _("Only a no-show can be undone."))
    registration_id, event_id = registration.id, registration.event_id
    starts_at, size = registration.event.starts_at, registration.party_size
    before = audit.snapshot(registration, ("status", "checked_in_at"))
    if attended:
        values = {"status": CONFIRMED, "checked_in_at": starts_at}
    else:
        values = {"status": CANCELLED, "cancelled_at": utcnow()}
    db.session.commit()
    with write_turn(event_id):
        result = db.session.execute(
            sa.update(Registration)
            .where(Registration.id == registration_id, Registration.status == NO_SHOW)
            .values(**values)
        )
        if result.rowcount != 1:
            db.session.rollback()
            raise RegistrationError("bad_input", _("Only a no-show can be undone."))
        if attended:
            take_seats(event_id, size)  # seats_taken counts confirmed parties
        db.session.expire_all()
        registration = db.session.get(Registration, registration_id)
        after = audit.snapshot(registration, ("status", "checked_in_at"))
        audit.record(actor, "registration.undo_no_show", registration, before, after)
        db.session.commit()
    log.info("registration %s: no-show undone (%s)", registration_id, values["status"])
    return registration


def lift_suspension(user: User, actor: User | None) -> User:
    """End a reader's no-show suspension now and tell them by mail. Commits."""
    if not is_suspended(user):
        raise RegistrationError(
            "not_suspended", _("%(name)s is not suspended.", name=user.display_name)
        )
    before = audit.snapshot(user, ("suspended_until",))
    user.suspended_until = None
    audit.record(actor, "user.suspension_lift", user, before, {"suspended_until": None})
    mails.queue_mail(user, "suspension_lifted")
    db.session.commit()
    log.info("user %s: suspension lifted", user.id)
    return user
