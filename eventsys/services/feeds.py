"""Calendar feeds: which events a feed holds, its cache validators, and personal tokens.

A feed's ETag and Last-Modified come from one aggregate query over the same selection
(count and latest change), so a conditional request is answered before any event is
loaded or serialised.
"""

import hashlib
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask import Request, Response, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from eventsys import feed_cache
from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.local_time import library_zone
from eventsys.models import (
    Audience,
    Branch,
    Campaign,
    Event,
    EventKind,
    EventStatus,
    Registration,
    RegistrationStatus,
    Series,
    User,
    Venue,
)
from eventsys.models.registrations import ACTIVE_STATUSES
from eventsys.services import ical

# Bump when the calendar output changes shape, so cached copies are refetched.
FORMAT_VERSION = "2"  # 2: titles and descriptions in the feed's language
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class FeedError(Exception):
    """A refused feed request, with a message for the user and the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class FeedFilter:
    kinds: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    series: Series | None = None
    campaign: Campaign | None = None
    branch: Branch | None = None
    locale: str = ""

    def key(self) -> str:
        parts = (
            ",".join(self.kinds),
            ",".join(self.audiences),
            self.series.slug if self.series else "",
            self.campaign.slug if self.campaign else "",
            self.branch.code if self.branch else "",
            self.locale,
        )
        return "|".join(parts)


@dataclass(frozen=True)
class Window:
    starts: datetime
    ends: datetime


@dataclass(frozen=True)
class Fingerprint:
    etag: str
    last_modified: datetime | None


@dataclass
class ExportRequest:
    filter: FeedFilter
    first_day: date
    last_day: date
    include_drafts: bool = False
    include_shifts: bool = False
    window: Window = field(init=False)


# --- parsing -------------------------------------------------------------------------------


def _values(args: Mapping, name: str) -> list[str]:
    raw = args.getlist(name) if hasattr(args, "getlist") else [args.get(name) or ""]
    return [v.strip() for value in raw for v in (value or "").split(",") if v.strip()]


def _single(args: Mapping, name: str) -> str | None:
    values = _values(args, name)
    if len(values) > 1:
        raise FeedError(_("Give only one %(name)s.", name=name))
    return values[0] if values else None


def parse_kinds(values: list[str]) -> tuple[str, ...]:
    known = {k.value for k in EventKind}
    for value in values:
        if value not in known:
            raise FeedError(_("“%(value)s” is not a kind of event.", value=value[:40]))
    return tuple(sorted(set(values)))


def parse_audiences(values: list[str]) -> tuple[str, ...]:
    known = {a.value for a in Audience}
    for value in values:
        if value not in known:
            raise FeedError(_("“%(value)s” is not an audience.", value=value[:40]))
    return tuple(sorted(set(values)))


def find_series(slug: str) -> Series:
    if not _SLUG.match(slug):
        raise FeedError(_("“%(value)s” is not a valid series name.", value=slug[:40]))
    series = db.session.scalar(sa.select(Series).where(Series.slug == slug))
    if series is None:
        raise FeedError(_("There is no series called “%(value)s”.", value=slug), 404)
    return series


def find_campaign(slug: str) -> Campaign:
    if not _SLUG.match(slug):
        raise FeedError(_("“%(value)s” is not a valid campaign name.", value=slug[:40]))
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        raise FeedError(_("There is no campaign called “%(value)s”.", value=slug), 404)
    return campaign


def find_branch(code: str) -> Branch:
    if not _SLUG.match(code):
        raise FeedError(_("“%(value)s” is not a valid branch code.", value=code[:40]))
    branch = db.session.scalar(sa.select(Branch).where(Branch.code == code))
    if branch is None:
        raise FeedError(
            _("There is no branch or centre with the code “%(value)s”.", value=code), 404
        )
    return branch


def parse_locale(value: str | None) -> str:
    languages = current_app.config["EVENTSYS_LANGUAGES"]
    if not value:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if value not in languages:
        raise FeedError(_("“%(value)s” is not a language of this site.", value=value[:20]))
    return value


def parse_filter(args: Mapping, **fixed) -> FeedFilter:
    """The filter of a feed URL's query (``kind``, ``audience``, ``series``, ``campaign``,
    ``branch``, ``lang``); ``fixed`` values come from the path of a named feed."""
    kinds = parse_kinds(_values(args, "kind"))
    if "kind" in fixed:
        kinds = parse_kinds([fixed.pop("kind")])
    series_slug = fixed.pop("series", None) or _single(args, "series")
    campaign_slug = fixed.pop("campaign", None) or _single(args, "campaign")
    branch_code = fixed.pop("branch", None) or _single(args, "branch")
    return FeedFilter(
        kinds=kinds,
        audiences=parse_audiences(_values(args, "audience")),
        series=find_series(series_slug) if series_slug else None,
        campaign=find_campaign(campaign_slug) if campaign_slug else None,
        branch=find_branch(branch_code) if branch_code else None,
        locale=parse_locale(_single(args, "lang")),
    )


# --- selection -----------------------------------------------------------------------------


def feed_window(now: datetime | None = None) -> Window:
    now = now or utcnow()
    config = current_app.config
    return Window(
        starts=now - timedelta(days=config["EVENTSYS_FEED_PAST_DAYS"]),
        ends=now + timedelta(days=config["EVENTSYS_FEED_FUTURE_DAYS"]),
    )


def _filter_conditions(feed_filter: FeedFilter) -> list:
    conditions = []
    if feed_filter.kinds:
        conditions.append(Event.kind.in_(feed_filter.kinds))
    if feed_filter.audiences:
        # Events for everyone belong in every audience's calendar.
        conditions.append(Event.audience.in_({*feed_filter.audiences, Audience.ALL.value}))
    if feed_filter.series is not None:
        conditions.append(Event.series_id == feed_filter.series.id)
    if feed_filter.campaign is not None:
        conditions.append(Event.campaign_id == feed_filter.campaign.id)
    if feed_filter.branch is not None:
        conditions.append(
            Event.venue_id.in_(sa.select(Venue.id).where(Venue.branch_id == feed_filter.branch.id))
        )
    return conditions


def _in_window(window: Window) -> list:
    return [Event.ends_at >= window.starts, Event.starts_at <= window.ends]


def _visible(now: datetime) -> sa.ColumnElement:
    """Published events, and cancelled ones for a while so subscribers see the cancellation."""
    kept_since = now - timedelta(days=current_app.config["EVENTSYS_FEED_CANCELLED_DAYS"])
    return sa.or_(
        Event.status == EventStatus.PUBLISHED.value,
        sa.and_(Event.status == EventStatus.CANCELLED.value, Event.updated_at >= kept_since),
    )


def public_conditions(feed_filter: FeedFilter, now: datetime | None = None) -> list:
    now = now or utcnow()
    return [_visible(now), *_in_window(feed_window(now)), *_filter_conditions(feed_filter)]


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


def load_events(conditions: list) -> list[Event]:
    """The events with everything a VEVENT shows, in a fixed number of queries."""
    stmt = (
        sa.select(Event)
        .where(*conditions)
        .options(
            joinedload(Event.venue).joinedload(Venue.branch),
            joinedload(Event.series),
            joinedload(Event.campaign),
            joinedload(Event.exhibition),
        )
        .order_by(Event.starts_at, Event.id)
    )
    return list(db.session.scalars(stmt).unique())


def public_feed(feed_filter: FeedFilter) -> tuple[Fingerprint, Callable[[], bytes]]:
    """The validators of a public feed, and a function that builds it (called unless 304)
    or takes it from the feed cache."""
    conditions = public_conditions(feed_filter)
    fingerprint = events_fingerprint(conditions, "public", feed_filter.key())

    def build() -> bytes:
        with force_locale(feed_filter.locale):
            name, description = feed_title(feed_filter)
            options = ical.FeedOptions(
                name=name, description=description, refresh_minutes=_refresh_minutes()
            )
            return ical.to_bytes(ical.feed_calendar(load_events(conditions), options))

    key = ("public", FORMAT_VERSION, feed_filter.key(), fingerprint.etag)
    return fingerprint, feed_cache.cached(key, build)


def _refresh_minutes() -> int:
    return current_app.config["EVENTSYS_FEED_REFRESH_MINUTES"]


def feed_title(feed_filter: FeedFilter) -> tuple[str, str]:
    """The calendar's name and description, in the feed's language."""
    library = _("Suzhou Library")
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


# --- personal feeds ------------------------------------------------------------------------


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


def _personal_conditions(user: User, now: datetime) -> list:
    window = feed_window(now)
    return [
        Registration.user_id == user.id,
        Registration.event_id == Event.id,
        _visible(now),
        # The reader's active registrations; when the library cancels an event, the
        # registration cancelled with it stays so the reader sees the cancellation.
        sa.or_(
            Registration.status.in_(ACTIVE_STATUSES),
            sa.and_(
                Event.status == EventStatus.CANCELLED.value,
                Registration.status == RegistrationStatus.CANCELLED.value,
            ),
        ),
        *_in_window(window),
    ]


def personal_feed(user: User) -> tuple[Fingerprint, Callable[[], bytes]]:
    """Built afresh on every request that is not a 304: never kept in the shared feed cache,
    so one reader's registrations are never stored where another request could read them."""
    now = utcnow()
    conditions = _personal_conditions(user, now)
    row = db.session.execute(
        sa.select(
            sa.func.count(Registration.id),
            sa.func.max(Event.updated_at),
            sa.func.max(Registration.created_at),
            sa.func.max(Registration.confirmed_at),
            sa.func.max(Registration.cancelled_at),
        ).where(*conditions)
    ).one()
    shift_count, shift_latest = _shift_stats(user, now)
    stamps = [*row[1:], shift_latest]
    fingerprint = _fingerprint(
        (
            "personal",
            user.id,
            user.calendar_token,
            user.locale,
            user.calendar_alarm_minutes,
            row[0],
            shift_count,
            *row[1:],
        ),
        stamps,
    )

    def build() -> bytes:
        with force_locale(user.locale):
            return _build_personal(user, now, conditions)

    return fingerprint, build


