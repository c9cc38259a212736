"""Volunteers: their own pages (``volunteer``), the staff's applications, shifts and
attendance (``staff``), the roster and the hours report (``reports``); ``shared`` holds
what they have in common."""

from eventsys.volunteers import reports, staff, volunteer  # noqa: F401  (registers the views)
from eventsys.volunteers.blueprint import bp

__all__ = ["bp"]
