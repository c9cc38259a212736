"""Exhibitions: current and coming, with opening hours, curator and guided tours."""

from eventsys.db_types import utcnow
from eventsys.events.listing import render_detail, render_list
from eventsys.exhibitions.blueprint import bp
from eventsys.models import Event, EventKind


@bp.get("/", endpoint="list")
def list_events():
    return render_list("exhibitions/list.html", extra=(Event.kind == EventKind.EXHIBITION,))


@bp.get("/<int:event_id>")
def detail(event_id: int):
    return render_detail(event_id, "exhibitions.detail", "exhibitions/detail.html", now=utcnow())
