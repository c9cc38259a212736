"""Thin views: form → services.registrations → flash → redirect."""

import segno
import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from eventsys import exports
from eventsys.auth.decorators import staff_required
from eventsys.db_types import utcnow
from eventsys.exports import Table
from eventsys.extensions import db, limiter
from eventsys.models import Event, EventStatus, Registration, User
from eventsys.registrations.blueprint import bp
from eventsys.registrations.forms import (
    CapacityForm,
    CheckInForm,
    ConfirmForm,
    ReaderSearchForm,
    RegisterForm,
    StaffRegisterForm,
    UndoNoShowForm,
    WalkInForm,
)
from eventsys.services import registrations as service
from eventsys.services.events import MAX_ID
from eventsys.services.links import event_url, external_url
from eventsys.services.registrations import NEED_LABELS, STATUS_LABELS, RegistrationError


def _registration_limit() -> str:
    return current_app.config["RATELIMIT_REGISTRATION"]


def _not_post() -> bool:
    return request.method != "POST"


def event_page(event: Event) -> str:
    """The event's public page, or the registration page while that area is missing."""
    try:
        return event_url(event)
    except BuildError:
        return url_for("registrations.register", event_id=event.id)


def _public_event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None or (
        event.status == EventStatus.DRAFT
        and not (current_user.is_authenticated and current_user.is_staff)
    ):
        abort(404)
    return event


def _own_registration(registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.user_id != current_user.id:
        abort(404)
    return registration


def _event_or_404(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    return event


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


# ---------------------------------------------------------------- readers


def _show_refusal(form: RegisterForm, event: Event, error: RegistrationError) -> None:
    """A party size refused by the rules sits by its field when the field is shown."""
    if error.code == "party_size" and event.max_party_size > 1:
        if not form.party_size.errors:
            form.party_size.errors = [*form.party_size.errors, error.message]
    elif error.message not in form.form_errors:
        form.form_errors.append(error.message)


def _check_register_form(form: RegisterForm, event: Event, reader: User, by_staff: bool) -> bool:
    """Every problem at once: the fields, then why the rules refuse; True when none."""
    valid = form.validate_on_submit()
    if event.max_party_size == 1 and form.party_size.errors:
        form.form_errors.extend(form.party_size.errors)  # the field is hidden
        form.party_size.errors = []
    try:
        service.check_open(event, reader, by_staff=by_staff)
    except RegistrationError as error:
        _show_refusal(form, event, error)
        return False
    return valid and not form.form_errors


@bp.route("/events/<int:event_id>/register", methods=["GET", "POST"])
@limiter.limit(_registration_limit, exempt_when=_not_post)
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
    if not _check_register_form(form, event, current_user, by_staff=False):
        return render_template("registrations/register.html", event=event, form=form), 400
    try:
        registration = service.register(
            event,
            current_user,
            form.party_size.data,
            form.needs.data,
            form.needs_note.data or "",
        )
    except RegistrationError as error:
        if error.code == "duplicate":
            existing = service.active_registration(event, current_user)
            flash(error.message, "info")
            if existing is not None:
                return redirect(url_for("registrations.show", registration_id=existing.id))
        _show_refusal(form, event, error)
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
    rows = db.session.scalars(
        sa.select(Registration)
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.user_id == current_user.id)
        .order_by(Event.starts_at.desc(), Registration.id.desc())
    ).all()
    # Cancelled by the reader, by staff or with the event: their own list, not "upcoming".
    ahead = sorted((r for r in rows if r.event.ends_at > now), key=lambda r: r.event.starts_at)
    upcoming = [r for r in ahead if service.shown_status(r) in service.ACTIVE_STATUSES]
    cancelled = [r for r in ahead if service.shown_status(r) not in service.ACTIVE_STATUSES]
    past = [r for r in rows if r.event.ends_at <= now]
    positions = service.waitlist_positions(upcoming)
    return render_template(
        "registrations/mine.html",
        upcoming=upcoming,
        cancelled=cancelled,
        past=past,
        positions=positions,
        shown_status=service.shown_status,
        status_labels=service.SHOWN_STATUS_LABELS,
        suspended=service.is_suspended(current_user),
        suspension=service.suspension_message(current_user)
        if service.is_suspended(current_user)
        else None,
        event_page=event_page,
    )


# ---------------------------------------------------------------- staff


def _staff_rows(event: Event, q: str, status: str):
    statuses = [status] if status in STATUS_LABELS else None
    return service.find(event, q, limit=0, statuses=statuses)


@bp.get("/staff/events/<int:event_id>/registrations")
@staff_required
def staff_list(event_id: int):
    event = _event_or_404(event_id)
    q = request.args.get("q", "")
    status = request.args.get("status", "")
    rows = _staff_rows(event, q, status)
    counts = dict(
        db.session.execute(
            sa.select(
                Registration.status, sa.func.coalesce(sa.func.sum(Registration.party_size), 0)
            )
            .where(Registration.event_id == event.id)
            .group_by(Registration.status)
        ).all()
    )
    checked_in = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Registration.party_size), 0)).where(
            Registration.event_id == event.id, Registration.checked_in_at.is_not(None)
        )
    )
    positions = service.waitlist_positions(rows)
    now = utcnow()
    return render_template(
        "registrations/staff_list.html",
        suspended={r.user_id for r in rows if service.is_suspended(r.user, now)},
        event=event,
        rows=rows,
        q=q,
        status=status,
        counts=counts,
        checked_in=checked_in,
        positions=positions,
        status_labels=STATUS_LABELS,
        need_labels=NEED_LABELS,
        capacity_form=CapacityForm(formdata=None, capacity=event.capacity),
        event_link=event_page(event),
        started=event.starts_at <= utcnow(),
    )


