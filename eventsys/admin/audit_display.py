"""The audit log in the reader's words: what was done, to what, and which values changed.

The log stores developer names (``event.publish``, ``venue_id``, ISO instants); this module
turns an entry into labels, names and links in the page's language (the words come from
``audit_labels``), for the page and its CSV file alike, and finds the entries a filter keeps.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask import url_for
from flask_babel import format_decimal
from flask_babel import gettext as _

from eventsys.admin.audit_labels import action_label, field_label, object_label, value_labels
from eventsys.extensions import db
from eventsys.i18n import localized
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
from eventsys.templating import local_date, local_datetime

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
    table = value_labels(entity_type, name)
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
