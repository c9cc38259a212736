"""write_turn: writers that many want at once wait in an orderly line (see database.py)."""

import os
import subprocess
import sys
import threading
import time

import pytest

from eventsys import database
from eventsys.database import write_turn
from eventsys.extensions import db

HOLDER = """
import sys, time
from eventsys import create_app
from eventsys.database import write_turn

app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "SECRET_KEY": "test"})
with app.app_context(), write_turn(1):
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _in_thread(app, event_id, record, name, hold: threading.Event | None = None):
    def run():
        with app.app_context(), write_turn(event_id):
            record.append(f"{name} in")
            if hold is not None:
                hold.wait(5)
            record.append(f"{name} out")

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _until(condition, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


def test_writers_of_an_event_go_one_at_a_time(app):
    record, release = [], threading.Event()
    holder = _in_thread(app, 7, record, "first", hold=release)
    assert _until(lambda: "first in" in record)
    second = _in_thread(app, 7, record, "second")
    time.sleep(0.3)
    assert "second in" not in record
    release.set()
    holder.join(5)
    second.join(5)
    assert record == ["first in", "first out", "second in", "second out"]


def test_on_postgresql_writers_of_other_events_do_not_wait(app):
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite has one write lock for the whole database, so everyone waits")
    record, release = [], threading.Event()
    holder = _in_thread(app, 7, record, "first", hold=release)
    assert _until(lambda: "first in" in record)
    other = _in_thread(app, 8, record, "other")
    assert _until(lambda: "other out" in record)
    assert "first out" not in record
    release.set()
    holder.join(5)
    other.join(5)


def test_a_writer_waits_at_most_the_queue_patience(app, monkeypatch):
    monkeypatch.setattr(database, "QUEUE_PATIENCE_SECONDS", 0.2)
    record, release = [], threading.Event()
    holder = _in_thread(app, 7, record, "first", hold=release)
    assert _until(lambda: "first in" in record)
    started = time.monotonic()
    late = _in_thread(app, 7, record, "late")
    assert _until(lambda: "late out" in record, seconds=3)
    assert 0.15 < time.monotonic() - started < 3
    assert "first out" not in record  # went on while the first still held its turn
    release.set()
    holder.join(5)
    late.join(5)


@pytest.mark.slow
def test_on_sqlite_writers_in_other_processes_wait_too(app, database_url, tmp_path):
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL's row locks order writers between processes")
    env = {**os.environ, "EVENTSYS_INSTANCE_PATH": str(tmp_path / "holder")}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, database_url, "1.5"], stdout=subprocess.PIPE, env=env
    )
    try:
        assert holder.stdout.readline().strip() == b"holding"
        started = time.monotonic()
        with write_turn(1):
            waited = time.monotonic() - started
    finally:
        holder.wait(30)
        holder.stdout.close()
    assert waited > 1.0
