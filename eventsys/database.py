"""Engine set-up that makes SQLite behave like a server database where it matters."""

from flask import Flask
from sqlalchemy import event

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


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)


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
