"""The Party centenary campaign (2021): its page and its activities of every format."""

from eventsys.events.listing import render_detail, render_list
from eventsys.models import Event
from eventsys.page_cache import for_visitors
from eventsys.red_culture.blueprint import bp
from eventsys.services import catalogue


@bp.get("/")
@for_visitors
def index():
    campaigns = catalogue.all_campaigns()
    return render_list(
        "red_culture/index.html",
        extra=(Event.campaign_id.is_not(None),),
        upcoming=False,
        campaign=campaigns[0] if campaigns else None,
        campaigns=campaigns,
    )


@bp.get("/<int:event_id>")
@for_visitors
def detail(event_id: int):
    return render_detail(event_id, "red_culture.detail", "red_culture/detail.html")
