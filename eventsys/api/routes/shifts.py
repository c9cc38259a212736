"""Volunteer shifts: the open ones, staff creating them, signing up and withdrawing."""

from datetime import timedelta

from flask_babel import gettext as _

from eventsys.api import bp
from eventsys.api import tokens as api_tokens
from eventsys.api.problems import validation
from eventsys.api.routes.common import BEARER, get_row, own_row
from eventsys.api.schemas import (
    ShiftCreateSchema,
    ShiftListSchema,
    ShiftQuerySchema,
    ShiftSchema,
    SignupRequestSchema,
    SignupSchema,
)
from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Shift, ShiftSignup
from eventsys.services import shifts as shift_service

SHIFT_WINDOW_DAYS = 90


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
    shift = get_row(Shift, shift_id)
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
    signup = own_row(ShiftSignup, signup_id, user)
    shift_service.withdraw(signup, user)
    return db.session.get(ShiftSignup, signup_id)
