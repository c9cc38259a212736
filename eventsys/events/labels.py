"""Translated names of kinds, audiences, statuses and reader states, for every template."""

from datetime import datetime

from flask_babel import ngettext, pgettext

from eventsys.db_types import utcnow
from eventsys.events.blueprint import bp
from eventsys.events.state import ReaderState, reader_state
from eventsys.models import Event
from eventsys.services.labels import AUDIENCE_LABELS, KIND_LABELS, STATUS_LABELS, WEEKDAY_LABELS
from eventsys.services.links import event_url
from eventsys.templating import local_datetime


def kind_label(value: str) -> str:
    return str(KIND_LABELS.get(value, value))


def audience_label(value: str) -> str:
    return str(AUDIENCE_LABELS.get(value, value))


def status_label(value: str) -> str:
    return str(STATUS_LABELS.get(value, value))


def state_label(event: Event, state: ReaderState | None = None, now: datetime | None = None) -> str:
    """The reader state in words, with the seat count or opening date when it helps."""
    state = state or reader_state(event, now)
    match state:
        case ReaderState.OPEN:
            return ngettext(
                "Open · %(num)d seat left", "Open · %(num)d seats left", event.seats_left or 0
            )
        case ReaderState.FEW_LEFT:
            return pgettext("reader state", "Few seats left · %(num)d") % {
                "num": event.seats_left or 0
            }
        case ReaderState.WAITLIST:
            return pgettext("reader state", "Full · waiting list open")
        case ReaderState.FULL:
            return pgettext("reader state", "Full")
        case ReaderState.NOT_YET_OPEN:
            return pgettext("reader state", "Registration opens %(date)s") % {
                "date": local_datetime(event.registration_opens_at)
            }
        case ReaderState.CLOSED:
            return pgettext("reader state", "Registration closed")
        case ReaderState.DROP_IN if event.starts_at <= (now or utcnow()):
            return pgettext("reader state", "Now on · no booking needed")
        case ReaderState.DROP_IN:
            return pgettext("reader state", "No booking needed")
        case ReaderState.CANCELLED:
            return pgettext("reader state", "Cancelled")
        case _:
            return pgettext("reader state", "Past")


# Globals rather than context: the card and state macros that pages import see them too.
for _global in (kind_label, audience_label, status_label, reader_state, state_label, event_url):
    bp.add_app_template_global(_global)


@bp.app_context_processor
def _labels() -> dict:
    return {
        "kind_labels": KIND_LABELS,
        "audience_labels": AUDIENCE_LABELS,
        "status_labels": STATUS_LABELS,
        "weekday_labels": WEEKDAY_LABELS,
    }
