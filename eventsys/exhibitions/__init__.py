from eventsys.exhibitions import routes  # noqa: F401  (registers the views)
from eventsys.exhibitions.blueprint import bp

__all__ = ["bp"]
