"""Calendar feeds: building them, their cache validators, personal tokens, the staff export
and the HTTP answer. The calendar area calls this module; what a feed asks for is read in
``feed_filters.py`` and which rows it holds is queried in ``feed_queries.py``.

A feed's ETag and Last-Modified come from one aggregate query over the same selection
(count and latest change) and the calendar's name, so a conditional request is answered
before any event is loaded or serialised.
"""

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import Request, Response, current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from eventsys import feed_cache
from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.library import current_library
from eventsys.models import Audience, Event, EventKind, Registration, User
from eventsys.models.registrations import ACTIVE_STATUSES
from eventsys.services import ical
from eventsys.services.feed_filters import (
    ExportRequest,
    FeedError,
    FeedFilter,
    export_request,
    find_branch,
    find_campaign,
    find_series,
    parse_audiences,
    parse_filter,
    parse_kinds,
)
from eventsys.services.feed_queries import (
    export_conditions,
    export_shifts,
    feed_window,
    load_events,
    personal_conditions,
    public_conditions,
    shift_stats,
    user_shifts,
)

__all__ = [
    "FORMAT_VERSION",
    "FeedError",
    "FeedFilter",
    "Fingerprint",
    "calendar_response",
    "events_fingerprint",
    "export_calendar",
    "export_filename",
    "export_request",
    "feed_title",
    "feed_window",
    "find_branch",
    "find_campaign",
    "find_series",
    "issue_token",
    "not_modified",
    "parse_audiences",
    "parse_filter",
    "parse_kinds",
    "personal_feed",
    "public_conditions",
    "public_feed",
    "revoke_token",
    "set_alarm",
    "user_for_token",
]

# Bump when the calendar output changes shape, so cached copies are refetched.
FORMAT_VERSION = "3"  # 3: the product id and the names from the library's settings
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass(frozen=True)
class Fingerprint:
    etag: str
    last_modified: datetime | None


def _fingerprint(parts: tuple, stamps: list[datetime | None]) -> Fingerprint:
    stamps = [s for s in stamps if s is not None]
    latest = max(stamps) if stamps else None
    # The ETag (and the feed cache's key) keeps the microseconds, so a change within the
    # second of the last build is seen; Last-Modified has whole seconds only.
    text = "|".join(str(p) for p in (FORMAT_VERSION, *parts, latest.isoformat() if latest else ""))
    last_modified = latest.replace(microsecond=0) if latest else None
    return Fingerprint(hashlib.sha256(text.encode()).hexdigest()[:32], last_modified)


def events_fingerprint(conditions: list, *extra) -> Fingerprint:
    """Validators of an event selection from one aggregate query (no rows loaded)."""
    count, latest = db.session.execute(
        sa.select(sa.func.count(Event.id), sa.func.max(Event.updated_at)).where(*conditions)
    ).one()
    return _fingerprint((*extra, count, latest), [latest])


def _refresh_minutes() -> int:
    return current_app.config["EVENTSYS_FEED_REFRESH_MINUTES"]


# --- public feeds ------------------------------------------------------------------------


def public_feed(feed_filter: FeedFilter) -> tuple[Fingerprint, Callable[[], bytes]]:
    """The validators of a public feed, and a function that builds it (called unless 304)
    or takes it from the feed cache."""
    conditions = public_conditions(feed_filter)
    with force_locale(feed_filter.locale):
        name, description = feed_title(feed_filter)
    # The name is in the fingerprint: a renamed library, series or branch is a new feed.
    fingerprint = events_fingerprint(conditions, "public", feed_filter.key(), name)

    def build() -> bytes:
        with force_locale(feed_filter.locale):
            options = ical.FeedOptions(
                name=name, description=description, refresh_minutes=_refresh_minutes()
            )
            return ical.to_bytes(ical.feed_calendar(load_events(conditions), options))

    key = ("public", FORMAT_VERSION, feed_filter.key(), fingerprint.etag)
    return fingerprint, feed_cache.cached(key, build)


def feed_title(feed_filter: FeedFilter) -> tuple[str, str]:
    """The calendar's name and description, in the feed's language."""
    library = current_library().name
    parts = [library]
    if feed_filter.branch is not None:
        parts.append(feed_filter.branch.name)
    if feed_filter.series is not None:
        parts.append(feed_filter.series.title)
    if feed_filter.campaign is not None:
        parts.append(feed_filter.campaign.title)
    for kind in feed_filter.kinds:
        parts.append(str(ical.KIND_LABELS[EventKind(kind)]))
    for audience in feed_filter.audiences:
        parts.append(str(ical.AUDIENCE_LABELS[Audience(audience)]))
    if len(parts) == 1:
        parts.append(_("All events"))
    name = " · ".join(parts)
    description = _(
        "Events of %(library)s: %(name)s. Times are China Standard Time; "
        "cancelled events stay listed for a while, marked as cancelled.",
        library=library,
        name=" · ".join(parts[1:]),
    )
    return name, description


# --- personal feeds ----------------------------------------------------------------------


