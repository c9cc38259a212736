"""Who sees an event: everybody once it is published (or cancelled), only staff while it
is a draft. The web pages and the API ask the same question here."""

from eventsys.extensions import db
from eventsys.models import Event, EventStatus, User
from eventsys.services.events import MAX_ID


def visible_event(event_id: int, user: User | None) -> Event | None:
    """The event, or None when there is none or ``user`` may not see it yet (a draft).

    ``user`` may be None or an anonymous visitor."""
    if not 1 <= event_id <= MAX_ID:  # no key is larger
        return None
    event = db.session.get(Event, event_id)
    if event is None or not may_see(event, user):
        return None
    return event


def sees_drafts(user: User | None) -> bool:
    """Staff see drafts; readers, visitors (anonymous or None) do not."""
    return user is not None and user.is_authenticated and user.is_staff


def may_see(event: Event, user: User | None) -> bool:
    return event.status != EventStatus.DRAFT or sees_drafts(user)
