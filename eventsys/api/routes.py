"""API views: parse (schemas) → the same service functions as the web pages → JSON."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

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
from eventsys.api.schemas import (
    MAX_ID,
    EventCreateSchema,
    EventDetailSchema,
    EventListSchema,
    EventQuerySchema,
    EventRegistrationListSchema,
    EventWriteSchema,
    IndicatorQuerySchema,
    IndicatorSchema,
    RegistrationListSchema,
    RegistrationRequestSchema,
    RegistrationSchema,
    ShiftCreateSchema,
    ShiftListSchema,
    ShiftQuerySchema,
    ShiftSchema,
    SignupRequestSchema,
    SignupSchema,
    TokenRequestSchema,
    TokenSchema,
    VenueListSchema,
)
from eventsys.db_types import utcnow
from eventsys.extensions import db, limiter
from eventsys.models import (
    Event,
    EventStatus,
    Registration,
    Role,
    Shift,
    ShiftSignup,
    User,
    Venue,
)
from eventsys.services import accounts, catalogue
from eventsys.services import events as event_service
from eventsys.services import indicators as indicator_service
from eventsys.services import registrations as registration_service
from eventsys.services import shifts as shift_service
from eventsys.services.events import EventError
from eventsys.services.indicators import IndicatorError
from eventsys.services.registrations import RegistrationError
from eventsys.services.shifts import ShiftError

BEARER = [{"bearer": []}]
SHIFT_WINDOW_DAYS = 90


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


def _tokens_limit() -> str:
    return current_app.config["RATELIMIT_TOKENS"]


def _registration_limit() -> str:
    return current_app.config["RATELIMIT_REGISTRATION"]


def _get(model, object_id: int):
    """The row, or a not-found problem (ids beyond the column's range included)."""
    if not 1 <= object_id <= MAX_ID:
        raise not_found()
    row = db.session.get(model, object_id)
    if row is None:
        raise not_found()
    return row


def _optional_user() -> User | None:
    """The token's user when a token is sent (a bad one is refused), else None."""
    if api_tokens.bearer_token() is None:
        return None
    return api_tokens.current_user()


def _is_staff(user: User | None) -> bool:
    return user is not None and user.role in (Role.STAFF, Role.ADMIN)


def _visible_event(event_id: int, user: User | None) -> Event:
    event = _get(Event, event_id)
    if event.status == EventStatus.DRAFT and not _is_staff(user):
        raise not_found()
    return event


def _own(model, object_id: int, user: User):
    row = _get(model, object_id)
    if row.user_id != user.id:
        raise not_found()  # someone else's: as if it did not exist
    return row


# ---------------------------------------------------------------- tokens


@bp.post("/tokens")
@limiter.limit(_tokens_limit, key_func=api_tokens.address_key)
@limiter.limit(_tokens_limit, key_func=api_tokens.email_key)
@bp.arguments(TokenRequestSchema)
@bp.response(201, TokenSchema)
def create_token(data):
    """Exchange an email and password for a bearer token.

    The token is shown once; keep it secret. It expires after EVENTSYS_API_TOKEN_HOURS.
    """
    user = accounts.authenticate(data["email"], data["password"])
    if user is None:
        raise ApiProblem("unauthorized", _("The email address or password is not right."))
    secret, record = api_tokens.issue(user)
    return {"token": secret, "expires_at": record.expires_at}


@bp.delete("/tokens/current")
@api_tokens.token_required
@bp.response(204)
@bp.doc(security=BEARER)
def revoke_token():
    """Revoke the token sent with this request."""
    api_tokens.revoke(api_tokens.authenticate())
    return None


# ---------------------------------------------------------------- venues


@bp.get("/venues")
@bp.response(200, VenueListSchema)
def list_venues():
    """Every venue with its centre or branch."""
    venues = db.session.scalars(
        sa.select(Venue).options(joinedload(Venue.branch)).order_by(Venue.branch_id, Venue.id)
    ).all()
    return {"items": venues}


# ---------------------------------------------------------------- events


@bp.get("/events")
@bp.arguments(EventQuerySchema, location="query")
@bp.response(200, EventListSchema)
@bp.doc(security=[{}, *BEARER])
def list_events(args):
    """The programme: events still to come (or in the given dates), soonest first.

    Staff tokens also see drafts and may filter by status.
    """
    user = _optional_user()
    staff = _is_staff(user)
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
    return _visible_event(event_id, _optional_user())


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
    event = _get(Event, event_id)
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
    event = _get(Event, event_id)
    rows = db.session.scalars(
        sa.select(Registration)
        .options(joinedload(Registration.user), joinedload(Registration.event))
        .where(Registration.event_id == event.id)
        .order_by(Registration.created_at, Registration.id)
    ).all()
    return {"items": rows}


# ---------------------------------------------------------------- registrations


@bp.post("/events/<int:event_id>/registrations")
@api_tokens.token_required
@limiter.limit(_registration_limit, key_func=api_tokens.token_key)
@limiter.limit(_registration_limit, key_func=api_tokens.address_key)
@bp.arguments(RegistrationRequestSchema)
@bp.response(201, RegistrationSchema)
@bp.doc(security=BEARER)
def register(data, event_id: int):
    """Register the token's reader: confirmed while seats remain, else waitlisted."""
    user = api_tokens.current_user()
    event = _visible_event(event_id, user)
    return registration_service.register(
        event, user, data["party_size"], data["needs"], data["needs_note"]
    )


@bp.get("/me/registrations")
@api_tokens.token_required
@bp.response(200, RegistrationListSchema)
@bp.doc(security=BEARER)
def my_registrations():
    """The token's reader's registrations, latest event first."""
    user = api_tokens.current_user()
    rows = db.session.scalars(
        sa.select(Registration)
        .join(Event, Event.id == Registration.event_id)
        .options(joinedload(Registration.event))
        .where(Registration.user_id == user.id)
        .order_by(Event.starts_at.desc(), Registration.id.desc())
    ).all()
    registration_service.waitlist_positions(rows)  # one query for every place in the list
    return {"items": rows}


@bp.get("/registrations/<int:registration_id>")
@api_tokens.token_required
@bp.response(200, RegistrationSchema)
@bp.doc(security=BEARER)
def get_registration(registration_id: int):
    """One of the token's reader's registrations."""
    return _own(Registration, registration_id, api_tokens.current_user())


@bp.delete("/registrations/<int:registration_id>")
@api_tokens.token_required
@bp.response(200, RegistrationSchema)
@bp.doc(security=BEARER)
def cancel_registration(registration_id: int):
    """Cancel one's own registration; freed seats go to the waiting list. Twice is harmless."""
    user = api_tokens.current_user()
    registration = _own(Registration, registration_id, user)
    return registration_service.cancel_registration(registration, user)


# ---------------------------------------------------------------- volunteer shifts


@bp.get("/shifts")
@api_tokens.token_required
@bp.arguments(ShiftQuerySchema, location="query")
@bp.response(200, ShiftListSchema)
@bp.doc(security=BEARER)
def list_shifts(args):
    """Open shifts starting in a window (default: the next 90 days).

    As on the web page: approved volunteers and staff see them; other accounts get none.
    """
    start = args.get("from_") or utcnow()
    end = args.get("to") or start + timedelta(days=SHIFT_WINDOW_DAYS)
    if end <= start:
        raise validation(
            _("The end of the window is before its start."),
            {"to": [_("The end of the window is before its start.")]},
        )
    user = api_tokens.current_user()
    shifts = shift_service.open_shifts_for(
        user, start, end, branch_id=args.get("branch"), role_id=args.get("role")
    )
    return {"items": shifts}


@bp.post("/shifts")
@api_tokens.staff_token_required
@bp.arguments(ShiftCreateSchema)
@bp.response(201, ShiftSchema)
@bp.doc(security=BEARER)
def create_shift(data):
    """Staff: a new volunteer shift."""
    return shift_service.create_shift(api_tokens.current_user(), **data)


@bp.post("/shifts/<int:shift_id>/signups")
@api_tokens.token_required
@bp.arguments(SignupRequestSchema, required=False)
@bp.response(201, SignupSchema)
@bp.doc(security=BEARER)
def sign_up(data, shift_id: int):
    """An approved volunteer takes a free slot of the shift (past the withdrawal cut-off
    only with ``understood``: such a sign-up cannot be withdrawn)."""
    shift = _get(Shift, shift_id)
    return shift_service.sign_up(
        shift.id, api_tokens.current_user(), understood=data.get("understood", False)
    )


@bp.delete("/signups/<int:signup_id>")
@api_tokens.token_required
@bp.response(200, SignupSchema)
@bp.doc(security=BEARER)
def withdraw(signup_id: int):
    """Withdraw from a shift, until the set time before it starts."""
    user = api_tokens.current_user()
    signup = _own(ShiftSignup, signup_id, user)
    shift_service.withdraw(signup, user)
    return db.session.get(ShiftSignup, signup_id)


# ---------------------------------------------------------------- indicators


@bp.get("/indicators/reader-activities")
@api_tokens.staff_token_required
@bp.arguments(IndicatorQuerySchema, location="query")
@bp.response(200, IndicatorSchema)
@bp.doc(security=BEARER)
def reader_activities(args):
    """Staff: reader activities (sessions) and participants of a year, split by ``by``."""
    year, by = args["year"], args["by"]
    totals = indicator_service.figures(indicator_service.year_period(year))
    if by == "total":
        rows = []
    elif by in ("quarter", "month"):
        periods = (
            [indicator_service.quarter_period(year, q) for q in range(1, 5)]
            if by == "quarter"
            else [indicator_service.month_period(year, m) for m in range(1, 13)]
        )
        rows = []
        for period in periods:
            figures = indicator_service.figures(period)
            rows.append(
                {
                    "key": period.key,
                    "label": period.key,
                    "sessions": figures.sessions,
                    "participants": figures.participants,
                }
            )
    else:
        rows = totals.split(by)
    return {
        "indicator": "reader_activities",
        "year": year,
        "by": by,
        "sessions": totals.sessions,
        "participants": totals.participants,
        "rows": rows,
    }