def user_for_token(token: str) -> User | None:
    """The active user whose feed this token opens; None for a revoked or forged token."""
    if not _TOKEN.match(token or ""):
        return None
    user = db.session.scalar(sa.select(User).where(User.calendar_token == token))
    if user is None or not user.active or not secrets.compare_digest(user.calendar_token, token):
        return None
    return user


def issue_token(user: User) -> str:
    """A new secret for the user's personal feed; any previous one stops working."""
    user.calendar_token = secrets.token_urlsafe(32)
    return user.calendar_token


def revoke_token(user: User) -> None:
    user.calendar_token = None


def set_alarm(user: User, minutes: int | None) -> None:
    if minutes is not None and minutes not in ical.ALARM_CHOICES:
        raise FeedError(_("Choose one of the offered reminder times."))
    user.calendar_alarm_minutes = minutes


def personal_feed(user: User) -> tuple[Fingerprint, Callable[[], bytes]]:
    """Built afresh on every request that is not a 304: never kept in the shared feed cache,
    so one reader's registrations are never stored where another request could read them."""
    now = utcnow()
    conditions = personal_conditions(user, now)
    row = db.session.execute(
        sa.select(
            sa.func.count(Registration.id),
            sa.func.max(Event.updated_at),
            sa.func.max(Registration.created_at),
            sa.func.max(Registration.confirmed_at),
            sa.func.max(Registration.cancelled_at),
        ).where(*conditions)
    ).one()
    shift_count, shift_latest = shift_stats(user, now)
    with force_locale(user.locale):
        name, description = _personal_title()
    stamps = [*row[1:], shift_latest]
    fingerprint = _fingerprint(
        (
            "personal",
            user.id,
            user.calendar_token,
            user.locale,
            user.calendar_alarm_minutes,
            name,
            row[0],
            shift_count,
            *row[1:],
        ),
        stamps,
    )

    def build() -> bytes:
        with force_locale(user.locale):
            return _build_personal(user, now, conditions, (name, description))

    return fingerprint, build


def _personal_title() -> tuple[str, str]:
    library = current_library().name
    return (
        _("%(library)s · My events", library=library),
        _(
            "Your registrations at %(library)s, kept up to date. Keep this address "
            "private: anyone who has it sees your registrations.",
            library=library,
        ),
    )


def _build_personal(user: User, now: datetime, conditions: list, title: tuple[str, str]) -> bytes:
    registrations = db.session.scalars(
        sa.select(Registration).where(*conditions).order_by(Event.starts_at, Registration.id)
    ).all()
    status_by_event: dict[int, str] = {}
    for registration in registrations:
        # An active registration wins over an old cancelled one for the same event.
        if status_by_event.get(registration.event_id) not in ACTIVE_STATUSES:
            status_by_event[registration.event_id] = registration.status
    events = load_events([Event.id.in_(status_by_event)]) if status_by_event else []
    name, description = title
    options = ical.FeedOptions(
        name=name,
        description=description,
        refresh_minutes=_refresh_minutes(),
        reader_status=status_by_event,
        alarm_minutes=user.calendar_alarm_minutes,
    )
    return ical.to_bytes(ical.feed_calendar(events, options, user_shifts(user, now)))


# --- staff export ------------------------------------------------------------------------


def export_calendar(request: ExportRequest) -> bytes:
    events = load_events(export_conditions(request))
    shifts = export_shifts(request) if request.include_shifts else []
    name, description = feed_title(request.filter)
    options = ical.FeedOptions(
        name=f"{name} · {request.first_day.isoformat()} – {request.last_day.isoformat()}",
        description=description,
    )
    return ical.to_bytes(ical.feed_calendar(events, options, shifts))


def export_filename(request: ExportRequest) -> str:
    return f"eventsys-{request.first_day.isoformat()}_{request.last_day.isoformat()}.ics"


# --- HTTP --------------------------------------------------------------------------------


def not_modified(request: Request, fingerprint: Fingerprint) -> bool:
    """Whether the client's copy is current (If-None-Match wins over If-Modified-Since)."""
    if request.if_none_match:
        return request.if_none_match.contains_weak(fingerprint.etag)
    since = request.if_modified_since
    if since is not None and fingerprint.last_modified is not None:
        return fingerprint.last_modified <= since
    return False


def calendar_response(
    request: Request,
    build: Callable[[], bytes],
    *,
    filename: str,
    fingerprint: Fingerprint | None = None,
    attachment: bool = False,
    max_age: int = 0,
    private: bool = False,
) -> Response:
    """A text/calendar answer; 304 without calling ``build`` when the client is current."""
    if fingerprint is not None and not_modified(request, fingerprint):
        response = Response(status=304)
    else:
        response = Response(build(), mimetype="text/calendar")
        disposition = "attachment" if attachment else "inline"
        response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    if fingerprint is not None:
        response.set_etag(fingerprint.etag)
        if fingerprint.last_modified is not None:
            response.last_modified = fingerprint.last_modified
    if max_age:
        response.cache_control.max_age = max_age
        if private:
            response.cache_control.private = True
        else:
            response.cache_control.public = True
    else:
        response.cache_control.no_store = True
        response.cache_control.private = True
    return response
