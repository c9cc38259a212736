"""The reader's pages: register, see one's registration and its QR code, cancel, the list
of one's registrations; and the registration box of the event pages."""

import segno
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from eventsys.db_types import utcnow
from eventsys.extensions import db, limiter
from eventsys.models import Event, Registration
from eventsys.registrations.blueprint import bp
from eventsys.registrations.forms import ConfirmForm, RegisterForm
from eventsys.registrations.shared import (
    check_register_form,
    event_page,
    not_post,
    register_from,
    show_refusal,
)
from eventsys.services import registrations as service
from eventsys.services import visibility
from eventsys.services.links import external_url
from eventsys.services.registrations import NEED_LABELS, STATUS_LABELS, RegistrationError


def _registration_limit() -> str:
    return current_app.config["RATELIMIT_REGISTRATION"]


def _public_event(event_id: int) -> Event:
    event = visibility.visible_event(event_id, current_user)
    if event is None:
        abort(404)
    return event


def _own_registration(registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.user_id != current_user.id:
        abort(404)
    return registration


@bp.app_template_global()
def registration_box(event: Event) -> dict:
    """What templates/registrations/_register_box.html shows for ``event``."""
    user = current_user if current_user.is_authenticated else None
    registration = service.active_registration(event, user) if user else None
    form = None
    refusal = None
    if registration is None and event.takes_registrations:
        refusal = service.refusal(event, user)
        if refusal is None:
            form = RegisterForm(formdata=None, max_party_size=event.max_party_size)
    return {
        "registration": registration,
        "position": service.waitlist_position(registration) if registration else None,
        "refusal": refusal,
        "form": form,
        "waiting": service.waitlist_length(event) if event.takes_registrations else 0,
        "need_labels": NEED_LABELS,
        "status_labels": STATUS_LABELS,
        "max_note_length": service.MAX_NOTE_LENGTH,
    }


@bp.route("/events/<int:event_id>/register", methods=["GET", "POST"])
@limiter.limit(_registration_limit, exempt_when=not_post)
def register(event_id: int):
    event = _public_event(event_id)
    if request.method == "GET":
        return render_template("registrations/register.html", event=event, form=None)
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.path))
    existing = service.active_registration(event, current_user)
    if existing is not None:
        flash(_("You are registered for this event already."), "info")
        return redirect(url_for("registrations.show", registration_id=existing.id))
    form = RegisterForm(max_party_size=event.max_party_size)
    if not check_register_form(form, event, current_user, by_staff=False):
        return render_template("registrations/register.html", event=event, form=form), 400
    try:
        registration = register_from(form, event, current_user)
    except RegistrationError as error:
        if error.code == "duplicate":
            existing = service.active_registration(event, current_user)
            flash(error.message, "info")
            if existing is not None:
                return redirect(url_for("registrations.show", registration_id=existing.id))
        show_refusal(form, event, error)
        return render_template("registrations/register.html", event=event, form=form), 400
    if registration.status == service.CONFIRMED:
        flash(_("You are registered. A confirmation mail is on its way."), "success")
    else:
        flash(
            _(
                "The event is full: you are on the waiting list, number %(position)s.",
                position=service.waitlist_position(registration),
            ),
            "info",
        )
    return redirect(url_for("registrations.show", registration_id=registration.id))


def qr_svg(code: str) -> str:
    """The check-in code alone as a QR code: few modules, easy to scan from a phone."""
    return segno.make(code, error="m", micro=False).svg_inline(
        scale=8, border=4, title=_("Check-in code")
    )


def _personal_feed_url() -> str | None:
    """The reader's private calendar address as a webcal:// link, or None without one.

    Read by a calendar app far from this request: built on the configured base URL."""
    token = current_user.calendar_token
    if not token:
        return None
    url = external_url("calendar.personal_feed", token=token)
    return "webcal://" + url.split("://", 1)[1]


@bp.get("/registrations/<int:registration_id>")
@login_required
def show(registration_id: int):
    registration = _own_registration(registration_id)
    event = registration.event
    now = utcnow()
    return render_template(
        "registrations/show.html",
        registration=registration,
        event=registration.event,
        position=service.waitlist_position(registration),
        qr=qr_svg(registration.checkin_code) if service.admits(registration) else None,
        event_link=event_page(registration.event),
        feed_url=_personal_feed_url(),
        calendar_links=registration.is_active and not event.is_cancelled and event.ends_at > now,
        cancellable=registration.is_active and not event.is_cancelled and event.starts_at > now,
        shown_status=service.shown_status(registration),
        status_labels=service.SHOWN_STATUS_LABELS,
        need_labels=NEED_LABELS,
    )


@bp.route("/registrations/<int:registration_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(registration_id: int):
    """GET asks first (the seat goes to someone else); POST cancels."""
    registration = _own_registration(registration_id)
    form = ConfirmForm()
    if request.method == "GET":
        return render_template(
            "registrations/cancel.html",
            registration=registration,
            event=registration.event,
            form=form,
            keep_url=event_page(registration.event)
            if request.args.get("back") == "event"
            else url_for("registrations.show", registration_id=registration.id),
        )
    if not form.validate_on_submit():
        abort(400)
    try:
        service.cancel_registration(registration, current_user)
    except RegistrationError as error:
        flash(error.message, "error")
    else:
        flash(_("Your registration is cancelled."), "success")
    return redirect(url_for("registrations.mine"))


@bp.get("/my/registrations")
@login_required
def mine():
    now = utcnow()
    rows = service.of_reader(current_user)
    # Cancelled by the reader, by staff or with the event: their own list, not "upcoming".
    ahead = sorted((r for r in rows if r.event.ends_at > now), key=lambda r: r.event.starts_at)
    upcoming = [r for r in ahead if service.shown_status(r) in service.ACTIVE_STATUSES]
    cancelled = [r for r in ahead if service.shown_status(r) not in service.ACTIVE_STATUSES]
    past = [r for r in rows if r.event.ends_at <= now]
    suspended = service.is_suspended(current_user)
    return render_template(
        "registrations/mine.html",
        upcoming=upcoming,
        cancelled=cancelled,
        past=past,
        positions={r.id: service.waitlist_position(r) for r in upcoming},
        shown_status=service.shown_status,
        status_labels=service.SHOWN_STATUS_LABELS,
        suspended=suspended,
        suspension=service.suspension_message(current_user) if suspended else None,
        event_page=event_page,
    )
