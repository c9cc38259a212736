"""What a registration mail carries: the event for the reader's calendar and the check-in
code as a QR image."""

import threading

from cachetools import TTLCache, cached
from flask import current_app
from flask_babel import get_locale

from eventsys.models import Event
from eventsys.services import ical
from eventsys.services.registrations.rules import WAITLISTED

QR_CONTENT_ID = "checkin-qr@eventsys"


def _calendar_file_key(event: Event, waitlisted: bool = False) -> tuple:
    return (
        event.uid,
        event.sequence,
        event.updated_at,
        waitlisted,
        str(get_locale()),
        current_app.config["EVENTSYS_BASE_URL"],
        current_app.config["EVENTSYS_TIMEZONE"],
    )


# Every reader of an event gets the same calendar file, so it is built once per version
# of the event, language and site. Kept for a minute, so that a renamed venue or series
# (which leaves the event's own version alone) shows up soon.
@cached(TTLCache(maxsize=256, ttl=60), key=_calendar_file_key, lock=threading.Lock())
def calendar_file(event: Event, waitlisted: bool = False) -> dict:
    """The event for the reader's calendar, in the current language; a waiting reader's
    copy is tentative."""
    options = ical.FeedOptions(reader_status={event.id: WAITLISTED} if waitlisted else {})
    content = ical.to_bytes(ical.feed_calendar([event], options)).decode()
    return {
        "filename": "event.ics",
        "content_type": "text/calendar; charset=utf-8",
        "content": content,
    }


def qr_image(code: str) -> dict:
    """The check-in code as a QR image inside the mail, so the door can scan the mail alone
    (no login, no remote image for the mail client to block). The outbox sender draws the
    image when it sends (``"encoding": "qr"``): a registration only stores the code."""
    return {
        "filename": "checkin-qr.png",
        "content_type": "image/png",
        "encoding": "qr",
        "content": code,
        "content_id": QR_CONTENT_ID,
        "alt": code,
    }
