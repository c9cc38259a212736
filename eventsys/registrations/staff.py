"""The staff's pages about registrations: an event's list and its export, adding a reader,
cancelling, the capacity, correcting a no-show, and a reader's record at the desk."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from eventsys import exports
from eventsys.auth.decorators import staff_required
from eventsys.db_types import utcnow
from eventsys.exports import Table
from eventsys.extensions import db
from eventsys.models import Event, Registration, User
from eventsys.registrations.blueprint import bp
from eventsys.registrations.forms import (
    CapacityForm,
    ConfirmForm,
    ReaderSearchForm,
    StaffRegisterForm,
    UndoNoShowForm,
)
from eventsys.registrations.shared import (
    check_register_form,
    event_or_404,
    event_page,
    register_from,
    show_refusal,
)
from eventsys.services import registrations as service
from eventsys.services.events import MAX_ID
from eventsys.services.registrations import NEED_LABELS, STATUS_LABELS, RegistrationError

SOURCE_LABELS = {
    service.ONLINE: _l("Online"),
    service.STAFF: _l("Staff"),
}


def _staff_rows(event: Event, q: str, status: str):
    statuses = [status] if status in STATUS_LABELS else None
    return service.find(event, q, limit=0, statuses=statuses)


@bp.get("/staff/events/<int:event_id>/registrations")
@staff_required
def staff_list(event_id: int):
    event = event_or_404(event_id)
    q = request.args.get("q", "")
    status = request.args.get("status", "")
    rows = _staff_rows(event, q, status)
    headcount = service.headcount(event)
    positions = service.waitlist_positions(rows)
    now = utcnow()
    return render_template(
        "registrations/staff_list.html",
        suspended={r.user_id for r in rows if service.is_suspended(r.user, now)},
        event=event,
        rows=rows,
        q=q,
        status=status,
        counts=headcount.by_status,
        checked_in=headcount.checked_in,
        positions=positions,
        status_labels=STATUS_LABELS,
        need_labels=NEED_LABELS,
        capacity_form=CapacityForm(formdata=None, capacity=event.capacity),
        event_link=event_page(event),
        started=event.starts_at <= now,
    )


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
    event = event_or_404(event_id)
    q, status = request.args.get("q", ""), request.args.get("status", "")
    table = Table(_("Registrations"), _export_header(), list(_export_rows(event, q, status)))
    return exports.download([table], f"registrations-event-{event.id}", fmt, titles=False)


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
    event = event_or_404(event_id)
    search = ReaderSearchForm(request.args)
    if request.method == "GET":
        readers = service.find_readers(search.reader.data or "")
        return _staff_add_page(event, search, readers)
    form = StaffRegisterForm(max_party_size=event.max_party_size)
    user_id = request.form.get("user_id", "")
    known_id = user_id.isdigit() and int(user_id) <= MAX_ID  # no key is larger
    reader = db.session.get(User, int(user_id)) if known_id else None
    if reader is None:
        flash(_("Choose a reader from the search results."), "error")
        return redirect(url_for("registrations.staff_add", event_id=event.id))
    search = ReaderSearchForm(formdata=None, reader=reader.email)
    if not check_register_form(form, event, reader, by_staff=True):
        return _staff_add_page(event, search, [reader], form, 400)
    try:
        registration = register_from(form, event, reader, source=service.STAFF, actor=current_user)
    except RegistrationError as error:
        show_refusal(form, event, error)
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
    event = event_or_404(event_id)
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
    return render_template(
        "registrations/staff_reader.html",
        reader=reader,
        rows=service.of_reader(reader, limit=50),
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
