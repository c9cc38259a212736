"""What the public list and detail pages of every kind share."""

import sqlalchemy as sa
from flask import abort, redirect, render_template, request
from flask_login import current_user
from sqlalchemy.orm import joinedload

from eventsys.extensions import db
from eventsys.models import Event, EventStatus, Venue
from eventsys.services import catalogue
from eventsys.services.links import event_endpoint, event_url


def render_list(template: str, *, extra=(), upcoming: bool = True, **context):
    """A filtered, searched, paginated list; bad filters are explained with a 400."""
    filters = catalogue.parse_filters(request.args)
    page = catalogue.search(
        filters, page=request.args.get("page", 1, type=int), extra=extra, upcoming=upcoming
    )
    body = render_template(
        template,
        page=page,
        events=page.items,
        filters=filters,
        branches=catalogue.branches(),
        upcoming_only=upcoming and not filters.has_dates,
        **context,
    )
    return body, 400 if filters.errors else 200


def load_event(event_id: int) -> Event | None:
    return db.session.scalar(
        sa.select(Event)
        .where(Event.id == event_id)
        .options(
            joinedload(Event.venue).joinedload(Venue.branch),
            joinedload(Event.series),
            joinedload(Event.campaign),
            joinedload(Event.exhibition),
            joinedload(Event.parent),
        )
    )


def render_detail(event_id: int, endpoint: str, template: str, **context):
    """A public event page; drafts exist only for staff, and each event has one address."""
    event = load_event(event_id)
    if event is None:
        abort(404)
    is_staff = current_user.is_authenticated and current_user.is_staff
    if event.status == EventStatus.DRAFT and not is_staff:
        abort(404)
    if event_endpoint(event) != endpoint:
        return redirect(event_url(event), 301)
    tours = []
    if event.kind == "exhibition":
        statuses = (
            list(catalogue.PUBLIC_STATUSES) if not is_staff else [s.value for s in EventStatus]
        )
        tours = list(
            db.session.scalars(
                catalogue.with_relations(sa.select(Event))
                .where(Event.parent_id == event.id, Event.status.in_(statuses))
                .order_by(Event.starts_at)
            ).unique()
        )
    return render_template(template, event=event, tours=tours, **context)
