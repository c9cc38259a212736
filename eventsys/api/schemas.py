"""Marshmallow schemas: what the API accepts and returns, and what the OpenAPI document says.

Instants are ISO 8601 with an offset, in and out; a time without an offset is refused,
because nobody can tell which zone it was meant in.
"""

from datetime import UTC, date, datetime

import marshmallow as ma
from marshmallow import fields, validate

from eventsys.models import Audience, EventKind, EventStatus
from eventsys.models.registrations import ACCESS_NEEDS
from eventsys.services import indicators as indicator_service
from eventsys.services import registrations as registration_service
from eventsys.services.links import event_url
from eventsys.text import MultiLine, SingleLine

MAX_ID = 2**31 - 1
Id = validate.Range(min=1, max=MAX_ID)
# Dates and instants far outside any programme would only overflow date arithmetic.
DAYS = validate.Range(min=date(1900, 1, 1), max=date(2200, 12, 31))
INSTANTS = validate.Range(
    min=datetime(1900, 1, 1, tzinfo=UTC), max=datetime(2200, 12, 31, tzinfo=UTC)
)


class Schema(ma.Schema):
    """Unknown fields are refused (marshmallow's default), so typos do not pass silently."""


def Instant(**kwargs):  # noqa: N802  (a field factory reads like a field class)
    return fields.AwareDateTime(format="iso", default_timezone=None, validate=INSTANTS, **kwargs)


def Identifier(**kwargs):  # noqa: N802
    """An id in a JSON body: a number, not a string of digits."""
    return fields.Integer(strict=True, validate=Id, **kwargs)


def QueryId(**kwargs):  # noqa: N802
    """An id in the query string, where every value is text."""
    return fields.Integer(validate=Id, **kwargs)


# ---------------------------------------------------------------- problems


class ProblemSchema(Schema):
    type = fields.String(metadata={"description": "Stable URI naming the kind of problem"})
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    code = fields.String(metadata={"description": "The service's refusal code, when any"})
    errors = fields.Dict(
        keys=fields.String(),
        metadata={"description": "Per-field messages (validation problems)"},
    )


# ---------------------------------------------------------------- tokens


class TokenRequestSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class TokenSchema(Schema):
    token = fields.String(required=True)
    expires_at = Instant(required=True)


# ---------------------------------------------------------------- venues


class BranchSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    name_en = fields.String()
    kind = fields.String()
    address = fields.String()


class VenueSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    name_en = fields.String()
    kind = fields.String()
    capacity = fields.Integer()
    address = fields.String(attribute="full_address")
    branch = fields.Nested(BranchSchema)


class VenueListSchema(Schema):
    items = fields.List(fields.Nested(VenueSchema))


# ---------------------------------------------------------------- events


class SeriesRefSchema(Schema):
    id = fields.Integer()
    slug = fields.String()
    title = fields.String()


class EventSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    description = fields.String()
    title_en = fields.String()
    description_en = fields.String()
    status = fields.String()
    cancel_reason = fields.String()
    starts_at = Instant()
    ends_at = Instant()
    online = fields.Boolean()
    online_url = fields.String()
    audience = fields.String()
    venue = fields.Nested(VenueSchema, allow_none=True)
    series = fields.Nested(SeriesRefSchema, allow_none=True)
    campaign_id = fields.Integer(allow_none=True)
    parent_id = fields.Integer(allow_none=True)
    speaker_name = fields.String()
    capacity = fields.Integer(allow_none=True)
    max_party_size = fields.Integer()
    registration_opens_at = Instant(allow_none=True)
    registration_closes_at = Instant(allow_none=True)
    waitlist_enabled = fields.Boolean()
    seats_left = fields.Integer(allow_none=True)
    url = fields.String(metadata={"description": "The event's public page"})

    @ma.post_dump(pass_original=True)
    def _links(self, data, event, **kwargs):
        data["url"] = event_url(event)
        return data


