"""The staff's event form: a new event of a chosen kind, and editing one, with every
refusal of the form and of the service's rules shown at once."""

from functools import partial

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice

from eventsys.auth.decorators import staff_required
from eventsys.extensions import db
from eventsys.models import Event, EventKind
from eventsys.services import catalogue, venues
from eventsys.services import events as event_service
from eventsys.services.events import WEEKDAYS, EventError
from eventsys.services.labels import KIND_LABELS
from eventsys.staff.blueprint import bp
from eventsys.staff.event_forms import SPEAKER_FIELDS, EventForm, sections_for, unused_fields
from eventsys.staff.shared import event_or_404, form_status, show_refusal

DATETIME_FIELDS = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")
TEXT_FIELDS = (
    "description",
    "title_en",
    "description_en",
    "online_url",
    "speaker_name",
    "speaker_title",
    "speaker_bio",
)


def _seats(count: int) -> str:
    return ngettext("%(num)s seat", "%(num)s seats", count)


def _event_form() -> EventForm:
    form = EventForm()
    none = [SelectChoice(value=0, label=_("— none —"))]
    form.venue_id.choices = none + [
        SelectChoice(
            value=v.id,
            label=f"{v.branch.localized_name} · {v.localized_name} ({_seats(v.capacity)})",
        )
        for v in venues.all_venues()
    ]
    form.series_id.choices = none + [
        SelectChoice(value=s.id, label=s.localized_title) for s in catalogue.all_series()
    ]
    form.campaign_id.choices = none + [
        SelectChoice(value=c.id, label=c.localized_title) for c in catalogue.all_campaigns()
    ]
    form.parent_id.choices = none + [
        SelectChoice(value=e.id, label=e.localized_title) for e in catalogue.exhibitions()
    ]
    return form


def _values(form: EventForm, event: Event | None = None) -> dict:
    """The event's fields as the service takes them. Of those the kind does not show, the
    ones that give the kind its meaning (registration, the tour's exhibition) are saved
    empty whatever was posted; a speaker stored earlier (say through the API) is kept."""
    values = {name: form[name].data for name in event_service.EDITABLE_FIELDS}
    for name in DATETIME_FIELDS:
        # A date the field refused (year 1, year 9999) is left out: it has its message.
        values[name] = None if form[name].errors else event_service.to_utc(values[name])
    for name in TEXT_FIELDS:
        values[name] = values[name] or ""
    for name in unused_fields(form.kind.data):
        if name in SPEAKER_FIELDS:
            values[name] = getattr(event, name) if event is not None else ""
        elif name in values:
            values[name] = event_service.blank_value(name)
    return values


def _exhibition_values(form: EventForm) -> dict | None:
    # Only an exhibition's form carries its details; None leaves stored ones alone.
    if form.kind.data != EventKind.EXHIBITION:
        return None
    return {
        "curator": form.curator.data or "",
        "opening_hours": {day: (form[f"hours_{day}"].data or "").strip() for day in WEEKDAYS},
    }


def _prefill(form: EventForm, event: Event) -> None:
    for name in event_service.EDITABLE_FIELDS:
        value = getattr(event, name)
        if name in DATETIME_FIELDS:
            value = event_service.to_local(value)
        form[name].data = value
    if event.exhibition is not None:
        form.curator.data = event.exhibition.curator
        for day in WEEKDAYS:
            form[f"hours_{day}"].data = (event.exhibition.opening_hours or {}).get(day, "")


def _prefill_from_link(form: EventForm) -> None:
    """A new event's kind, series or campaign given in the address (the list's buttons,
    "New session of this series")."""
    if request.args.get("kind") in {k.value for k in EventKind}:
        form.kind.data = request.args["kind"]
    for name in ("series_id", "campaign_id"):
        wanted = request.args.get(name, type=int)
        if wanted in {choice.value for choice in form[name].choices if choice.value}:
            form[name].data = wanted


def _add_rule_errors(form: EventForm, event: Event | None) -> None:
    """The service's checks on what could be read, so that one submission shows every
    error; a field that has its own error already keeps just that one."""
    values = _values(form, event)
    refusals = {}
    keeps_seats = "registration" in sections_for(form.kind.data)
    if event is not None and event.seats_taken and not keeps_seats:
        refusals["kind"] = _(
            "Readers hold seats for this event, so it must stay a kind that takes "
            "registrations. Cancel the event instead."
        )
    try:
        event_service.validate(values, confirm_capacity=form.confirm_capacity.data, event=event)
        if form.kind.data == EventKind.EXHIBITION:
            event_service.validate_opening_hours(_exhibition_values(form)["opening_hours"])
    except EventError as error:
        refusals = {**(error.errors or {"": error.message}), **refusals}
    unused = unused_fields(form.kind.data)
    for name, message in refusals.items():
        field = form._fields.get(name)
        if field is None:
            form.form_errors.append(message)
        elif not field.errors and name not in unused:
            field.errors = [message]


def _event_page(form: EventForm, save, success: str, event_id: int | None = None):
    """Save the posted event through ``save`` (create_event, or edit_event bound to the
    event) and go to its page; else show the form again with everything that was wrong.
    "Show the fields of this kind" posts the form too: it comes back for the new kind
    with what was typed, and no errors yet."""
    event = event_or_404(event_id) if event_id is not None else None
    if form.is_submitted() and "show_kind" not in request.form:
        form.validate()
        _add_rule_errors(form, event)
        if not form.errors:
            try:
                saved = save(
                    current_user,
                    _values(form, event),
                    confirm_capacity=form.confirm_capacity.data,
                    exhibition=_exhibition_values(form),
                )
            except EventError as error:
                db.session.rollback()
                show_refusal(form, error)
                # Load it again: the rollback expired it (404 if it is gone meanwhile).
                event = event_or_404(event_id) if event_id is not None else None
            else:
                db.session.commit()
                flash(success, "success")
                return redirect(url_for("staff.event_edit", event_id=saved.id))
    return render_template(
        "staff/events/edit.html",
        form=form,
        event=event,
        sections=sections_for(form.kind.data),
        poster_url=_poster_url(event),
        series_url=_series_url(event),
    ), form_status(form)


def _poster_url(event: Event | None) -> str | None:
    if event is None or "staff.event_poster" not in current_app.view_functions:
        return None
    return url_for("staff.event_poster", event_id=event.id)


def _series_url(event: Event | None) -> str | None:
    if event is None or event.series_id is None:
        return None
    return url_for("staff.event_create", kind=event.kind, series_id=event.series_id)


@bp.route("/events/new", methods=["GET", "POST"])
@staff_required
def event_create():
    form = _event_form()
    if request.method == "GET":
        if request.args.get("kind") not in {k.value for k in EventKind}:
            return render_template("staff/events/kind.html", kinds=KIND_LABELS)
        _prefill_from_link(form)
    return _event_page(
        form, event_service.create_event, _("Draft saved. Publish it when it is ready.")
    )


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@staff_required
def event_edit(event_id: int):
    event = event_or_404(event_id)
    form = _event_form()
    if request.method == "GET":
        _prefill(form, event)
    return _event_page(
        form, partial(event_service.edit_event, event), _("Changes saved."), event_id
    )
