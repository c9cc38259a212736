"""What every API view shares: the security note, one mapping from refusals to problem
documents (the transaction rolled back first), and lookups that answer not-found alike."""

from flask import current_app

from eventsys.api import bp
from eventsys.api import tokens as api_tokens
from eventsys.api.problems import (
    ApiProblem,
    from_event_error,
    from_service,
    not_found,
    render,
    validation,
)
from eventsys.api.schemas import MAX_ID
from eventsys.extensions import db
from eventsys.models import Event, User
from eventsys.services import visibility
from eventsys.services.events import EventError
from eventsys.services.indicators import IndicatorError
from eventsys.services.registrations import RegistrationError
from eventsys.services.shifts import ShiftError

BEARER = [{"bearer": []}]


# ---------------------------------------------------------------- errors (one mapping)


def _rolled_back(make_problem):
    def handle(error):
        db.session.rollback()  # nothing half-saved, whatever step refused
        return render(make_problem(error))

    return handle


bp.register_error_handler(ApiProblem, _rolled_back(lambda error: error))
bp.register_error_handler(RegistrationError, _rolled_back(from_service))
bp.register_error_handler(ShiftError, _rolled_back(from_service))
bp.register_error_handler(EventError, _rolled_back(from_event_error))
bp.register_error_handler(
    IndicatorError,
    _rolled_back(lambda error: validation(str(error), {"year": [str(error)]})),
)


# ---------------------------------------------------------------- helpers


def tokens_limit() -> str:
    return current_app.config["RATELIMIT_TOKENS"]


def registration_limit() -> str:
    return current_app.config["RATELIMIT_REGISTRATION"]


def get_row(model, object_id: int):
    """The row, or a not-found problem (ids beyond the column's range included)."""
    if not 1 <= object_id <= MAX_ID:
        raise not_found()
    row = db.session.get(model, object_id)
    if row is None:
        raise not_found()
    return row


def optional_user() -> User | None:
    """The token's user when a token is sent (a bad one is refused), else None."""
    if api_tokens.bearer_token() is None:
        return None
    return api_tokens.current_user()


def visible_event(event_id: int, user: User | None) -> Event:
    event = visibility.visible_event(event_id, user)
    if event is None:
        raise not_found()
    return event


def own_row(model, object_id: int, user: User):
    row = get_row(model, object_id)
    if row.user_id != user.id:
        raise not_found()  # someone else's: as if it did not exist
    return row
