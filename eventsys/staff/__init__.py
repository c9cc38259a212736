from eventsys.staff import event_editor, events, posters, programmes, routes  # noqa: F401  (registers the views)
from eventsys.staff.blueprint import bp

__all__ = ["bp"]