def _build_personal(user: User, now: datetime, conditions: list) -> bytes:
    registrations = db.session.scalars(
        sa.select(Registration).where(*conditions).order_by(Event.starts_at, Registration.id)
    ).all()
    status_by_event: dict[int, str] = {}
    for registration in registrations:
        # An active registration wins over an old cancelled one for the same event.
        if status_by_event.get(registration.event_id) not in ACTIVE_STATUSES:
            status_by_event[registration.event_id] = registration.status
    events = load_events([Event.id.in_(status_by_event)]) if status_by_event else []
    options = ical.FeedOptions(
        name=_("Suzhou Library · My events"),
        description=_(
            "Your registrations at Suzhou Library, kept up to date. Keep this address "
            "private: anyone who has it sees your registrations."
        ),
        refresh_minutes=_refresh_minutes(),
        reader_status=status_by_event,
        alarm_minutes=user.calendar_alarm_minutes,
    )
    shifts = _user_shifts(user, now)
    return ical.to_bytes(ical.feed_calendar(events, options, shifts))


# --- volunteer shifts ----------------------------------------------------------------------


def _shift_models():
    """The volunteer models once that area is installed; (None, None) before."""
    try:
        from eventsys.models.volunteers import Shift, ShiftSignup
    except ImportError:
        return None, None
    return Shift, ShiftSignup