class EventDetailSchema(EventSchema):
    waitlist_length = fields.Integer()

    @ma.post_dump(pass_original=True)
    def _waiting(self, data, event, **kwargs):
        data["waitlist_length"] = (
            registration_service.waitlist_length(event) if event.takes_registrations else 0
        )
        return data


class PageSchema(Schema):
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()


class EventListSchema(Schema):
    items = fields.List(fields.Nested(EventSchema))
    pagination = fields.Nested(PageSchema)


class EventQuerySchema(Schema):
    kind = fields.String(validate=validate.OneOf([k.value for k in EventKind]))
    series = QueryId()
    branch = QueryId()
    campaign = QueryId()
    audience = fields.String(validate=validate.OneOf([a.value for a in Audience]))
    status = fields.String(
        validate=validate.OneOf([s.value for s in EventStatus]),
        metadata={"description": "Staff tokens only; others always see the public programme"},
    )
    q = SingleLine(validate=validate.Length(max=100))
    from_ = fields.Date(
        data_key="from", validate=DAYS, metadata={"description": "Local date, YYYY-MM-DD"}
    )
    to = fields.Date(validate=DAYS, metadata={"description": "Local date, YYYY-MM-DD"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))

    @ma.validates_schema
    def _range(self, data, **kwargs):
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            raise ma.ValidationError("The end of the date range is before its start.", "to")


class EventWriteSchema(Schema):
    """Fields staff may set; POST needs kind, title, starts_at and ends_at."""

    kind = fields.String(validate=validate.OneOf([k.value for k in EventKind]))
    title = SingleLine(validate=validate.Length(min=1, max=200))
    description = MultiLine(validate=validate.Length(max=20_000))
    title_en = SingleLine(
        validate=validate.Length(max=200),
        metadata={"description": "English title; empty shows the Chinese one in English"},
    )
    description_en = MultiLine(validate=validate.Length(max=20_000))
    venue_id = Identifier(allow_none=True)
    series_id = Identifier(allow_none=True)
    campaign_id = Identifier(allow_none=True)
    parent_id = Identifier(allow_none=True)
    starts_at = Instant()
    ends_at = Instant()
    online = fields.Boolean()
    online_url = SingleLine(validate=validate.Length(max=500))
    audience = fields.String(validate=validate.OneOf([a.value for a in Audience]))
    capacity = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=0, max=100_000),
        metadata={"description": "Seats; null for an event without registration"},
    )
    waitlist_enabled = fields.Boolean()
    max_party_size = fields.Integer(strict=True, validate=validate.Range(min=1, max=100))
    registration_opens_at = Instant(allow_none=True)
    registration_closes_at = Instant(allow_none=True)
    speaker_name = SingleLine(validate=validate.Length(max=120))
    speaker_title = SingleLine(validate=validate.Length(max=200))
    speaker_bio = MultiLine(validate=validate.Length(max=20_000))
    status = fields.String(
        validate=validate.OneOf([s.value for s in EventStatus]),
        metadata={"description": "published publishes; cancelled cancels (give cancel_reason)"},
    )
    cancel_reason = MultiLine(validate=validate.Length(max=500))
    confirm_capacity = fields.Boolean(
        load_default=False,
        metadata={"description": "Allow a capacity above what the venue holds"},
    )


class EventCreateSchema(EventWriteSchema):
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in EventKind]))
    title = SingleLine(required=True, validate=validate.Length(min=1, max=200))
    starts_at = Instant(required=True)
    ends_at = Instant(required=True)


# ---------------------------------------------------------------- registrations


class RegistrationRequestSchema(Schema):
    party_size = fields.Integer(
        strict=True, load_default=1, validate=validate.Range(min=1, max=100)
    )
    needs = fields.List(
        fields.String(validate=validate.OneOf(ACCESS_NEEDS)),
        load_default=list,
        validate=validate.Length(max=len(ACCESS_NEEDS)),
    )
    needs_note = MultiLine(load_default="", validate=validate.Length(max=300))


class SignupRequestSchema(Schema):
    understood = fields.Boolean(
        load_default=False,
        metadata={
            "description": "True to sign up for a shift past its withdrawal cut-off, "
            "knowing that this sign-up cannot be withdrawn"
        },
    )


class EventRefSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    starts_at = Instant()
    ends_at = Instant()
    status = fields.String(metadata={"description": "draft, published or cancelled"})
    cancel_reason = fields.String(
        metadata={"description": "why the library cancelled the event; empty otherwise"}
    )


class RegistrationSchema(Schema):
    id = fields.Integer()
    event_id = fields.Integer()
    event = fields.Nested(EventRefSchema)
    status = fields.String(metadata={"description": "confirmed, waitlisted, cancelled or no_show"})
    party_size = fields.Integer()
    needs = fields.List(fields.String(), attribute="needs_list")
    needs_note = fields.String()
    waitlist_position = fields.Integer(
        allow_none=True, metadata={"description": "1 for the first party waiting"}
    )
    checkin_code = fields.String(allow_none=True)
    created_at = Instant()
    confirmed_at = Instant(allow_none=True)
    cancelled_at = Instant(allow_none=True)
    checked_in_at = Instant(allow_none=True)

    @ma.post_dump(pass_original=True)
    def _computed(self, data, registration, **kwargs):
        data["waitlist_position"] = registration_service.waitlist_position(registration)
        if not registration_service.admits(registration):
            data["checkin_code"] = None  # the code admits to the event: confirmed only
        return data


class RegistrationListSchema(Schema):
    items = fields.List(fields.Nested(RegistrationSchema))


class ReaderSchema(Schema):
    id = fields.Integer()
    display_name = fields.String()
    email = fields.String()
    card_number = fields.String(allow_none=True)


class EventRegistrationSchema(RegistrationSchema):
    reader = fields.Nested(ReaderSchema, attribute="user")


class EventRegistrationListSchema(Schema):
    items = fields.List(fields.Nested(EventRegistrationSchema))


# ---------------------------------------------------------------- shifts


class RoleSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    name_en = fields.String()


class ShiftSchema(Schema):
    id = fields.Integer()
    role = fields.Nested(RoleSchema)
    venue = fields.Nested(VenueSchema)
    event_id = fields.Integer(allow_none=True)
    starts_at = Instant()
    ends_at = Instant()
    slots = fields.Integer()
    slots_free = fields.Integer()
    status = fields.String()
    notes = fields.String()


class ShiftListSchema(Schema):
    items = fields.List(fields.Nested(ShiftSchema))


class ShiftQuerySchema(Schema):
    from_ = Instant(data_key="from", metadata={"description": "Default: now"})
    to = Instant(metadata={"description": "Default: 90 days after from"})
    branch = QueryId()
    role = QueryId()


class ShiftCreateSchema(Schema):
    role_id = Identifier(required=True)
    venue_id = Identifier(required=True)
    event_id = Identifier(allow_none=True, load_default=None)
    starts_at = Instant(required=True)
    ends_at = Instant(required=True)
    slots = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=500))
    notes = MultiLine(load_default="", validate=validate.Length(max=5000))


class SignupSchema(Schema):
    id = fields.Integer()
    shift_id = fields.Integer()
    status = fields.String()
    created_at = Instant()
    shift = fields.Nested(ShiftSchema)


# ---------------------------------------------------------------- indicators


BY_CHOICES = ("total", "quarter", "month", *indicator_service.SPLITS)


class IndicatorQuerySchema(Schema):
    year = fields.Integer(
        required=True,
        validate=validate.Range(min=indicator_service.MIN_YEAR, max=indicator_service.MAX_YEAR),
    )
    by = fields.String(load_default="total", validate=validate.OneOf(BY_CHOICES))


class IndicatorCellSchema(Schema):
    key = fields.String(allow_none=True)
    label = fields.String()
    sessions = fields.Integer()
    participants = fields.Integer()


class IndicatorSchema(Schema):
    indicator = fields.String()
    year = fields.Integer()
    by = fields.String()
    sessions = fields.Integer()
    participants = fields.Integer()
    rows = fields.List(fields.Nested(IndicatorCellSchema))
