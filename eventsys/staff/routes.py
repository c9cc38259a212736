"""The staff desk: the entry page to everything staff manage."""

from flask import render_template

from eventsys.auth.decorators import staff_required
from eventsys.staff import bp


@bp.get("/")
@staff_required
def index():
    return render_template("staff/index.html")
