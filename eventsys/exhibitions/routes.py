"""Exhibitions: current and coming, with opening hours, curator and guided tours."""

from eventsys.db_types import utcnow
from eventsys.events.listing import render_detail, render_list
from eventsys.exhibitions.blueprint import bp
from eventsys.models import Event, EventKind
from eventsys.page_cache import for_visitors


@bp.get("/", endpoint="list")
@for_visitors
def list_events():
    return render_list("exhibitions/list.html", extra=(Event.kind == EventKind.EXHIBITION,))


@bp.get("/<int:event_id>")
@for_visitors
def detail(event_id: int):
    return render_detail(event_id, "exhibitions.detail", "exhibitions/detail.html", now=utcnow())
