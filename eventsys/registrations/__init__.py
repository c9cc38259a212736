"""Readers' registrations and the staff's door: register, cancel, check in, close."""

from flask import Blueprint

bp = Blueprint("registrations", __name__)

from eventsys.registrations import routes  # noqa: E402,F401
