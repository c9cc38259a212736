from eventsys.auth import routes  # noqa: F401  (registers the views)
from eventsys.auth.blueprint import bp

__all__ = ["bp"]
