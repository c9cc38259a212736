"""The audit log's words: what each action, kind of object and field is called, and the
labels of stored values (statuses, kinds, roles), in the page's language.

The log stores developer names (``event.publish``, ``venue_id``); ``audit_display`` uses
these tables to show an entry to a person.
"""

from flask_babel import lazy_gettext as _l

from eventsys.admin.forms import ROLE_LABELS
from eventsys.services import labels
from eventsys.services.indicators import INDICATOR_LABELS, LIBRARY_LABELS
from eventsys.services.policies import POLICIES
from eventsys.services.registrations import STATUS_LABELS as REGISTRATION_STATUS_LABELS
from eventsys.services.shifts import ATTENDANCE_LABELS
from eventsys.staff.forms import BRANCH_KIND_LABELS, VENUE_KIND_LABELS

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


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def object_label(entity_type: str) -> str:
    return str(OBJECT_LABELS.get(entity_type, entity_type))


def field_label(entity_type: str, name: str) -> str:
    if entity_type == "settings" and name in POLICIES:
        return str(POLICIES[name].label)
    return str(FIELD_LABELS.get(name, name))


def value_labels(entity_type: str, name: str) -> dict | None:
    """The labels of a field's stored values; a status or kind depends on the object."""
    if name == "status":
        return _STATUS_LABELS.get(entity_type)
    if name == "kind":
        return _KIND_LABELS.get(entity_type)
    if name == "code" and entity_type == "indicator_values":
        return INDICATOR_LABELS
    return _VALUE_LABELS.get(name)
