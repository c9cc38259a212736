"""The ``calendar`` blueprint, apart from its package so that view modules can import it
without importing each other."""

from flask import Blueprint

bp = Blueprint("calendar", __name__, url_prefix="/calendar")