SOURCE_LABELS = {
    service.ONLINE: _l("Online"),
    service.STAFF: _l("Staff"),
}


def _export_header() -> list[str]:
    return [
        _("Name"),
        _("Email"),
        _("Card number"),
        _("Phone"),
        _("People"),
        _("Status"),
        _("Waiting list position"),
        _("Accessibility needs"),
        _("Note"),
        _("Source"),
        _("Registered at"),
        _("Checked in at"),
    ]


def _export_rows(event: Event, q: str, status: str):
    rows = _staff_rows(event, q, status)
    service.waitlist_positions(rows)  # remembered by each row: one query, not one per row
    for r in rows:
        yield [
            r.user.display_name,
            r.user.email,
            r.user.card_number or "",
            r.user.phone or "",
            r.party_size,
            STATUS_LABELS.get(r.status, r.status),
            service.waitlist_position(r) or "",
            ", ".join(str(NEED_LABELS.get(n, n)) for n in r.needs_list),
            r.needs_note,
            SOURCE_LABELS.get(r.source, r.source),
            service.local_text(r.created_at),
            service.local_text(r.checked_in_at) if r.checked_in_at else "",
        ]


@bp.get("/staff/events/<int:event_id>/registrations.<any(csv, xlsx):fmt>")
@staff_required
def export(event_id: int, fmt: str):
    event = _event_or_404(event_id)
    q, status = request.args.get("q", ""), request.args.get("status", "")
    table = Table(_("Registrations"), _export_header(), list(_export_rows(event, q, status)))
    return exports.download([table], f"registrations-event-{event.id}", fmt, titles=False)


def _find_readers(text: str) -> list[User]:
    text = text.strip()
    if not text:
        return []
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.active.is_(True),
                sa.or_(
                    User.email == text.lower(),
                    User.card_number == text,
                    User.phone == text,
                ),
            )
            .order_by(User.id)
            .limit(20)
        )
    )


def _reader_forms(event: Event, readers: list[User], posted=None) -> dict:
    """One form per reader found, with ids of its own; ``posted`` keeps what was typed."""
    forms = {}
    for reader in readers:
        form = posted if posted is not None and posted.user_id.data == str(reader.id) else None
        if form is None:
            form = StaffRegisterForm(formdata=None, max_party_size=event.max_party_size)
        for f in (form.party_size, form.needs, form.needs_note):
            f.id = f"{f.name}-{reader.id}"
        forms[reader.id] = form
    return forms


def _staff_add_page(event: Event, search, readers: list[User], posted=None, status=200):
    return (
        render_template(
            "registrations/staff_add.html",
            event=event,
            search=search,
            readers=readers,
            searched=bool(search.reader.data),
            forms=_reader_forms(event, readers, posted),
            posted=posted,
            max_note_length=service.MAX_NOTE_LENGTH,
            active={r.id: service.active_registration(event, r) for r in readers},
        ),
        status,
    )


