from flask import Blueprint

bp = Blueprint("red_culture", __name__, url_prefix="/red-culture")

from eventsys.red_culture import routes  # noqa: E402,F401
