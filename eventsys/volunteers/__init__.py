from flask import Blueprint

bp = Blueprint("volunteers", __name__, url_prefix="/volunteers")

from eventsys.volunteers import routes  # noqa: E402,F401
