from flask import Blueprint

bp = Blueprint("exhibitions", __name__, url_prefix="/exhibitions")

from eventsys.exhibitions import routes  # noqa: E402,F401
