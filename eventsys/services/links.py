"""Public addresses: each event's page, and every absolute link that leaves a page.

A link in a mail, an attached calendar file or a feed is read far from the request that
made it, so it is built on ``EVENTSYS_BASE_URL``, never on the request's Host header
(which a client chooses freely).
"""

from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app, request, url_for

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
    return _event_path(event_endpoint(event), event.id, request.script_root)


@lru_cache(maxsize=8192)
def _event_path(endpoint: str, event_id: int, script_root: str) -> str:
    """An event's path under the site's root: built once per worker, since a list page
    links twenty events and ``url_for`` costs more than the rest of a card's address."""
    return url_for(endpoint, event_id=event_id)


def external_url(endpoint: str, **values) -> str:
    """The absolute URL of ``endpoint`` on the configured base URL, in or out of a request."""
    base = urlsplit(current_app.config["EVENTSYS_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)
