"""What the staff's event, series and campaign pages share: the event or a 404, a
service's refusal shown on the form, and saving a posted form through a service."""

from flask import Response, abort, flash, redirect

from eventsys.extensions import db
from eventsys.models import Event
from eventsys.services.events import EventError


def event_or_404(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    return event


def show_refusal(form, error: EventError) -> None:
    """Put the service's messages on the fields they concern, else on the whole form."""
    placed = False
    for name, message in error.errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message]
            placed = True
    if not placed:
        form.form_errors.append(error.message)


def form_status(form) -> int:
    return 400 if form.errors or form.form_errors else 200


def submit(form, save, success: str, next_url) -> Response | None:
    """For a valid posted form, run ``save()``, commit, flash ``success`` and redirect to
    ``next_url(saved)``. None when there is nothing valid to save or the service refuses;
    the reasons are then on the form."""
    if not form.validate_on_submit():
        return None
    try:
        saved = save()
    except EventError as error:
        db.session.rollback()
        show_refusal(form, error)
        return None
    db.session.commit()
    flash(success, "success")
    return redirect(next_url(saved))
