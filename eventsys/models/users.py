"""Accounts: readers, volunteers, staff and admins."""

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from eventsys.config import DEFAULTS
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


def hash_password(password: str) -> str:
    """A new hash of ``password`` by the app's ``EVENTSYS_PASSWORD_HASH`` (scrypt outside an
    app). Checking reads the method from the stored hash, so older hashes keep working."""
    method = DEFAULTS["EVENTSYS_PASSWORD_HASH"]
    if has_app_context():
        method = current_app.config.get("EVENTSYS_PASSWORD_HASH", method)
    return generate_password_hash(password, method=method)


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
    # Bumped at every logout, so a copied session or remember cookie of an earlier login
    # stops working (API tokens and reset links live on: they follow session_version).
    login_generation: Mapped[int] = mapped_column(default=1, server_default="1")

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def set_unusable_password(self) -> None:
        self.password_hash = "!" + secrets.token_hex(16)

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive users cannot log in
        return self.active

    def get_id(self) -> str:
        # The version ends every session when the password changes, the generation when
        # the person logs out (auth/session_loader.py refuses stale ones).
        return f"{self.id}:{self.session_version}:{self.login_generation}"

    def end_sessions(self) -> None:
        """Make every session and remember cookie issued so far useless."""
        self.login_generation = (self.login_generation or 0) + 1

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
