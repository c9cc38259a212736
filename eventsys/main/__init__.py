from eventsys.main import health, routes  # noqa: F401  (registers the views)
from eventsys.main.blueprint import bp

__all__ = ["bp"]
