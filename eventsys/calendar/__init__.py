from eventsys.calendar import routes  # noqa: F401  (registers the views)
from eventsys.calendar.blueprint import bp

__all__ = ["bp"]
