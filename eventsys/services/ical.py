"""iCalendar building (RFC 5545) with the icalendar library: plain functions, no request state.

Every calendar the system hands out goes through here: the public and personal feeds, the
staff export, the one-event download and the attachment of confirmation mails. Times are
written in the library's zone (``EVENTSYS_TIMEZONE``) with a matching VTIMEZONE;
exhibitions are all-day date ranges.
"""

import functools
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

from eventsys.local_time import library_zone
from eventsys.models import Event, EventKind, EventStatus, RegistrationStatus
from eventsys.services.labels import AUDIENCE_LABELS, KIND_LABELS
from eventsys.services.links import event_endpoint, external_url
from eventsys.text import multi_line, single_line

log = logging.getLogger(__name__)

# The product that writes the calendars (RFC 5545 3.7.3), the same for every library.
PRODID = "-//eventsys//Calendars//EN"

WEEKDAYS = (
    ("mon", _l("Mon")),
    ("tue", _l("Tue")),
    ("wed", _l("Wed")),
    ("thu", _l("Thu")),
    ("fri", _l("Fri")),
    ("sat", _l("Sat")),
    ("sun", _l("Sun")),
)
ALARM_CHOICES = (15, 30, 60, 120, 1440)
# Texts repeated in every event, translated once per calendar (see _Context.text).
CLOSED = _l("closed")
OPENING_HOURS = _l("Opening hours:")
SPEAKER = _l("Speaker: %(speaker)s")
ONLINE = _l("Online: %(url)s")
YOU_ARE_CONFIRMED = _l("Your registration: confirmed.")
YOU_ARE_WAITLISTED = _l("Your registration: on the waiting list.")
# An id that stands for any event's id in a cached URL template.
_ID_PLACEHOLDER = 2147483647
EMPTY_TIMEZONE_FROM = date(2000, 1, 1)


@dataclass
class FeedOptions:
    """What a calendar says about itself, and what a personal feed adds to each event."""

    name: str | None = None
    description: str | None = None
    refresh_minutes: int | None = None
    # Personal feeds: the reader's own registration status per event id.
    reader_status: Mapping[int, str] = field(default_factory=dict)
    alarm_minutes: int | None = None
    method: str | None = None


@dataclass
class _Context:
    zone: ZoneInfo
    options: FeedOptions
    labels: dict = field(default_factory=dict)
    first: datetime | None = None
    last: datetime | None = None

    def label(self, mapping: Mapping, key: str) -> str:
        # Resolving a lazy string costs a catalogue lookup; 5,000 events share a dozen labels.
        cache_key = (id(mapping), key)
        if cache_key not in self.labels:
            self.labels[cache_key] = str(mapping.get(key, key))
        return self.labels[cache_key]

    def text(self, message) -> str:
        """A lazy string translated once per calendar instead of once per event."""
        key = ("text", id(message))
        if key not in self.labels:
            self.labels[key] = str(message)
        return self.labels[key]

    def link(self, event: Event) -> str | None:
        """The event page's URL on the base URL, built once per endpoint (not per event)."""
        endpoint = event_endpoint(event)
        key = ("link", endpoint)
        if key not in self.labels:
            try:
                url = external_url(endpoint, event_id=_ID_PLACEHOLDER)
            except BuildError:  # the area that shows this kind of event is not installed
                self.labels[key] = None
            else:
                self.labels[key] = url.split(str(_ID_PLACEHOLDER), 1)
        template = self.labels[key]
        return f"{template[0]}{event.id}{template[1]}" if template else None

    def encoded(self, key: tuple, make):
        """A property value shared by the events that have the same one (a venue's place,
        a set of categories): built and encoded once per calendar, ~10% of a large feed."""
        key = ("encoded", *key)
        if key not in self.labels:
            self.labels[key] = make()
        return self.labels[key]

    def seen(self, start: datetime, end: datetime) -> None:
        self.first = start if self.first is None or start < self.first else self.first
        self.last = end if self.last is None or end > self.last else self.last


def event_calendar(events: Iterable[Event], name: str | None = None) -> icalendar.Calendar:
    """A calendar with one VEVENT per event (one-event download, mail attachment)."""
    return feed_calendar(events, FeedOptions(name=name))


def feed_calendar(
    events: Iterable[Event], options: FeedOptions | None = None, shifts: Iterable = ()
) -> icalendar.Calendar:
    """A calendar of events (and volunteer shifts) with the calendar-level hints of a feed."""
    options = options or FeedOptions()
    ctx = _Context(zone=library_zone(), options=options)
    cal = _new_calendar(options)
    for event in events:
        cal.add_component(_vevent(event, ctx))
    for shift in shifts:
        cal.add_component(_shift_vevent(shift, ctx))
    # Always present: it keeps an empty feed a valid calendar (RFC 5545 wants a component).
    _add_timezone(cal, ctx)
    return cal


