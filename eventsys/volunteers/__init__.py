from eventsys.volunteers import routes  # noqa: F401  (registers the views)
from eventsys.volunteers.blueprint import bp

__all__ = ["bp"]
