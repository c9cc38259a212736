"""Venues and events: reading them, and staff creating and changing events."""

from flask_babel import gettext as _

from eventsys.api import bp
from eventsys.api import tokens as api_tokens
from eventsys.api.problems import validation
from eventsys.api.routes.common import BEARER, get_row, optional_user, visible_event
from eventsys.api.schemas import (
    EventCreateSchema,
    EventDetailSchema,
    EventListSchema,
    EventQuerySchema,
    EventRegistrationListSchema,
    EventWriteSchema,
    VenueListSchema,
)
from eventsys.extensions import db
from eventsys.models import (
    Event,
    EventStatus,
)
from eventsys.services import catalogue, venues
from eventsys.services import events as event_service
from eventsys.services import registrations as registration_service


@bp.get("/venues")
@bp.response(200, VenueListSchema)
def list_venues():
    """Every venue with its centre or branch."""
    return {"items": venues.all_venues()}


# ---------------------------------------------------------------- events


@bp.get("/events")
@bp.arguments(EventQuerySchema, location="query")
@bp.response(200, EventListSchema)
@bp.doc(security=[{}, *BEARER])
def list_events(args):
    """The programme: events still to come (or in the given dates), soonest first.

    Staff tokens also see drafts and may filter by status.
    """
    user = optional_user()
    staff = user is not None and user.is_staff
    filters = catalogue.Filters(
        date_from=args.get("from_"),
        date_to=args.get("to"),
        branch_id=args.get("branch"),
        audience=args.get("audience"),
        kind=args.get("kind"),
        series_id=args.get("series"),
        campaign_id=args.get("campaign"),
        status=args.get("status") if staff else None,
        q=" ".join((args.get("q") or "").split()),
    )
    result = catalogue.search(
        filters,
        page=args["page"],
        per_page=args["per_page"],
        public=not staff,
        upcoming=True,
    )
    return {
        "items": list(result.items),
        "pagination": {
            "page": result.page,
            "per_page": result.per_page,
            "total": result.total,
            "pages": result.pages,
        },
    }


@bp.get("/events/<int:event_id>")
@bp.response(200, EventDetailSchema)
@bp.doc(security=[{}, *BEARER])
def get_event(event_id: int):
    """One event, with seats left and the waiting list's length."""
    return visible_event(event_id, optional_user())


def _event_values(data: dict) -> dict:
    return {k: v for k, v in data.items() if k in event_service.EDITABLE_FIELDS}


def _new_status(event: Event, data: dict) -> str | None:
    """The status asked for, if it is a change edit_event can make (publish, cancel)."""
    status = data.get("status")
    if "cancel_reason" in data and status != EventStatus.CANCELLED:
        message = _("Give cancel_reason together with status cancelled.")
        raise validation(message, {"cancel_reason": [message]})
    if status is None or status == event.status:
        return None
    if status not in (EventStatus.PUBLISHED, EventStatus.CANCELLED):
        message = _("A published or cancelled event cannot go back to draft.")
        raise validation(message, {"status": [message]})
    return status


@bp.post("/events")
@api_tokens.staff_token_required
@bp.arguments(EventCreateSchema)
@bp.response(201, EventDetailSchema)
@bp.doc(security=BEARER)
def create_event(data):
    """Staff: a new event (a draft unless status is published)."""
    actor = api_tokens.current_user()
    if data.get("status") == EventStatus.CANCELLED:
        raise validation(
            _("A new event cannot be cancelled."), {"status": [_("Use draft or published.")]}
        )
    if "cancel_reason" in data:
        raise validation(
            _("A new event has no cancellation reason."),
            {"cancel_reason": [_("Only when cancelling.")]},
        )
    event = event_service.create_event(
        actor, _event_values(data), confirm_capacity=data["confirm_capacity"]
    )
    if data.get("status") == EventStatus.PUBLISHED:
        event_service.publish(event, actor)
    db.session.commit()
    return event


@bp.patch("/events/<int:event_id>")
@api_tokens.staff_token_required
@bp.arguments(EventWriteSchema(partial=True))
@bp.response(200, EventDetailSchema)
@bp.doc(security=BEARER)
def update_event(data, event_id: int):
    """Staff: change any fields; status published publishes, cancelled cancels.

    A capacity change of an event taking registrations goes through the registration
    rules: raising it promotes the waiting list, lowering it below the seats held is
    refused.
    """
    actor = api_tokens.current_user()
    event = get_row(Event, event_id)
    event_service.edit_event(
        event,
        actor,
        _event_values(data),
        status=_new_status(event, data),
        cancel_reason=data.get("cancel_reason", ""),
        confirm_capacity=data.get("confirm_capacity", False),
    )
    return db.session.get(Event, event_id)


@bp.get("/events/<int:event_id>/registrations")
@api_tokens.staff_token_required
@bp.response(200, EventRegistrationListSchema)
@bp.doc(security=BEARER)
def event_registrations(event_id: int):
    """Staff: every registration of an event, in the order they came."""
    event = get_row(Event, event_id)
    return {"items": registration_service.find(event, "", limit=0)}
