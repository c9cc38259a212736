"""Mails that tell a reader what happened to their registration (``templates/mail/``).

Each joins the caller's transaction; its dedupe key makes a repeated cause mail once.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale

from eventsys.models import Event, Registration, User
from eventsys.services import links, mails, outbox
from eventsys.services.registrations.attachments import calendar_file, qr_image
from eventsys.services.registrations.queries import waitlist_position
from eventsys.services.registrations.rules import CONFIRMED, WAITLISTED

# What a drafted mail holds where the registration's address and waitlist place go: the
# address of registration 0 (there is none) and a text no translation contains.
_STANDIN_ID = 0
_STANDIN_POSITION = "\x00position\x00"


def registration_link(registration: Registration) -> str:
    return links.external_url("registrations.show", registration_id=registration.id)


def calendar_attachment(user: User, event: Event, waitlisted: bool = False) -> dict:
    """The calendar file in the reader's language."""
    with force_locale(user.locale):
        return calendar_file(event, waitlisted)


# The mail of each outcome of a registration: its template and its dedupe key's cause.
_REGISTERED_MAILS = {
    CONFIRMED: ("registration_confirmed", "registered"),
    WAITLISTED: ("waitlist_joined", "waitlisted"),
}


@dataclass(frozen=True)
class RegisteredDraft:
    """The confirmation or waitlist mail, written before the event's lock for the outcome
    expected then: rendering it is the slowest step left in a registration, and SQLite's
    write lock (PostgreSQL's lock on the event row) holds every other reader back while it
    runs. Under the lock only the registration's address and waitlist place go in."""

    status: str
    subject: str
    body: str
    link: str  # the address in the text, to be replaced by the registration's own


def _write(user: User, registration, status: str, link: str, position) -> RegisteredDraft:
    template, _cause = _REGISTERED_MAILS[status]
    extra = {"position": position} if status == WAITLISTED else {}
    subject, body = mails.write(user, template, registration=registration, link=link, **extra)
    return RegisteredDraft(status, subject, body, link)


def draft_registered(
    user: User, event: Event, party_size: int, needs: str, code: str, status: str
) -> RegisteredDraft:
    """The mail ``queue_registered`` would write for a registration with these values."""
    # Not added to the session: it only stands for the registration in the templates.
    standin = Registration(
        event=event,
        user=user,
        party_size=party_size,
        needs=needs,
        checkin_code=code,
        status=status,
    )
    standin_link = links.external_url("registrations.show", registration_id=_STANDIN_ID)
    return _write(user, standin, status, standin_link, _STANDIN_POSITION)


def queue_registered(
    registration: Registration, attachments: list[dict], draft: RegisteredDraft | None = None
) -> None:
    """Confirmed or waitlisted; ``attachments``: the calendar file and the QR image of the
    registration's code, for a confirmed party. A ``draft`` written for the outcome that
    came is filled in; otherwise the mail is written now."""
    status = registration.status
    link = registration_link(registration)
    position = waitlist_position(registration)  # None when confirmed
    if draft is None or draft.status != status:
        draft = _write(registration.user, registration, status, link, position)

    def filled(text: str) -> str:
        return text.replace(draft.link, link).replace(_STANDIN_POSITION, str(position))

    _template, cause = _REGISTERED_MAILS[status]
    outbox.queue(
        registration.user.email,
        filled(draft.subject),
        filled(draft.body),
        attachments=attachments if status == CONFIRMED else None,
        dedupe_key=f"{cause}:registration:{registration.id}",
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
