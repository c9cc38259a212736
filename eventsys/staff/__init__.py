from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

from eventsys.staff import events, routes  # noqa: E402,F401
