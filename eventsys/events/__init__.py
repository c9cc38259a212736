from eventsys.events import labels, page, routes, sharing  # noqa: F401  (registers the views)
from eventsys.events.blueprint import bp

__all__ = ["bp"]
