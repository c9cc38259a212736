"""Several mail senders at once: each mail goes out exactly once, and a killed sender
loses nothing (on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set)."""

import collections
import os
import re
import signal
import socketserver
import subprocess
import sys
import threading
import time

import pytest
import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.models import OutboxMessage, OutboxStatus
from eventsys.services import outbox

MAILS = 300
MESSAGE_ID = re.compile(rb"^Message-ID: <outbox-(\d+)@eventsys>", re.MULTILINE | re.IGNORECASE)

# A sender process of its own: its own app, engine and connections, like a cron run.
SENDER = """
import sys, time
import sqlalchemy as sa
from eventsys import create_app
from eventsys.extensions import db
from eventsys.models import OutboxMessage
from eventsys.services import outbox

url, port, limit, lease = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
app = create_app({
    "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test", "MAIL_BACKEND": "smtp",
    "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "OUTBOX_LEASE_SECONDS": lease,
})
with app.app_context():
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if any(outbox.send_due(limit=limit).values()):
            continue
        pending = db.session.scalar(
            sa.select(sa.func.count()).where(OutboxMessage.status == "pending")
        )
        db.session.commit()
        if not pending:
            break
        time.sleep(0.2)
"""


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib; records the outbox id of every accepted mail."""

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
                    lines.append(data)
                if data == b"":  # the sender went away mid-message: nothing accepted
                    return
                time.sleep(self.server.delay)
                match = MESSAGE_ID.search(b"".join(lines))
                with self.server.lock:
                    self.server.delivered.append(int(match.group(1)))
                self._reply("250 queued")
            elif command.startswith("QUIT"):
                self._reply("221 bye")
                return
            else:
                self._reply("250 ok")


class _SMTPSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, delay: float = 0.0):
        super().__init__(("127.0.0.1", 0), _SMTPHandler)
        self.delay = delay
        self.lock = threading.Lock()
        self.delivered: list[int] = []


@pytest.fixture
def smtp_sink():
    sinks = []

    def start(delay: float = 0.0) -> _SMTPSink:
        sink = _SMTPSink(delay)
        threading.Thread(target=sink.serve_forever, daemon=True).start()
        sinks.append(sink)
        return sink

    yield start
    for sink in sinks:
        sink.shutdown()
        sink.server_close()


@pytest.fixture
def start_sender(app, tmp_path):
    """start_sender(port, limit=..., lease=...) -> a running sender process."""
    script = tmp_path / "sender.py"
    script.write_text(SENDER)
    env = {**os.environ, "EVENTSYS_INSTANCE_PATH": str(tmp_path / "instance")}
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    processes = []

    def start(port: int, limit: int = 20, lease: int = 60) -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, str(script), url, str(port), str(limit), str(lease)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        process.stderr.close()


def _queue_mails(count: int) -> set[int]:
    ids = {
        outbox.queue(f"reader{n}@example.org", f"Reminder {n}", "See you tomorrow.")
        for n in range(count)
    }
    db.session.commit()
    return ids


def _finished(process: subprocess.Popen) -> None:
    _, errors = process.communicate(timeout=120)
    assert process.returncode == 0, errors.decode()


def _statuses() -> collections.Counter:
    db.session.commit()
    return collections.Counter(db.session.scalars(sa.select(OutboxMessage.status)))


@pytest.mark.slow
def test_two_senders_at_once_deliver_each_mail_exactly_once(app, smtp_sink, start_sender):
    ids = _queue_mails(MAILS)
    sink = smtp_sink()

    senders = [start_sender(sink.server_address[1]) for _ in range(2)]
    for sender in senders:
        _finished(sender)

    counts = collections.Counter(sink.delivered)
    assert set(counts) == ids
    assert [mail for mail, times in counts.items() if times > 1] == []
    assert _statuses() == {OutboxStatus.SENT: MAILS}


@pytest.mark.slow
def test_sender_killed_mid_batch_loses_no_mail_and_another_finishes_after_the_lease(
    app, smtp_sink, start_sender
):
    ids = _queue_mails(MAILS)
    sink = smtp_sink(delay=0.02)
    port = sink.server_address[1]

    first = start_sender(port, limit=50, lease=2)
    deadline = time.monotonic() + 60
    while len(sink.delivered) < 10 and time.monotonic() < deadline:
        time.sleep(0.01)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    delivered_before_kill = len(sink.delivered)
    assert 10 <= delivered_before_kill < 50, "the sender was not killed mid-batch"

    _finished(start_sender(port, limit=50, lease=2))

    counts = collections.Counter(sink.delivered)
    assert set(counts) == ids, "a mail was lost"
    # The one window left: the server accepted a mail, the sender died before recording it.
    assert sum(times - 1 for times in counts.values()) <= 1
    assert _statuses() == {OutboxStatus.SENT: MAILS}


def test_the_same_dedupe_key_queued_by_two_transactions_at_once_is_kept_once(app):
    errors = []
    first_inserted = threading.Event()

    def queue_reminder(wait_for_other: bool) -> None:
        try:
            with app.app_context():
                if not wait_for_other:
                    outbox.queue("reader@example.org", "Reminder", "Tomorrow.", dedupe_key="r:1")
                    db.session.flush()
                    first_inserted.set()
                    time.sleep(0.5)  # the other transaction tries while this one is open
                else:
                    first_inserted.wait(timeout=10)
                    outbox.queue("reader@example.org", "Reminder", "Tomorrow.", dedupe_key="r:1")
                db.session.commit()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=queue_reminder, args=(flag,)) for flag in (False, True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1


def test_mail_that_cannot_be_built_is_marked_failed_and_the_rest_still_go_out(app):
    broken = outbox.queue(
        "reader@example.org", "Ticket", "Attached.", attachments=[{"filename": "x.ics"}]
    )
    fine = outbox.queue("reader@example.org", "Reminder", "Tomorrow.")
    db.session.commit()

    counts = outbox.send_due(deliver=lambda mail: None)

    assert counts == {"sent": 1, "retry": 0, "failed": 1}
    assert db.session.get(OutboxMessage, broken).status == OutboxStatus.FAILED
    assert "KeyError" in db.session.get(OutboxMessage, broken).last_error
    assert db.session.get(OutboxMessage, fine).status == OutboxStatus.SENT


def test_mail_held_by_a_live_sender_is_not_sent_by_another(app):
    message_id = outbox.queue("reader@example.org", "Reminder", "Tomorrow.")
    db.session.commit()
    assert outbox._claim_batch(10, "other-sender") == [message_id]

    sent = []
    counts = outbox.send_due(deliver=sent.append)

    assert counts == {"sent": 0, "retry": 0, "failed": 0}
    assert sent == []
