"""The ``red_culture`` blueprint, apart from its package so that view modules can import it
without importing each other."""

from flask import Blueprint

bp = Blueprint("red_culture", __name__, url_prefix="/red-culture")
