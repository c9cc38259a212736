"""Queued mail is never lost and never sent twice, whatever the mail server does."""

import email
import email.policy
import socket
import socketserver
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsys.cli import main
from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import OutboxMessage, OutboxStatus
from eventsys.services import outbox

ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//eventsys//test//\r\nEND:VCALENDAR\r\n"


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: keeps every message it is given."""

    def _reply(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")

    def handle(self) -> None:
        self._reply("220 sink ESMTP")
        while line := self.rfile.readline():
            command = line.decode("utf-8", "replace").strip().upper()
            if command.startswith("EHLO"):
                self._reply("250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8")
            elif command.startswith("DATA"):
                self._reply("354 end with <CRLF>.<CRLF>")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data[1:] if data.startswith(b"..") else data)
                self.server.messages.append(b"".join(lines))
                self._reply("250 queued")
            elif command.startswith("QUIT"):
                self._reply("221 bye")
                return
            elif command.startswith(("HELO", "MAIL", "RCPT", "RSET", "NOOP")):
                self._reply("250 ok")
            else:
                self._reply("502 not implemented")


class _SMTPSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SMTPHandler)
        self.messages: list[bytes] = []

    @property
    def port(self) -> int:
        return self.server_address[1]


@pytest.fixture
def smtp_sink():
    sink = _SMTPSink()
    thread = threading.Thread(target=sink.serve_forever, daemon=True)
    thread.start()
    yield sink
    sink.shutdown()
    sink.server_close()
    thread.join(timeout=5)


@pytest.fixture
def closed_port() -> int:
    """A local port where nothing listens: a mail server that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _use_smtp(app, port: int) -> None:
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port)


def _send(runner, *args: str):
    result = runner.invoke(main, ["outbox", "send", *args])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result


def _messages() -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def _make_due(message: OutboxMessage) -> None:
    message.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


def test_mail_queued_in_a_rolled_back_transaction_never_exists(app):
    outbox.queue("reader@example.org", "Registered", "You are registered.")
    db.session.rollback()
    assert _messages() == []


def test_outbox_send_with_console_backend_marks_mail_sent(app, runner):
    outbox.queue("reader@example.org", "Registered", "You are registered.")
    db.session.commit()

    result = _send(runner)

    assert "sent: 1" in result.output
    [message] = _messages()
    assert message.status == OutboxStatus.SENT
    assert message.sent_at is not None
    assert message.attempts == 1


def test_mail_server_down_keeps_mail_pending_with_growing_backoff(app, runner, closed_port):
    _use_smtp(app, closed_port)
    outbox.queue("reader@example.org", "Registered", "You are registered.")
    db.session.commit()

    waits = []
    for attempt in (1, 2, 3):
        before = utcnow()
        result = _send(runner)
        assert "retry later: 1" in result.output
        [message] = _messages()
        assert message.status == OutboxStatus.PENDING
        assert message.attempts == attempt
        assert message.last_error
        waits.append(message.next_attempt_at - before)
        _make_due(message)

    assert waits[0] >= timedelta(minutes=1)
    assert waits[0] < waits[1] < waits[2]


def test_mail_not_yet_due_is_left_alone(app, runner, closed_port):
    _use_smtp(app, closed_port)
    outbox.queue("reader@example.org", "Registered", "You are registered.")
    db.session.commit()
    _send(runner)

    result = _send(runner)

    assert "sent: 0, retry later: 0, failed: 0" in result.output
    assert _messages()[0].attempts == 1


def test_mail_held_back_by_a_failure_is_sent_exactly_once_when_server_returns(
    app, runner, closed_port, smtp_sink
):
    _use_smtp(app, closed_port)
    outbox.queue("reader@example.org", "Registered", "You are registered.")
    db.session.commit()
    _send(runner)
    _make_due(_messages()[0])

    _use_smtp(app, smtp_sink.port)
    _send(runner)
    _send(runner)
    _make_due(_messages()[0])  # even when due again by mistake, a sent mail stays sent
    _send(runner)

    [message] = _messages()
    assert message.status == OutboxStatus.SENT
    assert message.attempts == 2
    assert len(smtp_sink.messages) == 1


def test_mail_fails_after_the_maximum_number_of_attempts(app, runner, closed_port):
    _use_smtp(app, closed_port)
    app.config["OUTBOX_MAX_ATTEMPTS"] = 3
    outbox.queue("reader@example.org", "Registered", "You are registered.")
    db.session.commit()

    for _ in range(2):
        _send(runner)
        _make_due(_messages()[0])
    result = _send(runner)

    assert "failed: 1" in result.output
    [message] = _messages()
    assert message.status == OutboxStatus.FAILED
    assert message.attempts == 3
    _make_due(message)
    _send(runner)
    assert _messages()[0].attempts == 3  # a failed mail is not tried again


def test_dedupe_key_queues_a_mail_at_most_once(app):
    first = outbox.queue("reader@example.org", "Reminder", "Tomorrow.", dedupe_key="remind:1:1")
    db.session.commit()
    second = outbox.queue("reader@example.org", "Reminder", "Tomorrow.", dedupe_key="remind:1:1")
    db.session.commit()

    assert first is not None and second is None
    assert len(_messages()) == 1


def test_smtp_delivery_carries_subject_body_and_ics_attachment(app, runner, smtp_sink):
    _use_smtp(app, smtp_sink.port)
    outbox.queue(
        "reader@example.org",
        "报名成功 · Registration confirmed",
        "您已报名江南文化大讲堂。\nYou are registered.",
        attachments=[{"filename": "event.ics", "content_type": "text/calendar", "content": ICS}],
    )
    db.session.commit()

    _send(runner)

    [raw] = smtp_sink.messages
    received = email.message_from_bytes(raw, policy=email.policy.default)
    assert received["Subject"] == "报名成功 · Registration confirmed"
    assert received["To"] == "reader@example.org"
    assert "您已报名江南文化大讲堂。" in received.get_body(preferencelist=("plain",)).get_content()
    [attachment] = list(received.iter_attachments())
    assert attachment.get_filename() == "event.ics"
    assert attachment.get_content_type() == "text/calendar"
    content = attachment.get_content()
    text = content.decode() if isinstance(content, bytes) else content
    assert "BEGIN:VCALENDAR" in text
