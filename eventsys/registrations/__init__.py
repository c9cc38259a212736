"""Readers' registrations and the staff's door: register, cancel, check in, close.

The views: ``reader`` (the reader's pages), ``staff`` (an event's registrations and a
reader's record at the desk), ``door`` (check-in, walk-ins, closing); ``shared`` holds what
they have in common."""

from eventsys.registrations import door, reader, staff  # noqa: F401  (registers the views)
from eventsys.registrations.blueprint import bp

__all__ = ["bp"]
