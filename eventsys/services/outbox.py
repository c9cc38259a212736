"""The mail outbox: queued in the caller's transaction, delivered later by ``eventsys outbox send``.

Guarantees, with any number of senders running at once (cron on several machines, a
``--loop`` sender beside a cron run):

- A mail is never lost: it stays pending until the mail server accepts it, with backoff
  between failed attempts; a mail that can never be built is marked failed, not retried.
- Each mail is sent once. A sender claims a batch in one statement (PostgreSQL:
  ``FOR UPDATE SKIP LOCKED``; SQLite: the statement takes the single write lock), which
  gives it a lease (``next_attempt_at`` moved into the future, ``claim_token`` set to the
  sender's token). Before each mail the sender renews its lease on that row and skips the
  row if another sender has taken it over; right after the server accepts the mail, the row
  is marked sent in its own transaction.
- A sender killed mid-batch loses nothing: the rows it held become due again when their
  lease runs out (``OUTBOX_LEASE_SECONDS``) and another sender sends them.

The remaining window, which no outbox can close without the mail server's help: if the
server has accepted a mail and the sender dies (or the database is unreachable) before the
"sent" commit, that one mail is sent again after the lease. At most one mail per killed
sender is affected, and the ``Message-ID`` stays the same, so receiving servers and clients
can recognise the duplicate.
"""

import base64
import html
import io
import logging
import re
import secrets
import smtplib
from datetime import timedelta
from email.message import EmailMessage

import segno
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import OutboxMessage, OutboxStatus
from eventsys.services import audit
from eventsys.text import single_line

log = logging.getLogger(__name__)


_outbox = OutboxMessage.__table__


