from eventsys.staff import events, posters, routes  # noqa: F401  (registers the views)
from eventsys.staff.blueprint import bp

__all__ = ["bp"]
