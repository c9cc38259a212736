"""The ``eventsys`` command: Flask's CLI bound to this app, with the project's own groups.

Every ``flask`` command works through it (``eventsys db upgrade``, ``eventsys routes``).
Each group lives in its own module here; ``init_app`` attaches them all, by name, to the
app's CLI, where both ``eventsys`` and ``flask --app eventsys`` find them. A new group gets
a module and a line in ``init_app``.
"""

import click
from flask import Flask
from flask.cli import FlaskGroup
from flask_migrate.cli import db as db_group

from eventsys.cli import backup, demo, indicators, outbox, reminders, serve, users


def _create_app():
    from eventsys import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """Manage an eventsys installation."""


def init_app(app: Flask) -> None:
    """Attach every command group to the app's CLI, and backup and restore to Flask-Migrate's
    ``db`` group (which ``migrate.init_app`` attached)."""
    app.cli.add_command(serve.serve, "serve")
    app.cli.add_command(demo.group, "demo")
    app.cli.add_command(users.group, "users")
    app.cli.add_command(outbox.group, "outbox")
    app.cli.add_command(reminders.group, "reminders")
    app.cli.add_command(indicators.group, "indicators")
    db_group.add_command(backup.backup, "backup")
    db_group.add_command(backup.restore, "restore")
