"""Readers' registrations and the staff's door: register, cancel, check in, close."""

from eventsys.registrations import routes  # noqa: F401  (registers the views)
from eventsys.registrations.blueprint import bp

__all__ = ["bp"]
