"""The ``auth`` blueprint, apart from its package so that view modules can import it
without importing each other."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")
