"""All reader activities: the full list, and the page of kinds without their own area."""

from eventsys.events import bp
from eventsys.events.listing import render_detail, render_list


@bp.get("/", endpoint="list")
def list_events():
    return render_list("events/list.html")


@bp.get("/<int:event_id>")
def detail(event_id: int):
    return render_detail(event_id, "events.detail", "events/detail.html")
