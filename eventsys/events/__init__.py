from flask import Blueprint

bp = Blueprint("events", __name__, url_prefix="/events")

from eventsys.events import labels, routes  # noqa: E402,F401
