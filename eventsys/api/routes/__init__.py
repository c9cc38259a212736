"""API views: parse (schemas) → the same service functions as the web pages → JSON.

One module per area; importing the package registers every view on the blueprint.
"""

from eventsys.api.routes import access, events, indicators, registrations, shifts  # noqa: F401
