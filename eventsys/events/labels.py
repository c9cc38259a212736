"""Translated names of kinds, audiences and statuses, for every template."""

from eventsys.events import bp
from eventsys.services.labels import AUDIENCE_LABELS, KIND_LABELS, STATUS_LABELS, WEEKDAY_LABELS
from eventsys.services.links import event_url


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
