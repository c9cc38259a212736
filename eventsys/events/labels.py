"""Translated names of kinds, audiences and statuses, for every template."""

from flask_babel import lazy_gettext as _l

from eventsys.events import bp
from eventsys.models import Audience, EventKind, EventStatus
from eventsys.services.links import event_url

KIND_LABELS = {
    EventKind.LECTURE: _l("Lecture"),
    EventKind.EXHIBITION: _l("Exhibition"),
    EventKind.GUIDED_TOUR: _l("Guided tour"),
    EventKind.READING: _l("Reading"),
    EventKind.FILM: _l("Film screening"),
    EventKind.CONTEST: _l("Contest"),
    EventKind.STUDY_SESSION: _l("Study session"),
    EventKind.WORKSHOP: _l("Workshop"),
    EventKind.OTHER: _l("Other activity"),
}
AUDIENCE_LABELS = {
    Audience.ALL: _l("Everyone"),
    Audience.CHILDREN: _l("Children"),
    Audience.TEENS: _l("Teens"),
    Audience.ADULTS: _l("Adults"),
    Audience.SENIORS: _l("Seniors"),
    Audience.FAMILIES: _l("Families"),
    Audience.ACCESSIBILITY: _l("Accessibility needs"),
}
STATUS_LABELS = {
    EventStatus.DRAFT: _l("Draft"),
    EventStatus.PUBLISHED: _l("Published"),
    EventStatus.CANCELLED: _l("Cancelled"),
}
WEEKDAY_LABELS = {
    "mon": _l("Monday"),
    "tue": _l("Tuesday"),
    "wed": _l("Wednesday"),
    "thu": _l("Thursday"),
    "fri": _l("Friday"),
    "sat": _l("Saturday"),
    "sun": _l("Sunday"),
}


def kind_label(value: str) -> str:
    return str(KIND_LABELS.get(value, value))


def audience_label(value: str) -> str:
    return str(AUDIENCE_LABELS.get(value, value))


def status_label(value: str) -> str:
    return str(STATUS_LABELS.get(value, value))


@bp.app_context_processor
def _labels() -> dict:
    return {
        "kind_label": kind_label,
        "audience_label": audience_label,
        "status_label": status_label,
        "kind_labels": KIND_LABELS,
        "audience_labels": AUDIENCE_LABELS,
        "status_labels": STATUS_LABELS,
        "weekday_labels": WEEKDAY_LABELS,
        "event_url": event_url,
    }
