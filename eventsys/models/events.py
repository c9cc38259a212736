"""The event catalogue: one model for every reader-facing kind, plus what is kind-specific."""

import enum
import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.db_types import UTCDateTime, utcnow
from eventsys.extensions import db
from eventsys.i18n import localized
from eventsys.models.users import User
from eventsys.models.venues import Venue


class EventKind(enum.StrEnum):
    LECTURE = "lecture"
    EXHIBITION = "exhibition"
    GUIDED_TOUR = "guided_tour"
    READING = "reading"
    FILM = "film"
    CONTEST = "contest"
    STUDY_SESSION = "study_session"
    WORKSHOP = "workshop"
    OTHER = "other"


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class Audience(enum.StrEnum):
    ALL = "all"
    CHILDREN = "children"
    TEENS = "teens"
    ADULTS = "adults"
    SENIORS = "seniors"
    FAMILIES = "families"
    ACCESSIBILITY = "accessibility"


def _sql_in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


def new_uid() -> str:
    return f"{uuid.uuid4()}@eventsys"


class EnglishText:
    """Title and description shown in English when English ones are stored (Chinese otherwise)."""

    @property
    def localized_title(self) -> str:
        return localized(self.title, self.title_en)

    @property
    def localized_description(self) -> str:
        return localized(self.description, self.description_en)


class Series(EnglishText, db.Model):
    """A programme series, e.g. "江南文化大讲堂 · 2021 春季"."""

    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str] = mapped_column(sa.String(200), default="")
    # The brand it belongs to: "jiangnan" (Jiangnan Culture Lecture Hall), "jiangnan_window", ...
    brand: Mapped[str] = mapped_column(sa.String(40), default="", index=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="")

    def __str__(self) -> str:
        return self.title


class Campaign(EnglishText, db.Model):
    """A campaign spanning formats, e.g. the Party's centenary activities of 2021."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str] = mapped_column(sa.String(200), default="")
    year: Mapped[int]
    description: Mapped[str] = mapped_column(sa.Text, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="")

    def __str__(self) -> str:
        return self.title


class Event(EnglishText, db.Model):
    __tablename__ = "events"
    __table_args__ = (
        sa.CheckConstraint(_sql_in("kind", EventKind), name="kind_known"),
        sa.CheckConstraint(_sql_in("status", EventStatus), name="status_known"),
        sa.CheckConstraint(_sql_in("audience", Audience), name="audience_known"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        sa.CheckConstraint("max_party_size >= 1", name="party_size_positive"),
        # The last guard against overbooking, whatever the application does.
        sa.CheckConstraint(
            "seats_taken >= 0 AND (capacity IS NULL OR seats_taken <= capacity)",
            name="seats_within_capacity",
        ),
        sa.CheckConstraint("walk_ins >= 0", name="walk_ins_not_negative"),
        sa.Index("ix_events_status_starts_at", "status", "starts_at"),
        # Events still running: few beside the past, found without reading the past.
        sa.Index("ix_events_status_ends_at", "status", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(sa.String(80), unique=True, default=new_uid)
    sequence: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(sa.String(20), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str] = mapped_column(sa.String(200), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="")
    # The poster's stored name under the instance folder (services/posters.py) and the
    # words a screen reader says instead of it; empty when the event has no poster.
    poster: Mapped[str] = mapped_column(sa.String(80), default="")
    poster_alt: Mapped[str] = mapped_column(sa.String(300), default="")
    series_id: Mapped[int | None] = mapped_column(sa.ForeignKey("series.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaigns.id"), index=True)
    # A guided tour points at its exhibition.
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id"), index=True)
    venue_id: Mapped[int | None] = mapped_column(sa.ForeignKey("venues.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    online: Mapped[bool] = mapped_column(default=False)
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")
    audience: Mapped[str] = mapped_column(sa.String(20), default=Audience.ALL.value, index=True)
    # No capacity: nothing to register for (walk-in exhibition, open activity).
    capacity: Mapped[int | None]
    waitlist_enabled: Mapped[bool] = mapped_column(default=True)
    max_party_size: Mapped[int] = mapped_column(default=1)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(sa.String(10), default=EventStatus.DRAFT.value)
    cancel_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    speaker_name: Mapped[str] = mapped_column(sa.String(120), default="")
    speaker_title: Mapped[str] = mapped_column(sa.String(200), default="")
    speaker_bio: Mapped[str] = mapped_column(sa.Text, default="")
    # Seats held by confirmed parties; kept by services/registrations/ only.
    seats_taken: Mapped[int] = mapped_column(default=0)
    walk_ins: Mapped[int] = mapped_column(default=0)
    # Set when staff close the event: unattended confirmed parties became no-shows.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    series: Mapped[Series | None] = relationship()
    campaign: Mapped[Campaign | None] = relationship()
    venue: Mapped[Venue | None] = relationship()
    parent: Mapped["Event | None"] = relationship(remote_side=[id])
    exhibition: Mapped["ExhibitionDetails | None"] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])

    @property
    def is_published(self) -> bool:
        return self.status == EventStatus.PUBLISHED

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @property
    def takes_registrations(self) -> bool:
        return self.capacity is not None

    @property
    def seats_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.seats_taken, 0)

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.kind} {self.status}>"


class ExhibitionDetails(db.Model):
    """What only exhibitions have; the date range is the event's start and end."""

    __tablename__ = "exhibition_details"

    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id"), primary_key=True)
    curator: Mapped[str] = mapped_column(sa.String(120), default="")
    # Weekly opening hours: {"mon": "09:00-17:00", ..., "sun": ""}; empty means closed.
    opening_hours: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    event: Mapped[Event] = relationship(back_populates="exhibition")


class VisitorCount(db.Model):
    """Walk-in visitors of an exhibition on one day, entered by staff."""

    __tablename__ = "visitor_counts"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "day"),
        sa.CheckConstraint("visitors >= 0", name="visitors_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id"), index=True)
    day: Mapped[date]
    visitors: Mapped[int]
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