def _shift_visible(shift_model, now: datetime) -> sa.ColumnElement:
    kept_since = now - timedelta(days=current_app.config["EVENTSYS_FEED_CANCELLED_DAYS"])
    return sa.or_(
        shift_model.status != "cancelled",
        shift_model.updated_at >= kept_since,
    )


def _user_shift_conditions(user: User, now: datetime) -> list | None:
    shift_model, signup_model = _shift_models()
    if shift_model is None:
        return None
    window = feed_window(now)
    return [
        signup_model.user_id == user.id,
        signup_model.shift_id == shift_model.id,
        # Signed up; a shift the library cancelled stays so the volunteer sees it.
        sa.or_(
            signup_model.status == "signed_up",
            sa.and_(shift_model.status == "cancelled", signup_model.status == "removed"),
        ),
        _shift_visible(shift_model, now),
        shift_model.ends_at >= window.starts,
        shift_model.starts_at <= window.ends,
    ]


def _shift_stats(user: User, now: datetime) -> tuple[int, datetime | None]:
    conditions = _user_shift_conditions(user, now)
    if conditions is None:
        return 0, None
    shift_model, signup_model = _shift_models()
    count, latest_shift, latest_signup = db.session.execute(
        sa.select(
            sa.func.count(signup_model.id),
            sa.func.max(shift_model.updated_at),
            sa.func.max(signup_model.created_at),
        ).where(*conditions)
    ).one()
    stamps = [s for s in (latest_shift, latest_signup) if s is not None]
    return count, max(stamps) if stamps else None


