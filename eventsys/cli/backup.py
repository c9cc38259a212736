"""``eventsys db backup`` and ``eventsys db restore``: the SQLite database copied and put back
(``init_app`` adds them to Flask-Migrate's ``db`` group)."""

from pathlib import Path

import click
from alembic.util import CommandError
from flask import current_app
from flask.cli import with_appcontext

from eventsys import MIGRATIONS_DIR
from eventsys.main.health import expected_heads
from eventsys.services import backup as backup_service
from eventsys.services.backup import BackupError


def _sqlite_database() -> Path | None:
    try:
        return backup_service.sqlite_path(current_app.config["SQLALCHEMY_DATABASE_URI"])
    except BackupError as error:
        raise click.ClickException(str(error)) from None


def _postgres_instead(file: Path, action: str) -> None:
    lines = backup_service.postgres_commands(
        current_app.config["SQLALCHEMY_DATABASE_URI"], str(file)
    )
    verb = "back it up" if action == "backup" else "restore it"
    click.echo(
        f"This database is PostgreSQL: eventsys does not {verb} itself. Run:\n\n  {lines[action]}\n"
    )
    if action == "restore":
        click.echo("Stop the app servers and senders first; run `eventsys db upgrade` after.")
    # Not a success: a scheduled backup must not look as if it had happened.
    raise SystemExit(1)


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@with_appcontext
def backup(file: Path, force: bool) -> None:
    """Copy the SQLite database to FILE (safe while the app runs)."""
    database = _sqlite_database()
    if database is None:
        _postgres_instead(file, "backup")
    try:
        backup_service.backup_sqlite(database, file, overwrite=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up {database} to {file}.")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore(file: Path, yes: bool) -> None:
    """Replace the SQLite database's contents with the backup FILE."""
    from eventsys.extensions import db

    database = _sqlite_database()
    if database is None:
        _postgres_instead(file, "restore")
    try:
        backup_service.inspect_backup(file)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    if not yes:
        click.confirm(
            f"Replace everything in {database} with the backup {file}?", abort=True, default=False
        )
    db.session.remove()
    db.engine.dispose()
    try:
        revision = backup_service.restore_sqlite(file, database)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored {database} from {file}.")
    try:
        current = revision in expected_heads(MIGRATIONS_DIR)
    except CommandError:
        current = False
    if not current:
        click.echo(
            f"The backup is at migration revision {revision or 'unknown'}; "
            "run `eventsys db upgrade` to bring it up to this version of eventsys."
        )
