from flask import Blueprint

bp = Blueprint("main", __name__)

from eventsys.main import health, routes  # noqa: E402,F401
