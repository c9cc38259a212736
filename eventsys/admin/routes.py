"""Admin pages: users and roles, policies."""

from flask import render_template

from eventsys.admin import bp
from eventsys.auth.decorators import admin_required


@bp.get("/")
@admin_required
def index():
    return render_template("admin/index.html")
