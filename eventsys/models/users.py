"""Accounts: readers, volunteers, staff and admins."""

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from eventsys.db_types import UTCDateTime, utcnow
from eventsys.extensions import db


class Role(enum.StrEnum):
    """Roles, each including the rights of those before it except volunteer.

    A volunteer is a reader who also serves shifts; staff and admins can do what
    readers can.
    """

    READER = "reader"
    VOLUNTEER = "volunteer"
    STAFF = "staff"
    ADMIN = "admin"


ROLE_CHOICES = [r.value for r in Role]


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("role IN ('reader', 'volunteer', 'staff', 'admin')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(80))
    phone: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    card_number: Mapped[str | None] = mapped_column(sa.String(32), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[str] = mapped_column(sa.String(16), default=Role.READER.value)
    locale: Mapped[str] = mapped_column(sa.String(10), default="zh_Hans")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Online registration is refused until this instant (no-show policy).
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Secret for the personal calendar feed; None until the user asks for one.
    calendar_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # Reminder before each event in the personal feed, in minutes; None for no reminder.
    calendar_alarm_minutes: Mapped[int | None]
    # Bumped whenever the password changes, so old reset links and sessions stop working.
    session_version: Mapped[int] = mapped_column(default=1)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def set_unusable_password(self) -> None:
        self.password_hash = "!" + secrets.token_hex(16)

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive users cannot log in
        return self.active

    def get_id(self) -> str:
        # Including the version logs out every session when the password changes.
        return f"{self.id}:{self.session_version}"

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.STAFF, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_volunteer(self) -> bool:
        return self.role == Role.VOLUNTEER

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"
