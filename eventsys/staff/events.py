"""Staff pages for the event catalogue: the list, publishing, copying and cancelling an
event, and an exhibition's visitor counts. The event form is in ``event_editor``."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventsys.auth.decorators import staff_required
from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Event, EventKind
from eventsys.services import catalogue
from eventsys.services import events as event_service
from eventsys.services.events import EventError
from eventsys.staff.blueprint import bp
from eventsys.staff.event_forms import CancelForm, VisitorCountForm
from eventsys.staff.shared import event_or_404, form_status, submit

LIST_TABS = ("upcoming", "past")


@bp.get("/events")
@staff_required
def events():
    """Upcoming events first (soonest first); past ones on their own tab (newest first)."""
    filters = catalogue.parse_filters(request.args, staff=True)
    tab = request.args.get("tab") if request.args.get("tab") in LIST_TABS else "upcoming"
    past = tab == "past"
    page = catalogue.search(
        filters,
        page=request.args.get("page", 1, type=int),
        public=False,
        per_page=50,
        upcoming=not past,
        extra=(Event.ends_at <= utcnow(),) if past else (),
        newest_first=past,
    )
    body = render_template(
        "staff/events/list.html",
        page=page,
        events=page.items,
        filters=filters,
        branches=catalogue.branches(),
        tab=tab,
    )
    return body, 400 if filters.errors else 200


def _post_action(event_id: int, action, success: str):
    event = event_or_404(event_id)
    try:
        result = action(event)
    except EventError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("staff.event_edit", event_id=event_id))
    db.session.commit()
    flash(success, "success")
    return redirect(url_for("staff.event_edit", event_id=result.id))


@bp.post("/events/<int:event_id>/publish")
@staff_required
def event_publish(event_id: int):
    return _post_action(
        event_id,
        lambda e: event_service.publish(e, current_user),
        _("Published: readers can see it now."),
    )


@bp.post("/events/<int:event_id>/duplicate")
@staff_required
def event_duplicate(event_id: int):
    return _post_action(
        event_id,
        lambda e: event_service.duplicate(e, current_user),
        _("Copied as a new draft one week later. Check the date and time."),
    )


@bp.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
@staff_required
def event_cancel(event_id: int):
    event = event_or_404(event_id)
    form = CancelForm()
    saved = submit(
        form,
        lambda: event_service.cancel(event, form.reason.data, current_user),
        _("The event is cancelled; everyone registered will be told."),
        lambda cancelled: url_for("staff.event_edit", event_id=cancelled.id),
    )
    if saved is not None:
        return saved
    event = event_or_404(event_id)  # again, after a refusal's rollback
    return render_template("staff/events/cancel.html", form=form, event=event), form_status(form)


@bp.route("/events/<int:event_id>/visitors", methods=["GET", "POST"])
@staff_required
def event_visitors(event_id: int):
    event = event_or_404(event_id)
    if event.kind != EventKind.EXHIBITION:
        abort(404)
    form = VisitorCountForm()
    saved = submit(
        form,
        lambda: event_service.record_visitors(
            event, form.day.data, form.visitors.data, current_user
        ),
        _("Visitors recorded."),
        lambda _count: url_for("staff.event_visitors", event_id=event_id),
    )
    if saved is not None:
        return saved
    event = event_or_404(event_id)  # again, after a refusal's rollback
    counts = event_service.visitor_counts(event)
    first, last = event_service.local_day_range(event)
    return render_template(
        "staff/events/visitors.html",
        form=form,
        event=event,
        counts=counts,
        total=sum(c.visitors for c in counts),
        first=first,
        last=last,
    ), form_status(form)
