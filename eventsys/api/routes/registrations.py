"""A reader's registrations: registering, listing, cancelling."""

from eventsys.api import bp
from eventsys.api import tokens as api_tokens
from eventsys.api.routes.common import BEARER, own_row, registration_limit, visible_event
from eventsys.api.schemas import (
    RegistrationListSchema,
    RegistrationRequestSchema,
    RegistrationSchema,
)
from eventsys.extensions import limiter
from eventsys.models import Registration
from eventsys.services import registrations as registration_service


@bp.post("/events/<int:event_id>/registrations")
@api_tokens.token_required
@limiter.limit(registration_limit, key_func=api_tokens.token_key)
@limiter.limit(registration_limit, key_func=api_tokens.address_key)
@bp.arguments(RegistrationRequestSchema)
@bp.response(201, RegistrationSchema)
@bp.doc(security=BEARER)
def register(data, event_id: int):
    """Register the token's reader: confirmed while seats remain, else waitlisted."""
    user = api_tokens.current_user()
    event = visible_event(event_id, user)
    return registration_service.register(
        event, user, data["party_size"], data["needs"], data["needs_note"]
    )


@bp.get("/me/registrations")
@api_tokens.token_required
@bp.response(200, RegistrationListSchema)
@bp.doc(security=BEARER)
def my_registrations():
    """The token's reader's registrations, latest event first."""
    return {"items": registration_service.of_reader(api_tokens.current_user())}


@bp.get("/registrations/<int:registration_id>")
@api_tokens.token_required
@bp.response(200, RegistrationSchema)
@bp.doc(security=BEARER)
def get_registration(registration_id: int):
    """One of the token's reader's registrations."""
    return own_row(Registration, registration_id, api_tokens.current_user())


@bp.delete("/registrations/<int:registration_id>")
@api_tokens.token_required
@bp.response(200, RegistrationSchema)
@bp.doc(security=BEARER)
def cancel_registration(registration_id: int):
    """Cancel one's own registration; freed seats go to the waiting list. Twice is harmless."""
    user = api_tokens.current_user()
    registration = own_row(Registration, registration_id, user)
    return registration_service.cancel_registration(registration, user)
