"""The volunteer service: applications, roles, shifts and who serves them."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.db_types import UTCDateTime, utcnow
from eventsys.extensions import db
from eventsys.i18n import localized
from eventsys.models.events import Event, new_uid
from eventsys.models.users import User
from eventsys.models.venues import Venue


class ApplicationStatus(enum.StrEnum):
    APPLIED = "applied"
    APPROVED = "approved"
    REJECTED = "rejected"


class ShiftStatus(enum.StrEnum):
    OPEN = "open"
    CANCELLED = "cancelled"


class SignupStatus(enum.StrEnum):
    SIGNED_UP = "signed_up"
    WITHDRAWN = "withdrawn"
    REMOVED = "removed"


class Attendance(enum.StrEnum):
    ATTENDED = "attended"
    NO_SHOW = "no_show"


class VolunteerApplication(db.Model):
    __tablename__ = "volunteer_applications"
    __table_args__ = (
        sa.CheckConstraint("status IN ('applied', 'approved', 'rejected')", name="status_known"),
        # One open application per person at a time.
        sa.Index(
            "uq_volunteer_applications_one_open",
            "user_id",
            unique=True,
            sqlite_where=sa.text("status = 'applied'"),
            postgresql_where=sa.text("status = 'applied'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    skills: Mapped[str] = mapped_column(sa.Text, default="")
    languages: Mapped[str] = mapped_column(sa.String(200), default="")
    availability: Mapped[str] = mapped_column(sa.Text, default="")
    emergency_name: Mapped[str] = mapped_column(sa.String(80), default="")
    emergency_phone: Mapped[str] = mapped_column(sa.String(32), default="")
    motivation: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(10), default=ApplicationStatus.APPLIED.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(sa.String(500), default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class VolunteerRole(db.Model):
    """What a volunteer does on a shift, e.g. 阅读指导 (reading guide)."""

    __tablename__ = "volunteer_roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name_en: Mapped[str] = mapped_column(sa.String(80), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")

    @property
    def localized_name(self) -> str:
        """One name at a time: English in English when stored, else Chinese."""
        return localized(self.name, self.name_en)

    def __str__(self) -> str:
        return self.name


class Shift(db.Model):
    __tablename__ = "shifts"
    __table_args__ = (
        sa.CheckConstraint("slots > 0", name="slots_positive"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("status IN ('open', 'cancelled')", name="status_known"),
        # The last guard against overfilling, whatever the application does.
        sa.CheckConstraint("filled >= 0 AND filled <= slots", name="filled_within_slots"),
        sa.Index("ix_shifts_status_starts_at", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(sa.String(80), unique=True, default=new_uid)
    sequence: Mapped[int] = mapped_column(default=0)
    role_id: Mapped[int] = mapped_column(sa.ForeignKey("volunteer_roles.id"), index=True)
    venue_id: Mapped[int] = mapped_column(sa.ForeignKey("venues.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    slots: Mapped[int]
    # Active sign-ups; kept by services/shifts/ only.
    filled: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(10), default=ShiftStatus.OPEN.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    role: Mapped[VolunteerRole] = relationship()
    venue: Mapped[Venue] = relationship()
    event: Mapped[Event | None] = relationship()

    @property
    def slots_free(self) -> int:
        return max(self.slots - self.filled, 0)

    @property
    def is_cancelled(self) -> bool:
        return self.status == ShiftStatus.CANCELLED

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    def __repr__(self) -> str:
        return f"<Shift {self.id} {self.starts_at:%Y-%m-%d %H:%M}>"


class ShiftSignup(db.Model):
    __tablename__ = "shift_signups"
    __table_args__ = (
        sa.CheckConstraint("status IN ('signed_up', 'withdrawn', 'removed')", name="status_known"),
        sa.CheckConstraint(
            "attendance IS NULL OR attendance IN ('attended', 'no_show')",
            name="attendance_known",
        ),
        sa.CheckConstraint("credited_minutes >= 0", name="credited_not_negative"),
        sa.CheckConstraint(
            "actual_start IS NULL OR actual_end IS NULL OR actual_end > actual_start",
            name="actual_end_after_start",
        ),
        # One active sign-up per volunteer and shift, enforced by the database.
        sa.Index(
            "uq_shift_signups_one_active",
            "shift_id",
            "user_id",
            unique=True,
            sqlite_where=sa.text("status = 'signed_up'"),
            postgresql_where=sa.text("status = 'signed_up'"),
        ),
        sa.Index("ix_shift_signups_user_status", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("shifts.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(sa.String(10), default=SignupStatus.SIGNED_UP.value)
    attendance: Mapped[str | None] = mapped_column(sa.String(10))
    actual_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    actual_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    credited_minutes: Mapped[int] = mapped_column(default=0)
    # Staff assigned the volunteer despite a clash or cap; the reason is kept.
    override: Mapped[bool] = mapped_column(default=False)
    override_reason: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    shift: Mapped[Shift] = relationship()
    user: Mapped[User] = relationship()

    @property
    def is_active(self) -> bool:
        return self.status == SignupStatus.SIGNED_UP

    @property
    def served_from(self) -> datetime:
        return self.actual_start or self.shift.starts_at

    @property
    def served_until(self) -> datetime:
        return self.actual_end or self.shift.ends_at
