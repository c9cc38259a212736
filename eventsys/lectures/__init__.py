from flask import Blueprint

bp = Blueprint("lectures", __name__, url_prefix="/lectures")

from eventsys.lectures import routes  # noqa: E402,F401
