"""Home page, language switch and health check."""

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from eventsys.extensions import db
from eventsys.i18n import LANGUAGE_CHOSEN
from eventsys.main.blueprint import bp
from eventsys.page_cache import for_visitors
from eventsys.services import catalogue
from eventsys.services.urls import safe_next_url


@bp.get("/")
@for_visitors
def home():
    """Search and the next events first; then current exhibitions and Jiangnan lectures."""
    return render_template(
        "main/home.html", **catalogue.home_lists(), branches=catalogue.branches()
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