def _load_shifts(conditions: list) -> list:
    shift_model, _signup = _shift_models()
    stmt = (
        sa.select(shift_model)
        .where(*conditions)
        .options(
            joinedload(shift_model.venue).joinedload(Venue.branch),
            joinedload(shift_model.role),
            joinedload(shift_model.event),
        )
        .order_by(shift_model.starts_at, shift_model.id)
    )
    return list(db.session.scalars(stmt).unique())


def _user_shifts(user: User, now: datetime) -> list:
    conditions = _user_shift_conditions(user, now)
    return [] if conditions is None else _load_shifts(conditions)


# --- staff export --------------------------------------------------------------------------


def export_request(
    feed_filter: FeedFilter,
    first_day: date,
    last_day: date,
    include_drafts: bool = False,
    include_shifts: bool = False,
) -> ExportRequest:
    """A checked export range: not inverted, not longer than the configured maximum."""
    if last_day < first_day:
        raise FeedError(_("The end date is before the start date."))
    max_days = current_app.config["EVENTSYS_EXPORT_MAX_DAYS"]
    if (last_day - first_day).days + 1 > max_days:
        raise FeedError(
            _(
                "An export covers at most %(days)s days. Please choose a shorter range.",
                days=max_days,
            )
        )
    request = ExportRequest(feed_filter, first_day, last_day, include_drafts, include_shifts)
    zone = library_zone()
    request.window = Window(
        starts=datetime.combine(first_day, time.min, zone).astimezone(UTC),
        ends=datetime.combine(last_day + timedelta(days=1), time.min, zone).astimezone(UTC),
    )
    return request


def export_calendar(request: ExportRequest) -> bytes:
    statuses = [EventStatus.PUBLISHED.value, EventStatus.CANCELLED.value]
    if request.include_drafts:
        statuses.append(EventStatus.DRAFT.value)
    conditions = [
        Event.status.in_(statuses),
        Event.ends_at > request.window.starts,
        Event.starts_at < request.window.ends,
        *_filter_conditions(request.filter),
    ]
    events = load_events(conditions)
    shifts = _export_shifts(request) if request.include_shifts else []
    name, description = feed_title(request.filter)
    options = ical.FeedOptions(
        name=f"{name} · {request.first_day.isoformat()} – {request.last_day.isoformat()}",
        description=description,
    )
    return ical.to_bytes(ical.feed_calendar(events, options, shifts))


def export_filename(request: ExportRequest) -> str:
    return f"eventsys-{request.first_day.isoformat()}_{request.last_day.isoformat()}.ics"


def _export_shifts(request: ExportRequest) -> list:
    shift_model, _signup = _shift_models()
    if shift_model is None:
        return []
    conditions = [
        shift_model.ends_at > request.window.starts,
        shift_model.starts_at < request.window.ends,
    ]
    if request.filter.branch is not None:
        conditions.append(
            shift_model.venue_id.in_(
                sa.select(Venue.id).where(Venue.branch_id == request.filter.branch.id)
            )
        )
    return _load_shifts(conditions)


# --- HTTP ----------------------------------------------------------------------------------


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
