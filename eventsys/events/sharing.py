"""Sharing an event: a page with the card and the link, and the card itself as a PNG."""

from flask import Response, abort, render_template, request
from flask_babel import get_locale
from flask_login import current_user

from eventsys.events import share_card
from eventsys.events.blueprint import bp
from eventsys.events.page import when_text, where_text
from eventsys.library import current_library
from eventsys.models import Event
from eventsys.services import catalogue, visibility
from eventsys.services.links import event_url

CARD_CACHE_SECONDS = 3600


def _shared_event(event_id: int) -> Event:
    event = catalogue.event_with_relations(event_id)
    if event is None or not visibility.may_see(event, current_user):
        abort(404)
    return event


@bp.get("/<int:event_id>/share")
def share(event_id: int):
    event = _shared_event(event_id)
    return render_template(
        "events/share.html",
        event=event,
        link=event_url(event, external=True),
        when=when_text(event),
        where=where_text(event),
    )


@bp.get("/<int:event_id>/share.png", endpoint="share_image")
def share_image(event_id: int):
    event = _shared_event(event_id)
    # The card changes when the event does, and is drawn in the page's language.
    etag = f"{event.id}-{event.updated_at.timestamp() * 1_000_000:.0f}-{get_locale()}"
    response = Response(mimetype="image/png")
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = CARD_CACHE_SECONDS
    response.vary.update(("Accept-Language", "Cookie"))
    if request.if_none_match.contains(etag):
        return response.make_conditional(request)
    response.set_data(
        share_card.render(
            event,
            title=event.localized_title,
            when=when_text(event),
            where=where_text(event),
            url=event_url(event, external=True),
            library=current_library().name,
        )
    )
    return response.make_conditional(request)
