from flask import Blueprint

bp = Blueprint("indicators", __name__, url_prefix="/indicators")

from eventsys.indicators import routes  # noqa: E402,F401
