"""Bearer tokens for the JSON API. Only a SHA-256 of each token is stored."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.db_types import UTCDateTime, utcnow
from eventsys.extensions import db
from eventsys.models.users import User


class ApiToken(db.Model):
    __tablename__ = "api_tokens"
    __table_args__ = (sa.CheckConstraint("expires_at > created_at", name="expires_after_created"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    # Hex SHA-256 of the token the client holds; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The user's session version when issued: a password change ends the token too.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    def is_valid(self, now: datetime) -> bool:
        return (
            self.revoked_at is None
            and self.expires_at > now
            and self.user.active
            and self.user.session_version == self.session_version
        )

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} user {self.user_id}>"
