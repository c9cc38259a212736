"""All models, imported here so Alembic and the app see the whole schema."""

from eventsys.models.api_tokens import ApiToken
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
from eventsys.models.indicators import IndicatorCode, IndicatorValue, Library, YearLock
from eventsys.models.outbox import OutboxMessage, OutboxStatus
from eventsys.models.registrations import Registration, RegistrationStatus
from eventsys.models.settings import Setting
from eventsys.models.users import Role, User
from eventsys.models.venues import Branch, BranchKind, Venue, VenueKind
from eventsys.models.volunteers import (
    ApplicationStatus,
    Attendance,
    Shift,
    ShiftSignup,
    ShiftStatus,
    SignupStatus,
    VolunteerApplication,
    VolunteerRole,
)

__all__ = [
    "ApiToken",
    "Audience",
    "AuditEntry",
    "Branch",
    "BranchKind",
    "Campaign",
    "Event",
    "EventKind",
    "EventStatus",
    "ExhibitionDetails",
    "IndicatorCode",
    "IndicatorValue",
    "Library",
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
    "YearLock",
    "ApplicationStatus",
    "Attendance",
    "Shift",
    "ShiftSignup",
    "ShiftStatus",
    "SignupStatus",
    "VolunteerApplication",
    "VolunteerRole",
]
