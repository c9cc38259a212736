"""`eventsys db backup` / `db restore`: SQLite through the online backup API; PostgreSQL
gets the pg_dump / pg_restore lines."""

import os
import sqlite3

import pytest
import sqlalchemy as sa
from flask_migrate.cli import db as db_group

from eventsys.extensions import db
from eventsys.models import User

on_postgres = bool(os.environ.get("TEST_DATABASE_URL"))
sqlite_only = pytest.mark.skipif(on_postgres, reason="SQLite backups")


def _emails() -> set[str]:
    db.session.remove()
    return set(db.session.scalars(sa.select(User.email)))


@sqlite_only
def test_backup_then_restore_brings_back_the_data_of_the_backup(app, runner, make_user, tmp_path):
    make_user(email="before@example.org")
    target = tmp_path / "eventsys-backup.db"

    result = runner.invoke(db_group, ["backup", str(target)])
    assert result.exit_code == 0, result.output
    make_user(email="after@example.org")

    result = runner.invoke(db_group, ["restore", str(target), "--yes"])

    assert result.exit_code == 0, result.output
    assert "Restored" in result.output
    assert _emails() == {"before@example.org"}


@sqlite_only
def test_backup_is_consistent_while_another_connection_is_writing(app, make_user, runner, tmp_path):
    make_user(email="committed@example.org")
    writer = sqlite3.connect(db.engine.url.database, timeout=30)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE users SET email = 'uncommitted@example.org'")
    target = tmp_path / "during-write.db"

    try:
        result = runner.invoke(db_group, ["backup", str(target)])
    finally:
        writer.rollback()
        writer.close()

    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT email FROM users").fetchall() == [("committed@example.org",)]
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    copy.close()


@sqlite_only
def test_backup_refuses_to_overwrite_a_file_without_force(app, runner, tmp_path):
    target = tmp_path / "exists.db"
    target.write_text("keep me")

    result = runner.invoke(db_group, ["backup", str(target)])

    assert result.exit_code != 0
    assert "exists already" in result.output
    assert target.read_text() == "keep me"
    assert runner.invoke(db_group, ["backup", str(target), "--force"]).exit_code == 0


@sqlite_only
def test_restore_refuses_a_file_that_is_not_a_sqlite_database(app, runner, make_user, tmp_path):
    make_user(email="kept@example.org")
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a database at all")

    result = runner.invoke(db_group, ["restore", str(bogus), "--yes"])

    assert result.exit_code != 0
    assert "is not a SQLite database" in result.output
    assert _emails() == {"kept@example.org"}


@sqlite_only
def test_restore_refuses_a_sqlite_database_of_another_program(app, runner, make_user, tmp_path):
    make_user(email="kept@example.org")
    other = tmp_path / "other.db"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
    connection.close()

    result = runner.invoke(db_group, ["restore", str(other), "--yes"])

    assert result.exit_code != 0
    assert "is not an eventsys database" in result.output
    assert _emails() == {"kept@example.org"}


@sqlite_only
def test_restore_refuses_a_missing_file_with_a_message(app, runner, tmp_path):
    result = runner.invoke(db_group, ["restore", str(tmp_path / "nowhere.db"), "--yes"])

    assert result.exit_code != 0
    assert "cannot be read" in result.output


@sqlite_only
def test_restore_asks_first_and_changes_nothing_when_declined(app, runner, make_user, tmp_path):
    target = tmp_path / "backup.db"
    assert runner.invoke(db_group, ["backup", str(target)]).exit_code == 0
    make_user(email="new@example.org")

    result = runner.invoke(db_group, ["restore", str(target)], input="n\n")

    assert "Replace everything" in result.output
    assert result.exit_code != 0
    assert _emails() == {"new@example.org"}


@pytest.mark.skipif(not on_postgres, reason="PostgreSQL only")
@pytest.mark.parametrize("command", ["backup", "restore"])
def test_on_postgres_backup_and_restore_print_the_pg_tools_lines(app, runner, tmp_path, command):
    result = runner.invoke(db_group, [command, str(tmp_path / "eventsys.dump")], input="y\n")

    assert result.exit_code == 1
    tool = "pg_dump --format=custom" if command == "backup" else "pg_restore --clean"
    assert tool in result.output
    assert "postgresql://" in result.output
    assert "+psycopg" not in result.output
