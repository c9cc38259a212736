from eventsys.admin import routes  # noqa: F401  (registers the views)
from eventsys.admin.blueprint import bp

__all__ = ["bp"]
