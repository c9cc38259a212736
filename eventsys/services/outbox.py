"""The mail outbox: queued in the caller's transaction, delivered later by ``eventsys outbox send``.

A mail is never lost: it stays pending until the server accepts it, with backoff between
attempts. Several senders may run at once; each row is claimed by one of them.
"""

import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

CLAIM_SECONDS = 300  # a claimed row is retried by others if its sender died


def queue(
    to: str,
    subject: str,
    body: str,
    attachments: list[dict] | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage | None:
    """Add a mail to the session; with a ``dedupe_key`` that exists already, add nothing."""
    if dedupe_key is not None:
        exists = db.session.scalar(
            sa.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
        )
        if exists is not None:
            return None
    message = OutboxMessage(
        to_address=to,
        subject=subject,
        body=body,
        attachments=attachments or [],
        dedupe_key=dedupe_key,
    )
    db.session.add(message)
    return message


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def _claim_batch(limit: int) -> list[int]:
    """Claim due rows for this sender by pushing their next attempt into the future.

    On PostgreSQL ``SKIP LOCKED`` lets concurrent senders take disjoint rows; SQLite has a
    single writer, so the claiming UPDATE is serialised anyway.
    """
    now = utcnow()
    due = (
        sa.select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(due))
    if ids:
        db.session.execute(
            sa.update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(ids),
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.next_attempt_at <= now,
            )
            .values(next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))
        )
    db.session.commit()
    return ids


def to_email(message: OutboxMessage) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    mail["To"] = message.to_address
    mail["Subject"] = message.subject
    mail["Message-ID"] = f"<outbox-{message.id}@eventsys>"
    mail.set_content(message.body)
    for attachment in message.attachments:
        maintype, _, subtype = attachment["content_type"].partition("/")
        mail.add_attachment(
            attachment["content"].encode(),
            maintype=maintype,
            subtype=subtype.split(";")[0],
            filename=attachment["filename"],
        )
    return mail


def _deliver(mail: EmailMessage) -> None:
    config = current_app.config
    if config["MAIL_BACKEND"] == "console":
        log.info("mail (not sent, console backend):\n%s", mail.as_string())
        return
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(mail)


def send_due(limit: int = 100, deliver=None) -> dict[str, int]:
    """Send what is due; returns counts of sent, retried and failed messages."""
    deliver = deliver or _deliver
    counts = {"sent": 0, "retry": 0, "failed": 0}
    max_attempts = current_app.config["OUTBOX_MAX_ATTEMPTS"]
    for message_id in _claim_batch(limit):
        message = db.session.get(OutboxMessage, message_id)
        if message is None or message.status != OutboxStatus.PENDING:
            continue
        message.attempts += 1
        try:
            deliver(to_email(message))
        except (OSError, smtplib.SMTPException) as error:
            message.last_error = f"{type(error).__name__}: {error}"[:1000]
            if message.attempts >= max_attempts:
                message.status = OutboxStatus.FAILED
                counts["failed"] += 1
            else:
                message.next_attempt_at = utcnow() + backoff(message.attempts)
                counts["retry"] += 1
            log.warning("mail %s to %s not sent: %s", message.id, message.to_address, error)
        else:
            message.status = OutboxStatus.SENT
            message.sent_at = utcnow()
            counts["sent"] += 1
        db.session.commit()
    return counts
