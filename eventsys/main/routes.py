"""Home page, language switch and health check."""

from datetime import timedelta

import sqlalchemy as sa
from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.i18n import LANGUAGE_CHOSEN
from eventsys.main.blueprint import bp
from eventsys.models import Event, EventKind, Series
from eventsys.services import catalogue
from eventsys.services.urls import safe_next_url


@bp.get("/")
def home():
    """Search and the next events first; then current exhibitions and Jiangnan lectures."""
    now = utcnow()
    today_start, today_end = catalogue.today_bounds()
    jiangnan = sa.select(Series.id).where(Series.brand == "jiangnan")
    not_exhibition = Event.kind != EventKind.EXHIBITION
    today = catalogue.upcoming(Event.starts_at < today_end, not_exhibition, limit=6)
    this_week = catalogue.upcoming(
        Event.starts_at >= today_end, not_exhibition, until=today_start + timedelta(days=7), limit=6
    )
    # A quiet week still shows what comes next, so the first screen is never empty.
    later = [] if today or this_week else catalogue.upcoming(not_exhibition, limit=4)
    return render_template(
        "main/home.html",
        today=today,
        this_week=this_week,
        later=later,
        exhibitions=catalogue.upcoming(
            Event.kind == EventKind.EXHIBITION, Event.starts_at <= now, limit=6
        ),
        lectures=catalogue.upcoming(
            Event.kind == EventKind.LECTURE, Event.series_id.in_(jiangnan), limit=5
        ),
        branches=catalogue.branches(),
    )


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}


@bp.post("/language")
def set_language():
    locale = request.form.get("locale", "")
    if locale not in current_app.config["EVENTSYS_LANGUAGES"]:
        abort(400)
    session["locale"] = locale
    if current_user.is_authenticated:
        current_user.locale = locale
        db.session.commit()
    else:
        session[LANGUAGE_CHOSEN] = locale  # saved to the account at the next login
    return redirect(safe_next_url(request.form.get("next")) or url_for("main.home"))
