"""The door on the day: checking parties in by code or by name, walk-ins, closing the event."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventsys.auth.decorators import staff_required
from eventsys.extensions import db, limiter
from eventsys.models import Event, Registration
from eventsys.registrations.blueprint import bp
from eventsys.registrations.forms import CheckInForm, ConfirmForm, WalkInForm
from eventsys.registrations.shared import event_or_404, not_post
from eventsys.services import registrations as service
from eventsys.services.registrations import NEED_LABELS, RegistrationError


def _checkin_page(event: Event, form: CheckInForm, result=None, status=200):
    q = request.args.get("q", "")
    matches = service.find(event, q, statuses=[service.CONFIRMED]) if q.strip() else []
    return (
        render_template(
            "registrations/checkin.html",
            event=event,
            form=form,
            result=result,
            q=q,
            matches=matches,
            searched=bool(q.strip()),
            walk_in_form=WalkInForm(formdata=None),
            room=service.room_capacity(event),
            closed=service.door_refusal(event),
            need_labels=NEED_LABELS,
        ),
        status,
    )


def _tokens_limit() -> str:
    return current_app.config["RATELIMIT_TOKENS"]


def _per_account() -> str:
    # Per account, not per address: the desks of a library often share one address.
    if current_user.is_authenticated:
        return f"account-{current_user.id}"
    return request.remote_addr or "unknown"


def _code_refused(response) -> bool:
    return response.status_code == 422


# Only refused codes count, so a busy door scanning valid codes is never throttled.
@bp.route("/staff/events/<int:event_id>/checkin", methods=["GET", "POST"])
@limiter.limit(
    _tokens_limit, key_func=_per_account, deduct_when=_code_refused, exempt_when=not_post
)
@staff_required
def checkin(event_id: int):
    event = event_or_404(event_id)
    form = CheckInForm()
    if request.method == "GET":
        return _checkin_page(event, form)
    if not form.validate_on_submit():
        return _checkin_page(event, form, status=400)
    try:
        result = service.check_in(event, form.code.data)
    except RegistrationError as error:
        form.code.errors = [*form.code.errors, error.message]
        return _checkin_page(event, form, status=422)
    return _checkin_page(event, CheckInForm(formdata=None), result=result)


@bp.post("/staff/events/<int:event_id>/checkin/<int:registration_id>")
@staff_required
def checkin_one(event_id: int, registration_id: int):
    event = event_or_404(event_id)
    registration = db.session.get(Registration, registration_id)
    form = ConfirmForm()
    if registration is None or registration.event_id != event.id or not form.validate_on_submit():
        abort(404)
    try:
        result = service.check_in_registration(registration)
    except RegistrationError as error:
        form = CheckInForm(formdata=None)
        form.form_errors.append(error.message)
        return _checkin_page(event, form, status=422)
    return _checkin_page(event, CheckInForm(formdata=None), result=result)


@bp.post("/staff/events/<int:event_id>/walk-ins")
@staff_required
def walk_ins(event_id: int):
    event = event_or_404(event_id)
    form = WalkInForm()
    if not form.validate_on_submit():
        flash(_("Enter the number of walk-ins to add, or to remove with a minus."), "error")
    else:
        try:
            count = service.record_walk_ins(
                event, form.delta.data, current_user, over_capacity=form.over_capacity.data
            )
        except RegistrationError as error:
            flash(error.message, "error")
        else:
            flash(_("Walk-ins: %(count)s", count=count), "success")
    return redirect(url_for("registrations.checkin", event_id=event_id))


@bp.post("/staff/events/<int:event_id>/close")
@staff_required
def close(event_id: int):
    event = event_or_404(event_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    already = event.closed_at is not None
    try:
        no_shows = service.close_event(event, current_user)
    except RegistrationError as error:
        flash(error.message, "error")
    else:
        if already:
            flash(_("The event was closed already; nothing changed."), "info")
        else:
            flash(
                _("The event is closed. No-shows recorded: %(count)s.", count=len(no_shows)),
                "success",
            )
    return redirect(url_for("registrations.staff_list", event_id=event_id))
