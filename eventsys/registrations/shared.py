"""What the reader, staff and door pages share: the event they are about, its public page,
and the checks of a registration form."""

from flask import abort, request, url_for
from werkzeug.routing import BuildError

from eventsys.extensions import db
from eventsys.models import Event, User
from eventsys.registrations.forms import RegisterForm
from eventsys.services import registrations as service
from eventsys.services.links import event_url
from eventsys.services.registrations import RegistrationError


def not_post() -> bool:
    return request.method != "POST"


def event_or_404(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    return event


def event_page(event: Event) -> str:
    """The event's public page, or the registration page while that area is missing."""
    try:
        return event_url(event)
    except BuildError:
        return url_for("registrations.register", event_id=event.id)


def show_refusal(form: RegisterForm, event: Event, error: RegistrationError) -> None:
    """A party size refused by the rules sits by its field when the field is shown."""
    if error.code == "party_size" and event.max_party_size > 1:
        if not form.party_size.errors:
            form.party_size.errors = [*form.party_size.errors, error.message]
    elif error.message not in form.form_errors:
        form.form_errors.append(error.message)


def check_register_form(form: RegisterForm, event: Event, reader: User, by_staff: bool) -> bool:
    """Every problem at once: the fields, then why the rules refuse; True when none."""
    valid = form.validate_on_submit()
    if event.max_party_size == 1 and form.party_size.errors:
        form.form_errors.extend(form.party_size.errors)  # the field is hidden
        form.party_size.errors = []
    try:
        service.check_open(event, reader, by_staff=by_staff)
    except RegistrationError as error:
        show_refusal(form, event, error)
        return False
    return valid and not form.form_errors


def register_from(form: RegisterForm, event: Event, reader: User, **options):
    """``service.register`` with the party, needs and note of a checked form."""
    return service.register(
        event,
        reader,
        form.party_size.data,
        form.needs.data,
        form.needs_note.data or "",
        **options,
    )
