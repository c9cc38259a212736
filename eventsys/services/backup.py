"""Backups of the database.

SQLite: copies through SQLite's online backup API, which takes a consistent snapshot while
the application goes on reading and writing (WAL mode), and restores through the same API
so that running app processes see the restored data on their next query. PostgreSQL: the
server's own tools do it better; ``postgres_commands`` gives the documented lines.
"""

import logging
import os
import shlex
import sqlite3
from pathlib import Path

import sqlalchemy as sa

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
# Tables every eventsys database has had from the first revision on.
EVENTSYS_TABLES = frozenset({"users", "events", "venues", "branches", "outbox"})


class BackupError(Exception):
    """A backup or restore that cannot be done, with a message for the operator."""


def sqlite_path(database_uri: str) -> Path | None:
    """The file of a SQLite database URI; None for other databases."""
    url = sa.engine.make_url(database_uri)
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(url.database)


def backup_sqlite(database: Path, target: Path, overwrite: bool = False) -> None:
    """Copy ``database`` to ``target`` as one self-contained file, safe while the app runs."""
    if not database.is_file():
        raise BackupError(f"There is no database at {database}.")
    if target.exists() and not overwrite:
        raise BackupError(f"{target} exists already; choose another name or pass --force.")
    if target.resolve() == database.resolve():
        raise BackupError("The backup cannot replace the database itself.")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(database, timeout=30)
    copy = sqlite3.connect(partial)
    try:
        # One step: the whole copy comes from one snapshot; writers are not blocked (WAL).
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # a single file, no -wal beside it
        _check_integrity(copy, partial)
    finally:
        copy.close()
        source.close()
    os.replace(partial, target)
    log.info("database %s backed up to %s", database, target)


def inspect_backup(path: Path) -> str | None:
    """Check that ``path`` is an intact eventsys SQLite database; its migration revision."""
    try:
        with path.open("rb") as stream:
            header = stream.read(len(SQLITE_HEADER))
    except OSError as error:
        raise BackupError(f"{path} cannot be read: {error.strerror}.") from None
    if header != SQLITE_HEADER:
        raise BackupError(f"{path} is not a SQLite database.")
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        _check_integrity(connection, path)
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        missing = EVENTSYS_TABLES - tables
        if missing:
            raise BackupError(
                f"{path} is not an eventsys database (no table {', '.join(sorted(missing))})."
            )
        if "alembic_version" not in tables:
            return None
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} cannot be read as a database: {error}.") from None
    finally:
        connection.close()


def restore_sqlite(source: Path, database: Path) -> str | None:
    """Replace the contents of ``database`` with the backup ``source``; the backup's revision.

    The running app may stay up: the copy holds the database's write lock while it runs,
    and the app's connections read the restored pages afterwards.
    """
    revision = inspect_backup(source)
    if source.resolve() == database.resolve():
        raise BackupError("The backup and the database are the same file.")
    backup = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    live = sqlite3.connect(database, timeout=30)
    try:
        backup.backup(live)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"The database could not be restored: {error}.") from None
    finally:
        live.close()
        backup.close()
    log.warning("database %s restored from %s", database, source)
    return revision


def _check_integrity(connection: sqlite3.Connection, path: Path) -> None:
    try:
        result = connection.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} cannot be read as a database: {error}.") from None
    if result != "ok":
        raise BackupError(f"{path} is damaged: {result}.")


def postgres_commands(database_uri: str, file: str) -> dict[str, str]:
    """The ``pg_dump`` and ``pg_restore`` lines for this database (password left out: use
    PGPASSWORD or ~/.pgpass)."""
    given = sa.engine.make_url(database_uri)
    url = sa.engine.URL.create(
        "postgresql",
        username=given.username,
        host=given.host,
        port=given.port,
        database=given.database,
        query=given.query,
    )
    target = shlex.quote(url.render_as_string(hide_password=False))
    quoted = shlex.quote(file)
    return {
        "backup": f"pg_dump --format=custom --file={quoted} {target}",
        "restore": (
            f"pg_restore --clean --if-exists --no-owner --single-transaction "
            f"--dbname={target} {quoted}"
        ),
    }
