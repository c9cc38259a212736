"""All reader activities: the full list, the month view, and the page of kinds without
their own area."""

from eventsys.events.blueprint import bp
from eventsys.events.listing import render_detail, render_list, render_month
from eventsys.page_cache import for_visitors


@bp.get("/", endpoint="list")
@for_visitors
def list_events():
    return render_list("events/list.html")


@bp.get("/calendar", endpoint="calendar")
@for_visitors
def month():
    return render_month("events/calendar.html")


@bp.get("/<int:event_id>")
@for_visitors
def detail(event_id: int):
    return render_detail(event_id, "events.detail", "events/detail.html")
