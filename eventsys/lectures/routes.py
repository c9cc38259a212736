"""Lectures: the Jiangnan Culture Lecture Hall and every other talk, by series."""

from flask import abort

from eventsys.events.listing import render_detail, render_list
from eventsys.lectures.blueprint import bp
from eventsys.models import Event, EventKind
from eventsys.page_cache import for_visitors
from eventsys.services import catalogue


@bp.get("/", endpoint="list")
@for_visitors
def list_events():
    series = catalogue.all_series()[::-1]  # the latest season first
    return render_list(
        "lectures/list.html", extra=(Event.kind == EventKind.LECTURE,), series_list=series
    )


@bp.get("/<int:event_id>")
@for_visitors
def detail(event_id: int):
    return render_detail(event_id, "lectures.detail", "lectures/detail.html")


@bp.get("/series/<slug>")
@for_visitors
def series(slug: str):
    found = catalogue.series_by_slug(slug)
    if found is None:
        abort(404)
    return render_list(
        "lectures/series.html",
        extra=(Event.series_id == found.id,),
        upcoming=False,
        series=found,
    )