def to_bytes(cal: icalendar.Calendar) -> bytes:
    """The serialised calendar: CRLF line endings, lines folded at 75 octets."""
    return cal.to_ical()


def _new_calendar(options: FeedOptions) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if options.method:
        cal.add("method", options.method)
    if options.name:
        name = single_line(options.name)
        cal.add("name", icalendar.vText(name))
        cal.add("x-wr-calname", icalendar.vText(name))
    if options.description:
        cal.add("description", options.description)
        cal.add("x-wr-caldesc", icalendar.vText(options.description))
    cal.add("x-wr-timezone", current_app.config["EVENTSYS_TIMEZONE"])
    if options.refresh_minutes:
        interval = timedelta(minutes=options.refresh_minutes)
        cal.add("refresh-interval", interval, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", icalendar.vDuration(interval))
    return cal


def _add_timezone(cal: icalendar.Calendar, ctx: _Context) -> None:
    """One VTIMEZONE covering the years used, so it stays short (no 1980s DST rules)."""
    # Derived from the events only, so the same events always give the same bytes.
    if ctx.first is None:
        first_year = last_year = EMPTY_TIMEZONE_FROM.year
    else:
        first_year = (ctx.first.astimezone(ctx.zone) - timedelta(days=1)).year
        last_year = (ctx.last.astimezone(ctx.zone) + timedelta(days=2)).year
    # RFC 5545 allows VTIMEZONE anywhere, but clients read it best before the events.
    cal.subcomponents.insert(0, _vtimezone(ctx.zone.key, first_year, last_year))


@functools.lru_cache(maxsize=64)
def _vtimezone(zone_key: str, first_year: int, last_year: int) -> icalendar.Timezone:
    """Building a VTIMEZONE walks the zone's transitions (~15 ms): once per zone and years.

    The component is shared between calendars, so nothing may change it after this.
    """
    vtimezone = icalendar.Timezone.from_tzinfo(
        ZoneInfo(zone_key),
        tzid=zone_key,
        first_date=date(first_year, 1, 1),
        last_date=date(last_year, 12, 31),
    )
    vtimezone.pop("COMMENT", None)
    return vtimezone


def _status(event: Event, reader_status: str | None) -> str:
    if event.status == EventStatus.CANCELLED:
        return "CANCELLED"
    if event.status == EventStatus.DRAFT or reader_status == RegistrationStatus.WAITLISTED:
        return "TENTATIVE"
    return "CONFIRMED"


def _summary(event: Event, status: str, reader_status: str | None) -> str:
    if status == "CANCELLED":
        return _("Cancelled: %(title)s", title=event.localized_title)
    if reader_status == RegistrationStatus.WAITLISTED:
        return _("Waitlisted: %(title)s", title=event.localized_title)
    if event.status == EventStatus.DRAFT:
        return _("Draft: %(title)s", title=event.localized_title)
    return event.localized_title


def _place(venue) -> str:
    """Branch, room and street address, e.g. "苏州第二图书馆 · 报告厅, 苏州市相城区…"."""
    address = venue.address or venue.branch.address
    place = f"{venue.branch.name} · {venue.name}"
    return f"{place}, {address}" if address else place


def _location(event: Event) -> str:
    if event.venue is None:
        return event.online_url if event.online else ""
    return _place(event.venue)


def opening_hours_text(hours: Mapping[str, str] | None, ctx: "_Context") -> str:
    """Weekly opening hours as one readable line per day, "closed" for empty days."""
    if not hours:
        return ""
    closed = ctx.text(CLOSED)
    return "\n".join(f"{ctx.text(label)}: {hours.get(key) or closed}" for key, label in WEEKDAYS)


def _description(event: Event, ctx: _Context, reader_status: str | None, link: str | None):
    parts = []
    if reader_status == RegistrationStatus.CONFIRMED:
        parts.append(ctx.text(YOU_ARE_CONFIRMED))
    elif reader_status == RegistrationStatus.WAITLISTED:
        parts.append(ctx.text(YOU_ARE_WAITLISTED))
    if event.status == EventStatus.CANCELLED:
        reason = event.cancel_reason
        parts.append(
            _("This event is cancelled: %(reason)s", reason=reason)
            if reason
            else _("This event is cancelled.")
        )
    if event.description:
        parts.append(event.localized_description)
    if event.speaker_name:
        speaker = event.speaker_name
        if event.speaker_title:
            speaker = f"{speaker}, {event.speaker_title}"
        parts.append(ctx.text(SPEAKER) % {"speaker": speaker})
    if event.kind == EventKind.EXHIBITION and event.exhibition is not None:
        hours = opening_hours_text(event.exhibition.opening_hours, ctx)
        if hours:
            parts.append(ctx.text(OPENING_HOURS) + "\n" + hours)
    if event.online and event.online_url:
        parts.append(ctx.text(ONLINE) % {"url": event.online_url})
    if link:
        parts.append(link)
    return "\n\n".join(parts)


def _vevent(event: Event, ctx: _Context) -> icalendar.Event:
    reader_status = ctx.options.reader_status.get(event.id)
    status = _status(event, reader_status)
    link = ctx.link(event)
    ve = icalendar.Event()
    ve.add("uid", event.uid)
    # Without METHOD, DTSTAMP is when the information was last revised (RFC 5545 3.8.7.2);
    # using the row's time keeps the output identical until the event changes.
    stamp = icalendar.vDDDTypes(event.updated_at)
    ve.add("dtstamp", stamp)
    ve.add("created", event.created_at)
    ve.add("last-modified", stamp)
    ve.add("sequence", event.sequence or 0)
    ve.add("status", ctx.encoded(("status", status), lambda: icalendar.vText(status)))
    # Stored text may predate the one-line rule: no control character reaches a line.
    ve.add("summary", single_line(_summary(event, status, reader_status)))
    if event.kind == EventKind.EXHIBITION:
        first_day, end_day = exhibition_days(event, ctx.zone)
        ve.add("dtstart", first_day)
        ve.add("dtend", end_day)
        ve.add("transp", ctx.encoded(("transp",), lambda: icalendar.vText("TRANSPARENT")))
    else:
        ve.add("dtstart", event.starts_at.astimezone(ctx.zone))
        ve.add("dtend", event.ends_at.astimezone(ctx.zone))
        ctx.seen(event.starts_at, event.ends_at)
    description = multi_line(_description(event, ctx, reader_status, link))
    if description:
        ve.add("description", description)
    venue = event.venue
    location = ctx.encoded(
        ("location", venue.id if venue else None, event.online, event.online_url),
        lambda: icalendar.vText(single_line(_location(event))),
    )
    if location:
        ve.add("location", location)
    if venue is not None and venue.latitude is not None and venue.longitude is not None:
        ve.add(
            "geo",
            ctx.encoded(
                ("geo", venue.id), lambda: icalendar.vGeo((venue.latitude, venue.longitude))
            ),
        )
    if link:
        ve.add("url", link)
    categories = [ctx.label(KIND_LABELS, event.kind)]
    if event.series is not None:
        categories.append(event.series.localized_title)
    if event.campaign is not None:
        categories.append(event.campaign.localized_title)
    categories.append(ctx.label(AUDIENCE_LABELS, event.audience))
    ve.add(
        "categories",
        ctx.encoded(
            ("categories", *categories),
            lambda: icalendar.vCategory([single_line(category) for category in categories]),
        ),
    )
    if ctx.options.alarm_minutes and status != "CANCELLED":
        ve.add_component(_alarm(ctx.options.alarm_minutes, single_line(event.localized_title)))
    return ve


def exhibition_days(event: Event, zone: ZoneInfo) -> tuple[date, date]:
    """First day and the day after the last (DTEND of an all-day range is exclusive)."""
    first = event.starts_at.astimezone(zone).date()
    # An exhibition ending at midnight ends on the previous day.
    last = (event.ends_at.astimezone(zone) - timedelta(microseconds=1)).date()
    return first, max(last, first) + timedelta(days=1)


def _alarm(minutes: int, title: str) -> icalendar.Alarm:
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", title)
    alarm.add("trigger", timedelta(minutes=-minutes))
    return alarm


def _shift_vevent(shift, ctx: _Context) -> icalendar.Event:
    """A volunteer shift (eventsys.models.volunteers.Shift)."""
    cancelled = shift.status == "cancelled"
    role = shift.role.localized_name if shift.role is not None else ""
    title = _("Volunteer shift: %(role)s", role=role)
    if shift.event is not None:
        title = f"{title} · {shift.event.localized_title}"
    title = single_line(title)
    ve = icalendar.Event()
    ve.add("uid", shift.uid)
    ve.add("dtstamp", shift.updated_at)
    ve.add("created", shift.created_at)
    ve.add("last-modified", shift.updated_at)
    ve.add("sequence", shift.sequence or 0)
    ve.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    ve.add("summary", _("Cancelled: %(title)s", title=title) if cancelled else title)
    ve.add("dtstart", shift.starts_at.astimezone(ctx.zone))
    ve.add("dtend", shift.ends_at.astimezone(ctx.zone))
    ctx.seen(shift.starts_at, shift.ends_at)
    venue = shift.venue
    if venue is not None:
        ve.add("location", single_line(_place(venue)))
        if venue.latitude is not None and venue.longitude is not None:
            ve.add("geo", (venue.latitude, venue.longitude))
    parts = [p for p in (shift.notes, getattr(shift.role, "description", "")) if p]
    if parts:
        ve.add("description", multi_line("\n\n".join(parts)))
    ve.add("categories", [_("Volunteering")])
    if ctx.options.alarm_minutes and not cancelled:
        ve.add_component(_alarm(ctx.options.alarm_minutes, title))
    return ve
