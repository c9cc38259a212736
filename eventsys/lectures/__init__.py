from eventsys.lectures import routes  # noqa: F401  (registers the views)
from eventsys.lectures.blueprint import bp

__all__ = ["bp"]
