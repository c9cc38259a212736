"""Which events and volunteer shifts a calendar holds: the conditions of each kind of feed
and the queries that load the rows a calendar shows."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import (
    Audience,
    Event,
    EventStatus,
    Registration,
    RegistrationStatus,
    User,
    Venue,
)
from eventsys.models.registrations import ACTIVE_STATUSES
from eventsys.services.feed_filters import ExportRequest, FeedFilter, Window

# --- events ------------------------------------------------------------------------------


def feed_window(now: datetime | None = None) -> Window:
    now = now or utcnow()
    config = current_app.config
    return Window(
        starts=now - timedelta(days=config["EVENTSYS_FEED_PAST_DAYS"]),
        ends=now + timedelta(days=config["EVENTSYS_FEED_FUTURE_DAYS"]),
    )


def filter_conditions(feed_filter: FeedFilter) -> list:
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
    return [_visible(now), *_in_window(feed_window(now)), *filter_conditions(feed_filter)]


def personal_conditions(user: User, now: datetime) -> list:
    """The reader's registrations in the feed's window (joined to their events)."""
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
        *_in_window(feed_window(now)),
    ]


def export_conditions(request: ExportRequest) -> list:
    """The staff export: published and cancelled events (drafts when asked) in the range."""
    statuses = [EventStatus.PUBLISHED.value, EventStatus.CANCELLED.value]
    if request.include_drafts:
        statuses.append(EventStatus.DRAFT.value)
    return [
        Event.status.in_(statuses),
        Event.ends_at > request.window.starts,
        Event.starts_at < request.window.ends,
        *filter_conditions(request.filter),
    ]


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


# --- volunteer shifts --------------------------------------------------------------------


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


def shift_stats(user: User, now: datetime) -> tuple[int, datetime | None]:
    """How many of the volunteer's shifts the personal feed holds, and their latest change."""
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


def user_shifts(user: User, now: datetime) -> list:
    """The volunteer's shifts in the personal feed."""
    conditions = _user_shift_conditions(user, now)
    return [] if conditions is None else _load_shifts(conditions)


def export_shifts(request: ExportRequest) -> list:
    """Every shift in the export's range (of its branch, when it has one)."""
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
