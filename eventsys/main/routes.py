"""Home page, language switch and health check."""

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from eventsys.extensions import db
from eventsys.main import bp
from eventsys.services.urls import safe_next_url


@bp.get("/")
def home():
    return render_template("main/home.html")


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
    return redirect(safe_next_url(request.form.get("next")) or url_for("main.home"))
