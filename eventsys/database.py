"""Engine set-up: SQLite made to behave like a server database where it matters, and pooled
server connections checked when they have lain idle."""

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DisconnectionError

from eventsys.extensions import db


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while one writer commits; foreign keys are off by default.
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL stays corruption-safe and syncs at checkpoints, not every commit,
    # which keeps the write lock short when many readers register at once.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


# A pooled server connection unused for longer than this is pinged before it is handed out.
PING_AFTER_IDLE_SECONDS = 10
_RETURNED_AT = "eventsys_returned_at"


def _note_return(_dbapi_connection, record) -> None:
    record.info[_RETURNED_AT] = time.monotonic()


def _ping_if_idle(dialect: Dialect):
    """A pool ``checkout`` listener: ping a connection that has lain idle, and have the pool
    replace it if the server has dropped it (a restart, a failover, a firewall's timeout).

    In place of ``pool_pre_ping``, which pings on every checkout: one more round trip to
    the server for each request, the most of all in a registration rush, where no
    connection lies idle. A connection dropped while in steady use fails its request
    (answered 503); SQLAlchemy then renews the whole pool."""

    def checkout(dbapi_connection, record, _proxy) -> None:
        returned = record.info.get(_RETURNED_AT)
        if returned is not None and time.monotonic() - returned < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            raise DisconnectionError(str(error)) from error

    return checkout


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        elif not app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping"):
            event.listen(engine, "checkout", _ping_if_idle(engine.dialect))
            event.listen(engine, "checkin", _note_return)


def is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def commit_without_expiring() -> None:
    """Commit, keeping what the session loaded usable without reloading it.

    For a short commit in the middle of a request (a token's last use, the end of a read
    transaction before a locked write) where re-reading every loaded row afterwards would
    only cost time. Values that matter for a decision are re-read under a lock anyway.
    """
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


# write_turn's queues. SQLite locks the whole database, so its writers queue on one thread
# lock per database and process, then on a lock file shared by the processes; PostgreSQL
# locks rows, so writers of one event queue in their process on one of these stripes
# (by event id), then on the event's row.
_SQLITE_TURNS: dict[tuple[int, str], tuple[threading.Lock, int | None]] = {}
_SQLITE_TURNS_LOCK = threading.Lock()
_EVENT_STRIPES = [threading.Lock() for _ in range(64)]
# After this long in a queue a writer goes on and lets the database's lock decide: a
# queue must never be able to hang a request that already holds a database lock.
QUEUE_PATIENCE_SECONDS = 10


def _sqlite_turn(database: str) -> tuple[threading.Lock, int | None]:
    key = (os.getpid(), database)  # a forked process opens its own lock file
    with _SQLITE_TURNS_LOCK:
        if key not in _SQLITE_TURNS:
            fd = None
            if database and database != ":memory:" and not database.startswith("file:"):
                fd = os.open(database + "-writers.lock", os.O_RDWR | os.O_CREAT, 0o600)
            _SQLITE_TURNS[key] = (threading.Lock(), fd)
        return _SQLITE_TURNS[key]


@contextmanager
def _queued(lock: threading.Lock) -> Iterator[None]:
    acquired = lock.acquire(timeout=QUEUE_PATIENCE_SECONDS)
    try:
        yield
    finally:
        if acquired:
            lock.release()


@contextmanager
def write_turn(event_id: int) -> Iterator[None]:
    """Wait in line for a short write transaction on an event's seats that many want at once.

    The database's own locks stay the guard; this only makes the waiting orderly. In a
    registration rush, without it:

    - on SQLite a writer finding the database locked polls the lock with growing sleeps
      (up to 100 ms), so some readers waited seconds while later ones went first. Here
      writers queue on a thread lock (within a process) and an OS file lock beside the
      database (between processes); whoever releases wakes the next at once;
    - on PostgreSQL all writers waiting for the event's row are woken at each commit
      and all but one go back to sleep, which costs CPU and order. Here a process sends
      one writer per event at a time; the others wait on a thread lock.

    Enter it before the transaction has written anything, and commit or roll back
    inside the block.
    """
    if not is_sqlite():
        with _queued(_EVENT_STRIPES[event_id % len(_EVENT_STRIPES)]):
            yield
        return
    lock, fd = _sqlite_turn(db.engine.url.database or "")
    with _queued(lock):
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
