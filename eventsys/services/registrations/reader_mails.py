"""Mails that tell a reader what happened to their registration (``templates/mail/``).

Each joins the caller's transaction; its dedupe key makes a repeated cause mail once.
"""

from datetime import datetime

from flask_babel import force_locale

from eventsys.models import Event, Registration, User
from eventsys.services import links, mails
from eventsys.services.registrations.attachments import calendar_file, qr_image
from eventsys.services.registrations.queries import waitlist_position
from eventsys.services.registrations.rules import CONFIRMED


def registration_link(registration: Registration) -> str:
    return links.external_url("registrations.show", registration_id=registration.id)


def calendar_attachment(user: User, event: Event, waitlisted: bool = False) -> dict:
    """The calendar file in the reader's language."""
    with force_locale(user.locale):
        return calendar_file(event, waitlisted)


def queue_registered(registration: Registration, attachments: list[dict]) -> None:
    """Confirmed or waitlisted; ``attachments``: the calendar file and the QR image of the
    registration's code, for a confirmed party."""
    user = registration.user
    context = {"registration": registration, "link": registration_link(registration)}
    if registration.status == CONFIRMED:
        mails.queue_mail(
            user,
            "registration_confirmed",
            attachments=attachments,
            dedupe_key=f"registered:registration:{registration.id}",
            **context,
        )
    else:
        mails.queue_mail(
            user,
            "waitlist_joined",
            dedupe_key=f"waitlisted:registration:{registration.id}",
            position=waitlist_position(registration),
            **context,
        )


def queue_promoted(registration: Registration) -> None:
    user = registration.user
    mails.queue_mail(
        user,
        "promoted",
        attachments=[
            calendar_attachment(user, registration.event),
            qr_image(registration.checkin_code),
        ],
        dedupe_key=f"promoted:registration:{registration.id}",
        registration=registration,
        link=registration_link(registration),
    )


def queue_cancelled_by_library(registration: Registration) -> None:
    mails.queue_mail(
        registration.user,
        "cancelled_by_library",
        dedupe_key=f"cancelled:registration:{registration.id}",
        registration=registration,
    )


def queue_cancelled_by_reader(registration: Registration) -> None:
    """The reader's own cancellation, confirmed in writing (it may not have been them)."""
    mails.queue_mail(
        registration.user,
        "cancelled_by_reader",
        dedupe_key=f"cancelled-by-reader:registration:{registration.id}",
        registration=registration,
        link=links.event_url(registration.event, external=True),
    )


def queue_suspended(user: User, event: Event, *, no_shows: int, days: int, until: datetime):
    """``event``: the latest no-show, which led to the suspension."""
    mails.queue_mail(
        user,
        "suspended",
        dedupe_key=f"suspended:{user.id}:{event.id}",
        event=event,
        no_shows=no_shows,
        days=days,
        until=until,
    )
