"""What the event page needs beyond the event: its posters, its one action on a phone,
and the Open Graph tags a shared link shows."""

from flask import abort, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from eventsys.events.blueprint import bp
from eventsys.events.state import ReaderState, reader_state
from eventsys.extensions import db
from eventsys.models import Event
from eventsys.services import catalogue, posters
from eventsys.services.links import event_url, external_url
from eventsys.templating import local_date, local_time

POSTER_CACHE = "public, max-age=31536000, immutable"
# The states in which a reader can still take a seat or a place on the waiting list.
_BOOKABLE = (ReaderState.OPEN, ReaderState.FEW_LEFT, ReaderState.WAITLIST)

bp.add_app_template_global(posters.poster_url, "poster_url")
bp.add_app_template_global(posters.alt_text, "poster_alt")


@bp.get("/posters/<filename>")
def poster(filename: str):
    """A stored poster; its name holds a content hash, so it may be cached for good."""
    parsed = posters.parse_name(filename)
    if parsed is None:
        abort(404)
    event_id, key, _size = parsed
    event = db.session.get(Event, event_id)
    is_staff = current_user.is_authenticated and current_user.is_staff
    if event is None or event.poster != key:
        abort(404)
    if event.status not in catalogue.PUBLIC_STATUSES and not is_staff:
        abort(404)
    response = send_from_directory(posters.folder(), filename, mimetype="image/webp")
    response.headers["Cache-Control"] = POSTER_CACHE
    return response


@bp.app_template_global()
def page_action(event: Event, box: dict | None) -> dict | None:
    """The one thing a reader can do next on the event page (the phone's bottom bar),
    or None when there is nothing to do. ``box`` is the page's registration_box."""
    if box is None or event.is_cancelled:
        return None
    if box["registration"] is not None:
        return {
            "label": _("See my booking"),
            "url": url_for("registrations.show", registration_id=box["registration"].id),
        }
    if reader_state(event) not in _BOOKABLE:
        return None
    if not current_user.is_authenticated:
        return {
            "label": _("Log in to register"),
            "url": url_for("auth.login", next=request.path),
        }
    if box["form"] is None:
        return None
    label = _("Register") if event.seats_left else _("Join the waiting list")
    return {"label": label, "url": f"#register-form-{event.id}"}


def when_text(event: Event) -> str:
    """Date with weekday and the start and end times, in the page's language."""
    if event.kind == "exhibition":
        return f"{local_date(event.starts_at, 'long')} – {local_date(event.ends_at, 'long')}"
    return (
        f"{local_date(event.starts_at, 'full')} "
        f"{local_time(event.starts_at)}–{local_time(event.ends_at)}"
    )


def where_text(event: Event) -> str:
    places = [str(event.venue)] if event.venue else []
    if event.online:
        places.append(_("Online"))
    return " · ".join(places)


@bp.app_template_global()
def page_external_url() -> str:
    """This page's address on the configured base URL (og:url), without the query."""
    if request.endpoint and request.endpoint != "static":
        try:
            return external_url(request.endpoint, **(request.view_args or {}))
        except BuildError:
            pass
    return external_url("main.home")


@bp.app_template_global()
def event_og(event: Event) -> dict:
    """Open Graph values for an event page: what a chat app shows for a shared link."""
    description = f"{when_text(event)} · {where_text(event)}".strip(" ·")
    if event.is_cancelled:
        description = f"{_('Cancelled')} · {description}"
    image_name = posters.file_name(event, "page") if event.poster else None
    image = (
        external_url("events.poster", filename=image_name)
        if image_name
        else external_url("events.share_image", event_id=event.id)
    )
    return {
        "title": event.localized_title,
        "description": description,
        "url": event_url(event, external=True),
        "image": image,
        "image_alt": posters.alt_text(event) if image_name else event.localized_title,
        "type": "article",
    }
