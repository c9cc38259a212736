"""Public addresses: each event's page, and every absolute link that leaves a page.

A link in a mail, an attached calendar file or a feed is read far from the request that
made it, so it is built on ``EVENTSYS_BASE_URL``, never on the request's Host header
(which a client chooses freely).
"""

from urllib.parse import urlsplit

from flask import current_app, url_for

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
    if external:
        return external_url(event_endpoint(event), event_id=event.id)
    return url_for(event_endpoint(event), event_id=event.id)


def external_url(endpoint: str, **values) -> str:
    """The absolute URL of ``endpoint`` on the configured base URL, in or out of a request."""
    base = urlsplit(current_app.config["EVENTSYS_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)
