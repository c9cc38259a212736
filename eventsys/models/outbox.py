"""Mails waiting to be sent, written in the same transaction as their cause."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from eventsys.db_types import UTCDateTime, utcnow
from eventsys.extensions import db


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the maximum number of attempts


class OutboxMessage(db.Model):
    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(255))
    body: Mapped[str] = mapped_column(sa.Text)
    # [{"filename", "content_type", "content"}]; content is text (e.g. an .ics file).
    attachments: Mapped[list] = mapped_column(sa.JSON, default=list)
    # A message with a key is queued at most once (reminders, notices).
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(120), unique=True)
    status: Mapped[str] = mapped_column(sa.String(10), default=OutboxStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    # While a sender holds a row, next_attempt_at is the end of its lease and claim_token
    # names that sender; a row whose lease ran out is due again for any sender.
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claim_token: Mapped[str | None] = mapped_column(sa.String(32))
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
