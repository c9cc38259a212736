from eventsys.indicators import routes  # noqa: F401  (registers the views)
from eventsys.indicators.blueprint import bp

__all__ = ["bp"]