def _insert_statement(dialect: str):
    """INSERT … ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, built once per dialect."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(_outbox)
        .on_conflict_do_nothing(index_elements=[_outbox.c.dedupe_key])
        .returning(_outbox.c.id)
    )


_INSERTS = {dialect: _insert_statement(dialect) for dialect in ("postgresql", "sqlite")}


def queue(
    to: str,
    subject: str,
    body: str,
    attachments: list[dict] | None = None,
    dedupe_key: str | None = None,
) -> int | None:
    """Add a mail to the caller's transaction; its id, or None when ``dedupe_key`` exists.

    The key is unique in the database (mails without one never conflict). Two
    transactions queueing the same key at the same moment (two reminder runs) are settled
    by ``ON CONFLICT DO NOTHING``: the second one adds nothing and goes on, instead of
    failing at commit.
    """
    fields = {
        "to_address": to,
        "subject": subject,
        "body": body,
        "attachments": attachments or [],
        "dedupe_key": dedupe_key,
    }
    dialect = db.session.get_bind().dialect.name
    return db.session.execute(_INSERTS[dialect], fields).scalar_one_or_none()


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])


def _claim_batch(limit: int, token: str) -> list[int]:
    """Lease up to ``limit`` due rows to the sender named by ``token``; their ids, in order.

    One UPDATE … WHERE id IN (SELECT … [FOR UPDATE SKIP LOCKED]) … RETURNING: on
    PostgreSQL concurrent senders skip each other's rows (and re-check rows that another
    sender leased meanwhile); on SQLite the statement holds the database's write lock, so
    claims are serialised. Committed at once, so the lease is visible to every sender.
    """
    now = utcnow()
    due = (
        sa.select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    claimed = db.session.scalars(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()))
        .values(next_attempt_at=now + _lease(), claim_token=token)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return sorted(claimed)


def _renew(message_id: int, token: str) -> bool:
    """Extend this sender's lease on one row just before sending it; False if it was lost."""
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.claim_token == token,
            OutboxMessage.status == OutboxStatus.PENDING,
        )
        .values(next_attempt_at=utcnow() + _lease())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _finish(message_id: int, token: str | None, **values) -> bool:
    """Record the outcome of one attempt in its own transaction.

    With a token, only while this sender still holds the lease (False if it was lost);
    without one, unconditionally (a mail the server accepted is sent, whoever holds it now:
    marking it stops a sender that took the row over from sending it again).
    """
    condition = OutboxMessage.id == message_id
    if token is not None:
        condition = condition & (OutboxMessage.claim_token == token)
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(condition)
        .values(
            attempts=OutboxMessage.attempts + 1,
            claim_token=None,
            **values,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def to_email(message: OutboxMessage) -> EmailMessage:
    """The mail as sent. An attachment is a dict of ``filename``, ``content_type`` and
    ``content`` (text, base64 with ``"encoding": "base64"``, or the text of a QR code to
    draw as a PNG with ``"encoding": "qr"``); one with a
    ``content_id`` is an inline image, shown under the text in an HTML version of the
    body (``alt`` describes it), so mail clients display it without fetching anything."""
    mail = EmailMessage()
    mail["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    # Header values on one line, whatever was stored: a line break would fail every attempt.
    mail["To"] = single_line(message.to_address)
    mail["Subject"] = single_line(message.subject)
    mail["Message-ID"] = f"<outbox-{message.id}@eventsys>"
    mail.set_content(message.body)
    inline = [a for a in message.attachments if a.get("content_id")]
    if inline:
        mail.add_alternative(_html_body(message.body, inline), subtype="html")
        html_part = mail.get_payload()[-1]
        for attachment in inline:
            maintype, subtype = _content_type(attachment)
            html_part.add_related(
                _content(attachment),
                maintype=maintype,
                subtype=subtype,
                cid=f"<{attachment['content_id']}>",
                filename=attachment["filename"],
                disposition="inline",
            )
    for attachment in message.attachments:
        if attachment.get("content_id"):
            continue
        maintype, subtype = _content_type(attachment)
        mail.add_attachment(
            _content(attachment),
            maintype=maintype,
            subtype=subtype,
            filename=attachment["filename"],
        )
    return mail


def _content_type(attachment: dict) -> tuple[str, str]:
    maintype, _, subtype = attachment["content_type"].partition("/")
    return maintype, subtype.split(";")[0]


def _content(attachment: dict) -> bytes:
    encoding = attachment.get("encoding")
    if encoding == "base64":
        return base64.b64decode(attachment["content"])
    if encoding == "qr":  # drawn here, not in the request that queued the mail
        return qr_png(attachment["content"])
    return attachment["content"].encode()


def qr_png(text: str) -> bytes:
    png = io.BytesIO()
    segno.make(text, error="m", micro=False).save(png, kind="png", scale=8, border=4)
    return png.getvalue()


_LINK = re.compile(r"https?://[^\s<>\"]+")


def _html_body(text: str, images: list[dict]) -> str:
    """The plain text, escaped, with its links clickable and the inline images below."""
    body = _LINK.sub(lambda m: f'<a href="{m[0]}">{m[0]}</a>', html.escape(text, quote=False))
    figures = "".join(
        f'<p><img src="cid:{html.escape(a["content_id"])}" '
        f'alt="{html.escape(a.get("alt", ""))}"></p>'
        for a in images
    )
    return (
        '<!DOCTYPE html><html><body><div style="white-space:pre-wrap">'
        f"{body}</div>{figures}</body></html>"
    )


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
    """Send what is due; returns counts of sent, retried and failed messages.

    Commits as it goes (one transaction per mail): call it outside any open transaction.
    """
    deliver = deliver or _deliver
    counts = {"sent": 0, "retry": 0, "failed": 0}
    max_attempts = current_app.config["OUTBOX_MAX_ATTEMPTS"]
    token = secrets.token_hex(16)
    db.session.commit()  # start from a fresh transaction (SQLite: no stale read snapshot)
    for message_id in _claim_batch(limit, token):
        if not _renew(message_id, token):
            log.warning("mail %s: lease taken over by another sender, skipped", message_id)
            continue
        message = db.session.get(OutboxMessage, message_id)
        try:
            mail = to_email(message)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            # A mail that cannot be built never will be: give up at once, keep the reason.
            _finish(message_id, token, status=OutboxStatus.FAILED, last_error=_reason(error))
            counts["failed"] += 1
            log.error("mail %s cannot be built: %s", message_id, error)
            continue
        attempts = message.attempts + 1
        try:
            deliver(mail)
        except (OSError, smtplib.SMTPException) as error:
            if attempts >= max_attempts:
                outcome = {"status": OutboxStatus.FAILED}
                counts["failed"] += 1
            else:
                outcome = {"next_attempt_at": utcnow() + backoff(attempts)}
                counts["retry"] += 1
            _finish(message_id, token, last_error=_reason(error), **outcome)
            log.warning("mail %s to %s not sent: %s", message_id, message.to_address, error)
        else:
            # Accepted by the server: record it before anything else can go wrong.
            _finish(message_id, None, status=OutboxStatus.SENT, sent_at=utcnow())
            counts["sent"] += 1
    return counts


def _reason(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:1000]


# ---------------------------------------------------------------- mails staff must see

# A mail due this long ago and still not sent waits for a sender that is not running.
STUCK_AFTER = timedelta(hours=1)
_RETRY_FIELDS = ("status", "attempts", "next_attempt_at", "last_error")


class RetryError(ValueError):
    """This mail cannot be put back in the queue (sent, unknown, or being sent now)."""


def undelivered_query() -> sa.Select:
    """Mails given up on, mails waiting for another attempt after a failure, and mails
    left waiting longer than ``STUCK_AFTER``: failed first, then oldest due first."""
    pending = OutboxMessage.status == OutboxStatus.PENDING
    return (
        sa.select(OutboxMessage)
        .where(
            (OutboxMessage.status == OutboxStatus.FAILED)
            | (pending & (OutboxMessage.attempts > 0))
            | (pending & (OutboxMessage.next_attempt_at < utcnow() - STUCK_AFTER))
        )
        .order_by(
            sa.case((OutboxMessage.status == OutboxStatus.FAILED, 0), else_=1),
            OutboxMessage.next_attempt_at,
            OutboxMessage.id,
        )
    )


def retry(message_id: int, actor) -> OutboxMessage:
    """Put a failed or retrying mail back in the queue, due now, its attempts counted from
    zero, and log who did it. The caller commits.

    One conditional UPDATE, so a mail a sender holds at this moment (its lease has not run
    out) is left alone: taking it from the sender could send it twice.
    """
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise RetryError("unknown")
    before = audit.snapshot(message, _RETRY_FIELDS)
    now = utcnow()
    free = OutboxMessage.claim_token.is_(None) | (OutboxMessage.next_attempt_at <= now)
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            (OutboxMessage.status == OutboxStatus.FAILED)
            | ((OutboxMessage.status == OutboxStatus.PENDING) & free),
        )
        .values(
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            claim_token=None,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise RetryError(message.status)
    db.session.refresh(message)
    audit.record(actor, "outbox.retry", message, before, audit.snapshot(message, _RETRY_FIELDS))
    return message


def retry_failed(actor) -> int:
    """Put every failed mail back in the queue (see ``retry``); how many. The caller commits."""
    ids = db.session.scalars(
        sa.select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.FAILED)
        .order_by(OutboxMessage.id)
    ).all()
    count = 0
    for message_id in ids:
        try:
            retry(message_id, actor)
        except RetryError:
            continue  # taken back by someone else meanwhile
        count += 1
    return count
