from eventsys.red_culture import routes  # noqa: F401  (registers the views)
from eventsys.red_culture.blueprint import bp

__all__ = ["bp"]
