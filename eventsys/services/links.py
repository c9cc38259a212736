"""The one public address of each event, whatever its kind."""

from flask import url_for

from eventsys.models import Event, EventKind


def event_endpoint(event: Event) -> str:
    if event.campaign_id is not None:
        return "red_culture.detail"
    if event.kind == EventKind.EXHIBITION:
        return "exhibitions.detail"
    if event.kind == EventKind.LECTURE:
        return "lectures.detail"
    return "events.detail"


def event_url(event: Event, external: bool = False) -> str:
    return url_for(event_endpoint(event), event_id=event.id, _external=external)
