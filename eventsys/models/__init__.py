"""All models, imported here so Alembic and the app see the whole schema."""

from eventsys.models.audit import AuditEntry
from eventsys.models.events import (
    Audience,
    Campaign,
    Event,
    EventKind,
    EventStatus,
    ExhibitionDetails,
    Series,
    VisitorCount,
)
from eventsys.models.outbox import OutboxMessage, OutboxStatus
from eventsys.models.registrations import Registration, RegistrationStatus
from eventsys.models.settings import Setting
from eventsys.models.users import Role, User
from eventsys.models.venues import Branch, BranchKind, Venue, VenueKind

__all__ = [
    "Audience",
    "AuditEntry",
    "Branch",
    "BranchKind",
    "Campaign",
    "Event",
    "EventKind",
    "EventStatus",
    "ExhibitionDetails",
    "OutboxMessage",
    "OutboxStatus",
    "Registration",
    "RegistrationStatus",
    "Role",
    "Series",
    "Setting",
    "User",
    "Venue",
    "VenueKind",
    "VisitorCount",
]
