"""The audit log in the reader's words: what was done, to what, and which values changed.

The log stores developer names (``event.publish``, ``venue_id``, ISO instants); this module
turns an entry into labels, names and links in the page's language, for the page and its
CSV file alike.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsys.admin.forms import ROLE_LABELS
from eventsys.extensions import db
from eventsys.i18n import localized
from eventsys.local_time import library_zone
from eventsys.models import (
    AuditEntry,
    Branch,
    Campaign,
    Event,
    IndicatorValue,
    OutboxMessage,
    Series,
    Shift,
    ShiftSignup,
    User,
    Venue,
    VolunteerApplication,
    VolunteerRole,
)
from eventsys.models.registrations import Registration
from eventsys.services import labels
from eventsys.services.indicators import INDICATOR_LABELS, LIBRARY_LABELS
from eventsys.services.policies import POLICIES
from eventsys.services.registrations import STATUS_LABELS as REGISTRATION_STATUS_LABELS
from eventsys.services.shifts import ATTENDANCE_LABELS
from eventsys.staff.forms import BRANCH_KIND_LABELS, VENUE_KIND_LABELS
from eventsys.templating import local_date, local_datetime

ACTION_LABELS = {
    "branch.create": _l("Added a branch"),
    "branch.update": _l("Changed a branch"),
    "campaign.save": _l("Saved a campaign"),
    "event.cancel": _l("Cancelled an event"),
    "event.capacity": _l("Changed the number of places"),
    "event.close": _l("Closed an event after it ended"),
    "event.create": _l("Created an event"),
    "event.duplicate": _l("Copied an event"),
    "event.publish": _l("Published an event"),
    "event.update": _l("Edited an event"),
    "event.poster": _l("Changed an event's poster"),
    "event.walk_ins": _l("Counted walk-in visitors"),
    "exhibition.visitors": _l("Counted exhibition visitors"),
    "indicators.value_changed": _l("Changed an indicator figure"),
    "indicators.value_entered": _l("Entered an indicator figure"),
    "indicators.year_locked": _l("Locked a year for reporting"),
    "indicators.year_unlocked": _l("Unlocked a reporting year"),
    "outbox.retry": _l("Sent a failed mail again"),
    "policies.update": _l("Changed the rules"),
    "registration.add": _l("Registered a reader at the desk"),
    "registration.cancel": _l("Cancelled a registration"),
    "registration.undo_no_show": _l("Took back a no-show"),
    "series.save": _l("Saved a series"),
    "shift.create": _l("Created a volunteer shift"),
    "shift.update": _l("Changed a volunteer shift"),
    "shift_signup.assign": _l("Put a volunteer on a shift"),
    "shift_signup.attendance": _l("Recorded a volunteer's attendance"),
    "shift_signup.remove": _l("Took a volunteer off a shift"),
    "user.role": _l("Changed a person's role"),
    "user.suspension_lift": _l("Lifted a suspension"),
    "user.update": _l("Changed a person's access"),
    "venue.create": _l("Added a venue"),
    "venue.update": _l("Changed a venue"),
    "volunteer_application.approved": _l("Approved a volunteer application"),
    "volunteer_application.rejected": _l("Turned down a volunteer application"),
}

OBJECT_LABELS = {
    "branches": _l("Branch"),
    "campaigns": _l("Campaign"),
    "events": _l("Event"),
    "indicator_values": _l("Indicator figure"),
    "indicator_year_locks": _l("Reporting lock"),
    "outbox": _l("Mail"),
    "registrations": _l("Registration"),
    "series": _l("Series"),
    "settings": _l("Policies"),
    "shift_signups": _l("Shift sign-up"),
    "shifts": _l("Volunteer shift"),
    "users": _l("Person"),
    "venues": _l("Venue"),
    "volunteer_applications": _l("Volunteer application"),
    "volunteer_roles": _l("Volunteer role"),
}

FIELD_LABELS = {
    "active": _l("Can log in"),
    "actual_end": _l("Actual end"),
    "actual_start": _l("Actual start"),
    "address": _l("Address"),
    "attempts": _l("Attempts"),
    "attendance": _l("Attendance"),
    "audience": _l("Audience"),
    "branch_id": _l("Branch"),
    "brand": _l("Brand"),
    "campaign_id": _l("Campaign"),
    "cancel_reason": _l("Reason for cancelling"),
    "capacity": _l("Places"),
    "checked_in_at": _l("Checked in"),
    "code": _l("Code"),
    "credited_minutes": _l("Minutes credited"),
    "curator": _l("Curator"),
    "day": _l("Day"),
    "delta": _l("Change"),
    "description": _l("Description"),
    "description_en": _l("Description in English"),
    "ends_at": _l("Ends"),
    "event_id": _l("Event"),
    "exhibition": _l("Exhibition"),
    "id": _l("Copy"),
    "is_sample": _l("Sample figure"),
    "kind": _l("Kind"),
    "last_error": _l("Last error"),
    "latitude": _l("Latitude"),
    "library": _l("Library"),
    "locked_at": _l("Locked"),
    "locked_by_id": _l("Locked by"),
    "longitude": _l("Longitude"),
    "max_party_size": _l("Largest group"),
    "name": _l("Name"),
    "name_en": _l("Name in English"),
    "next_attempt_at": _l("Next attempt"),
    "no_shows": _l("No-shows"),
    "note": _l("Note"),
    "notes": _l("Notes"),
    "online": _l("Online"),
    "online_url": _l("Online link"),
    "opening_hours": _l("Opening hours"),
    "over_capacity": _l("Over the room's capacity"),
    "override": _l("Rules overridden"),
    "override_reason": _l("Reason for overriding"),
    "parent_id": _l("Part of"),
    "participants": _l("Participants"),
    "party_size": _l("Group size"),
    "poster": _l("Poster"),
    "poster_alt": _l("Poster description"),
    "reason": _l("Reason"),
    "registration_closes_at": _l("Registration closes"),
    "registration_opens_at": _l("Registration opens"),
    "role": _l("Role"),
    "role_id": _l("Volunteer role"),
    "sequence": _l("Calendar revision"),
    "series_id": _l("Series"),
    "sessions": _l("Sessions"),
    "shift_id": _l("Shift"),
    "slots": _l("Volunteers needed"),
    "slug": _l("Web address name"),
    "source": _l("Source"),
    "source_id": _l("Copied from"),
    "source_url": _l("Source link"),
    "speaker_bio": _l("About the speaker"),
    "speaker_name": _l("Speaker"),
    "speaker_title": _l("Speaker's title"),
    "starts_at": _l("Starts"),
    "status": _l("Status"),
    "suspended_until": _l("Suspended until"),
    "title": _l("Title"),
    "title_en": _l("Title in English"),
    "unit": _l("Unit"),
    "user_id": _l("Person"),
    "venue_id": _l("Venue"),
    "value": _l("Value"),
    "visitors": _l("Visitors"),
    "waitlist_enabled": _l("Waiting list"),
    "walk_ins": _l("Walk-in visitors"),
    "year": _l("Year"),
}

BOOLEAN_FIELDS = {"active", "is_sample", "online", "over_capacity", "override", "waitlist_enabled"}

# Which model an id field names, per field (``id`` and ``source_id`` are events).
REFERENCES = {
    "branch_id": Branch,
    "campaign_id": Campaign,
    "event_id": Event,
    "id": Event,
    "locked_by_id": User,
    "parent_id": Event,
    "role_id": VolunteerRole,
    "series_id": Series,
    "shift_id": Shift,
    "source_id": Event,
    "user_id": User,
    "venue_id": Venue,
}

_STATUS_LABELS = {
    "events": labels.STATUS_LABELS,
    "registrations": REGISTRATION_STATUS_LABELS,
    "shifts": {"open": _l("Open"), "cancelled": _l("Cancelled")},
    "shift_signups": {
        "signed_up": _l("Signed up"),
        "withdrawn": _l("Withdrawn"),
        "removed": _l("Taken off"),
    },
    "volunteer_applications": {
        "applied": _l("Waiting for a decision"),
        "approved": _l("Approved"),
        "rejected": _l("Turned down"),
    },
    "outbox": {"pending": _l("Waiting to be sent"), "sent": _l("Sent"), "failed": _l("Failed")},
}
_KIND_LABELS = {
    "events": labels.KIND_LABELS,
    "branches": BRANCH_KIND_LABELS,
    "venues": VENUE_KIND_LABELS,
}
_VALUE_LABELS = {
    "attendance": ATTENDANCE_LABELS,
    "audience": labels.AUDIENCE_LABELS,
    "library": LIBRARY_LABELS,
    "role": ROLE_LABELS,
}


@dataclass
class Shown:
    """A value as a person reads it, with a link when it names something that exists."""

    text: str
    url: str | None = None


@dataclass
class Change:
    label: str
    before: Shown | None
    after: Shown | None


@dataclass
class EntryView:
    entry: AuditEntry
    actor: Shown
    action: str
    object_kind: str
    object: Shown
    changes: list[Change] = field(default_factory=list)


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def object_label(entity_type: str) -> str:
    return str(OBJECT_LABELS.get(entity_type, entity_type))


def field_label(entity_type: str, name: str) -> str:
    if entity_type == "settings" and name in POLICIES:
        return str(POLICIES[name].label)
    return str(FIELD_LABELS.get(name, name))


# ---------------------------------------------------------------- objects


def _user(user: User) -> Shown:
    return Shown(user.display_name, url_for("admin.user_edit", user_id=user.id))


def _event(event: Event) -> Shown:
    return Shown(event.localized_title, url_for("staff.event_edit", event_id=event.id))


def _shift(shift: Shift) -> Shown:
    role = shift.role
    name = localized(role.name, role.name_en) if role else ""
    text = (
        f"{name} · {local_datetime(shift.starts_at)}" if name else local_datetime(shift.starts_at)
    )
    return Shown(text, url_for("volunteers.staff_shift", shift_id=shift.id))


def _registration(registration: Registration) -> Shown:
    text = f"{registration.user.display_name} · {registration.event.localized_title}"
    return Shown(text, url_for("registrations.staff_list", event_id=registration.event_id))


def _signup(signup: ShiftSignup) -> Shown:
    shift = _shift(signup.shift)
    return Shown(f"{signup.user.display_name} · {shift.text}", shift.url)


def _indicator_value(row: IndicatorValue) -> Shown:
    code = INDICATOR_LABELS.get(row.code, row.code)
    library = LIBRARY_LABELS.get(row.library, row.library)
    return Shown(f"{code} · {library} · {row.year}", url_for("indicators.values", year=row.year))


_OBJECTS = {
    "branches": (
        Branch,
        lambda b: Shown(b.localized_name, url_for("staff.branch_edit", branch_id=b.id)),
    ),
    "campaigns": (
        Campaign,
        lambda c: Shown(c.localized_title, url_for("staff.campaign_edit", campaign_id=c.id)),
    ),
    "events": (Event, _event),
    "indicator_values": (IndicatorValue, _indicator_value),
    "outbox": (OutboxMessage, lambda m: Shown(m.to_address, url_for("admin.outbox"))),
    "registrations": (Registration, _registration),
    "series": (
        Series,
        lambda s: Shown(s.localized_title, url_for("staff.series_edit", series_id=s.id)),
    ),
    "shift_signups": (ShiftSignup, _signup),
    "shifts": (Shift, _shift),
    "users": (User, _user),
    "venues": (
        Venue,
        lambda v: Shown(str(v), url_for("staff.venue_edit", venue_id=v.id)),
    ),
    "volunteer_applications": (
        VolunteerApplication,
        lambda a: Shown(a.user.display_name, url_for("volunteers.staff_applications")),
    ),
    "volunteer_roles": (VolunteerRole, lambda r: Shown(localized(r.name, r.name_en))),
}


def _gone(kind: str, entity_id) -> Shown:
    return Shown(_("%(kind)s no. %(id)s (no longer exists)", kind=kind, id=entity_id))


def describe_object(entity_type: str, entity_id: int | None, entry: AuditEntry | None = None):
    """The object an entry is about, named and linked; plain text when it is gone."""
    kind = object_label(entity_type)
    if entity_type == "settings":
        return Shown(kind, url_for("admin.policies"))
    if entity_type == "indicator_year_locks":
        year = ((entry.after or entry.before or {}) if entry else {}).get("year")
        text = _("Reporting year %(year)s", year=year) if year else kind
        return Shown(text, url_for("indicators.dashboard", year=year) if year else None)
    if entity_id is None:
        return Shown(kind)
    known = _OBJECTS.get(entity_type)
    obj = db.session.get(known[0], entity_id) if known else None
    return known[1](obj) if obj is not None else _gone(kind, entity_id)


# ---------------------------------------------------------------- values


def _yes_no(value) -> str:
    if isinstance(value, str):
        value = value == "True"
    return _("Yes") if value else _("No")


def _instant_or_day(text: str) -> str | None:
    try:
        if len(text) == 10:
            return local_date(date.fromisoformat(text))
        instant = datetime.fromisoformat(text)
    except ValueError:
        return None
    return local_datetime(instant) if instant.tzinfo is not None else None


def _number(text: str) -> str:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    return format_decimal(number, format="#,##0.##")


def _mapping(entity_type: str, value: dict) -> str:
    parts = []
    for key, item in value.items():
        label = labels.WEEKDAY_LABELS.get(key) or field_label(entity_type, key)
        parts.append(
            _("%(label)s: %(value)s", label=label, value=show_value(entity_type, key, item).text)
        )
    return _("; ").join(parts)


def show_value(entity_type: str, name: str, value) -> Shown:
    """One stored value as a person reads it: a label, a name with a link, a local time."""
    if value is None or value in ("", "None"):
        return Shown("—")
    if name in BOOLEAN_FIELDS or isinstance(value, bool):
        return Shown(_yes_no(value))
    if isinstance(value, dict):
        return Shown(_mapping(entity_type, value))
    if name == "poster":  # the stored key of the image files says nothing to a person
        return Shown(_("A poster") if value else "—")
    model = REFERENCES.get(name)
    if model is not None and str(value).isdigit():
        obj = db.session.get(model, int(value))
        if obj is None:
            return _gone(object_label(model.__tablename__), value)
        return _OBJECTS[model.__tablename__][1](obj)
    table = _VALUE_LABELS.get(name)
    if name == "status":
        table = _STATUS_LABELS.get(entity_type)
    elif name == "kind":
        table = _KIND_LABELS.get(entity_type)
    elif name == "code" and entity_type == "indicator_values":
        table = INDICATOR_LABELS
    if table is not None and value in table:
        return Shown(str(table[value]))
    if isinstance(value, str):
        shown = _instant_or_day(value) if value[:4].isdigit() else None
        if shown is None and name == "value":
            shown = _number(value)
        return Shown(shown if shown is not None else value)
    if isinstance(value, int | float):
        return Shown(format_decimal(value, format="#,##0.##"))
    return Shown(str(value))


def changes(entry: AuditEntry) -> list[Change]:
    before, after = entry.before or {}, entry.after or {}
    names = [*before, *(k for k in after if k not in before)]
    return [
        Change(
            field_label(entry.entity_type, name),
            show_value(entry.entity_type, name, before[name]) if name in before else None,
            show_value(entry.entity_type, name, after[name]) if name in after else None,
        )
        for name in names
    ]


def describe(entry: AuditEntry) -> EntryView:
    return EntryView(
        entry=entry,
        actor=_user(entry.actor) if entry.actor else Shown(_("the system")),
        action=action_label(entry.action),
        object_kind=object_label(entry.entity_type),
        object=describe_object(entry.entity_type, entry.entity_id, entry),
        changes=changes(entry),
    )


# ---------------------------------------------------------------- filtering


@dataclass
class AuditFilter:
    actor_id: int | None = None
    entity_type: str = ""
    entity_id: int | None = None
    first_day: date | None = None
    last_day: date | None = None


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=library_zone())


def query(chosen: AuditFilter) -> sa.Select:
    """The entries the filter keeps, newest first; days are the library's local days."""
    statement = sa.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if chosen.actor_id is not None:
        statement = statement.where(AuditEntry.actor_id == chosen.actor_id)
    if chosen.entity_type:
        statement = statement.where(AuditEntry.entity_type == chosen.entity_type)
    if chosen.entity_id is not None:
        statement = statement.where(AuditEntry.entity_id == chosen.entity_id)
    if chosen.first_day is not None:
        statement = statement.where(AuditEntry.at >= _local_midnight(chosen.first_day))
    if chosen.last_day is not None:
        end = _local_midnight(chosen.last_day + timedelta(days=1))
        statement = statement.where(AuditEntry.at < end)
    return statement


def actors() -> list[User]:
    """The people who appear in the log, by name."""
    ids = sa.select(AuditEntry.actor_id).where(AuditEntry.actor_id.is_not(None)).distinct()
    return list(
        db.session.scalars(sa.select(User).where(User.id.in_(ids)).order_by(User.display_name))
    )


def object_types() -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry.entity_type).distinct().order_by(AuditEntry.entity_type)
        )
    )


# ---------------------------------------------------------------- the CSV file


def csv_headers() -> list[str]:
    return [_("When"), _("Who"), _("Action"), _("Kind of object"), _("Object")] + [
        _("Field"),
        _("Before"),
        _("After"),
    ]


def csv_rows(entries) -> list[list]:
    """One line per changed field; an entry that changed no field is one line."""
    rows = []
    for entry in entries:
        view = describe(entry)
        start = [
            local_datetime(entry.at),
            view.actor.text,
            view.action,
            view.object_kind,
            view.object.text,
        ]
        for change in view.changes or [Change("", None, None)]:
            before = change.before.text if change.before else ""
            after = change.after.text if change.after else ""
            rows.append([*start, change.label, before, after])
    return rows
