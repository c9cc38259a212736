"""The ``admin`` blueprint, apart from its package so that view modules can import it
without importing each other."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
