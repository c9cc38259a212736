"""Readers' registrations for events."""

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.db_types import UTCDateTime, utcnow
from eventsys.extensions import db
from eventsys.models.events import Event
from eventsys.models.users import User


class RegistrationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


ACTIVE_STATUSES = (RegistrationStatus.CONFIRMED.value, RegistrationStatus.WAITLISTED.value)

ACCESS_NEEDS = ("wheelchair", "hearing_loop", "sign_language", "other")


# Short enough to type at the door, without look-alikes (0/O, 1/I/L): 31**8 ≈ 8.5e11
# codes, unguessable behind the door's rate limit (RATELIMIT_TOKENS).
CHECKIN_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CHECKIN_CODE_LENGTH = 8


def new_checkin_code() -> str:
    """A fresh check-in code, stored without the dash it is shown with."""
    return "".join(secrets.choice(CHECKIN_ALPHABET) for _ in range(CHECKIN_CODE_LENGTH))


def is_short_code(code: str) -> bool:
    return len(code) == CHECKIN_CODE_LENGTH and all(c in CHECKIN_ALPHABET for c in code)


def format_checkin_code(code: str) -> str:
    """``ABCD-EFGH`` for a short code; older long codes are shown as they are."""
    if is_short_code(code):
        half = CHECKIN_CODE_LENGTH // 2
        return f"{code[:half]}-{code[half:]}"
    return code


def checkin_code_candidates(typed: str) -> list[str]:
    """The stored codes that what staff typed or scanned may stand for.

    A short code is accepted in any case, with or without its dash and with spaces; an
    older long code (mixed case, may hold "-" and "_") only exactly, apart from the
    spaces around it.
    """
    exact = (typed or "").strip()
    candidates = [exact] if exact else []
    short = "".join(c for c in exact if not c.isspace() and c != "-").upper()
    if is_short_code(short) and short != exact:
        candidates.append(short)
    return candidates


class Registration(db.Model):
    __tablename__ = "registrations"
    __table_args__ = (
        sa.CheckConstraint("party_size >= 1", name="party_size_positive"),
        sa.CheckConstraint(
            "status IN ('confirmed', 'waitlisted', 'cancelled', 'no_show')", name="status_known"
        ),
        # One active registration per reader and event, enforced by the database.
        sa.Index(
            "uq_registrations_one_active",
            "event_id",
            "user_id",
            unique=True,
            sqlite_where=sa.text("status IN ('confirmed', 'waitlisted')"),
            postgresql_where=sa.text("status IN ('confirmed', 'waitlisted')"),
        ),
        sa.Index("ix_registrations_event_status", "event_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    party_size: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(sa.String(12))
    # Comma-separated values from ACCESS_NEEDS, plus free text.
    needs: Mapped[str] = mapped_column(sa.String(120), default="")
    needs_note: Mapped[str] = mapped_column(sa.String(300), default="")
    checkin_code: Mapped[str] = mapped_column(sa.String(32), unique=True, default=new_checkin_code)
    source: Mapped[str] = mapped_column(sa.String(10), default="online")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    event: Mapped[Event] = relationship()
    user: Mapped[User] = relationship()

    # Not stored: the waitlist place counted when the registration was made, so that the
    # answer to that request need not count again. Forgotten as soon as the session
    # expires the row (any later commit), so it is never out of date.
    known_waitlist_position = None

    @property
    def shown_checkin_code(self) -> str:
        return format_checkin_code(self.checkin_code)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def needs_list(self) -> list[str]:
        return [n for n in self.needs.split(",") if n]


@sa.event.listens_for(Registration, "expire")
@sa.event.listens_for(Registration, "refresh")
def _forget_known_position(target: Registration, *_args) -> None:
    target.__dict__.pop("known_waitlist_position", None)