@bp.route("/staff/events/<int:event_id>/registrations/add", methods=["GET", "POST"])
@staff_required
def staff_add(event_id: int):
    event = _event_or_404(event_id)
    search = ReaderSearchForm(request.args)
    if request.method == "GET":
        readers = _find_readers(search.reader.data or "") if search.reader.data else []
        return _staff_add_page(event, search, readers)
    form = StaffRegisterForm(max_party_size=event.max_party_size)
    user_id = request.form.get("user_id", "")
    known_id = user_id.isdigit() and int(user_id) <= MAX_ID  # no key is larger
    reader = db.session.get(User, int(user_id)) if known_id else None
    if reader is None:
        flash(_("Choose a reader from the search results."), "error")
        return redirect(url_for("registrations.staff_add", event_id=event.id))
    search = ReaderSearchForm(formdata=None, reader=reader.email)
    if not _check_register_form(form, event, reader, by_staff=True):
        return _staff_add_page(event, search, [reader], form, 400)
    try:
        registration = service.register(
            event,
            reader,
            form.party_size.data,
            form.needs.data,
            form.needs_note.data or "",
            source=service.STAFF,
            actor=current_user,
        )
    except RegistrationError as error:
        _show_refusal(form, event, error)
        return _staff_add_page(event, search, [reader], form, 400)
    label = STATUS_LABELS[registration.status]
    flash(
        _("%(name)s is registered: %(status)s.", name=reader.display_name, status=label),
        "success",
    )
    return redirect(url_for("registrations.staff_list", event_id=event.id))


@bp.post("/staff/registrations/<int:registration_id>/cancel")
@staff_required
def staff_cancel(registration_id: int):
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        abort(404)
    event_id = registration.event_id
    try:
        service.cancel_registration(registration, current_user)
    except RegistrationError as error:
        flash(error.message, "error")
    else:
        flash(_("The registration is cancelled and the reader is told."), "success")
    return redirect(url_for("registrations.staff_list", event_id=event_id))


@bp.route("/staff/events/<int:event_id>/capacity", methods=["GET", "POST"])
@staff_required
def capacity(event_id: int):
    event = _event_or_404(event_id)
    form = CapacityForm(capacity=event.capacity)
    if form.validate_on_submit():
        try:
            service.change_capacity(event, form.capacity.data, current_user)
        except RegistrationError as error:
            form.capacity.errors = [*form.capacity.errors, error.message]
        else:
            flash(_("The capacity is changed."), "success")
            return redirect(url_for("registrations.staff_list", event_id=event_id))
    status = 400 if request.method == "POST" else 200
    return render_template("registrations/capacity.html", event=event, form=form), status


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
    _tokens_limit, key_func=_per_account, deduct_when=_code_refused, exempt_when=_not_post
)
@staff_required
def checkin(event_id: int):
    event = _event_or_404(event_id)
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
    event = _event_or_404(event_id)
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
    event = _event_or_404(event_id)
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
    event = _event_or_404(event_id)
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


@bp.post("/staff/registrations/<int:registration_id>/undo-no-show")
@staff_required
def undo_no_show(registration_id: int):
    registration = db.session.get(Registration, registration_id)
    form = UndoNoShowForm()
    if registration is None:
        abort(404)
    if not form.validate_on_submit():
        abort(400)
    event_id, name = registration.event_id, registration.user.display_name
    try:
        service.undo_no_show(registration, current_user, attended=form.outcome.data == "attended")
    except RegistrationError as error:
        flash(error.message, "error")
    else:
        flash(_("The no-show of %(name)s is undone.", name=name), "success")
    return redirect(url_for("registrations.staff_list", event_id=event_id))


@bp.get("/staff/readers/<int:user_id>")
@staff_required
def staff_reader(user_id: int):
    """A reader as the desk needs them: suspension and recent registrations."""
    reader = db.get_or_404(User, user_id)
    rows = db.session.scalars(
        sa.select(Registration)
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.user_id == reader.id)
        .order_by(Event.starts_at.desc(), Registration.id.desc())
        .limit(50)
    ).all()
    return render_template(
        "registrations/staff_reader.html",
        reader=reader,
        rows=rows,
        suspended=service.is_suspended(reader),
        shown_status=service.shown_status,
        status_labels=service.SHOWN_STATUS_LABELS,
    )


@bp.post("/staff/readers/<int:user_id>/lift-suspension")
@staff_required
def lift_suspension(user_id: int):
    reader = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        service.lift_suspension(reader, current_user)
    except RegistrationError as error:
        flash(error.message, "info")
    else:
        flash(
            _(
                "The suspension of %(name)s is lifted; they are told by mail.",
                name=reader.display_name,
            ),
            "success",
        )
    return redirect(url_for("registrations.staff_reader", user_id=reader.id))
