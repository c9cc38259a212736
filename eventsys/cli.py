"""The ``eventsys`` command: Flask's CLI bound to this app, plus the project's own groups.

Every ``flask`` command works through it (``eventsys db upgrade``, ``eventsys routes``).
To add a command, define it here (or in the area's own module) and attach it with
``main.add_command(...)``; ``init_app`` makes it available under ``flask`` too.
"""

import functools
import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, ScriptInfo
from flask_babel import force_locale

from eventsys.models import Role

# Commands Flask itself adds to every FlaskGroup; never copied onto ``app.cli``.
_FLASK_DEFAULTS = {"run", "shell", "routes"}


def _create_app():
    from eventsys import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """Manage an eventsys installation."""


def init_app(app: Flask) -> None:
    """Attach the command groups to ``flask`` as well as to ``eventsys``."""
    for name, command in main.commands.items():
        if name not in _FLASK_DEFAULTS and name not in app.cli.commands:
            app.cli.add_command(command, name)


def default_locale(command):
    """Run a command in the default language: outside a request there is no browser or
    account to choose one, and messages from services are translated."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            return command(*args, **kwargs)

    return wrapper


def _upgrade_database() -> None:
    from flask_migrate import upgrade

    upgrade()


def _print_demo_accounts(accounts) -> None:
    click.echo("Demo accounts (email / password / role):")
    for account in accounts:
        click.echo(f"  {account.email:<28} {account.password:<16} {account.role}")


# --- serve -------------------------------------------------------------------------------


@main.command("serve", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="Processes."
)
@click.option("--demo", is_flag=True, help="Load the demo data and print its accounts.")
@click.pass_obj
def serve(info: ScriptInfo, host: str, port: int, workers: int, demo: bool) -> None:
    """Upgrade the database, optionally load demo data, and serve with gunicorn."""
    from eventsys import demo as demo_data
    from eventsys.extensions import db

    app = info.load_app()
    # Set-up runs in its own app context, popped before serving, so no request ever
    # inherits it and every worker opens its own database connections.
    with app.app_context():
        _upgrade_database()
        if demo:
            with force_locale(app.config["BABEL_DEFAULT_LOCALE"]):
                _print_demo_accounts(demo_data.load())
        db.engine.dispose()
    click.echo(f"Serving eventsys on http://{host}:{port} with {workers} worker(s)")
    _run_gunicorn(app, {"bind": f"{host}:{port}", "workers": workers})


def _run_gunicorn(application: Flask, options: dict) -> None:
    from gunicorn.app.base import BaseApplication

    class EventsysApplication(BaseApplication):
        def load_config(self) -> None:
            # No gunicorn access log: the request log (EVENTSYS_REQUEST_LOG) already writes
            # one JSON line per request, with more in it; two lines cost every request.
            for key, value in {"timeout": 60, **options}.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return application

    EventsysApplication().run()


# --- demo --------------------------------------------------------------------------------

demo_group = AppGroup("demo", help="Demonstration data.")
main.add_command(demo_group)


@demo_group.command("load")
@default_locale
def demo_load() -> None:
    """Load the demo data (running it again creates nothing twice)."""
    from eventsys import demo

    _print_demo_accounts(demo.load())


# --- users -------------------------------------------------------------------------------

users_group = AppGroup("users", help="Accounts.")
main.add_command(users_group)


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.READER.value)
@click.option("--name", "display_name", default="", help="Display name (default: from email).")
@default_locale
def users_create(email: str, password: str, role: str, display_name: str) -> None:
    """Create one account with a password and role."""
    from eventsys.extensions import db
    from eventsys.services.accounts import AccountError, create_user
    from eventsys.text import single_line

    display_name = single_line(display_name)
    if len(password) < 8:
        raise click.UsageError("The password needs at least 8 characters.")
    try:
        user = create_user(email, display_name or email.split("@")[0], password, role=role)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created {user.role} account {user.email} (id {user.id}).")


@users_group.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--allow-lower-roles",
    is_flag=True,
    help="Let a row lower a volunteer to reader (each such row is reported).",
)
@click.option("--dry-run", is_flag=True, help="Print the report and write nothing.")
@default_locale
def users_import(csv_file: str, allow_lower_roles: bool, dry_run: bool) -> None:
    """Create or update readers and volunteers from a CSV file.

    Columns: email, display_name, card_number, phone, role, password. Without a password a
    mail to set one is queued. UTF-8 with or without a BOM (Excel's "CSV UTF-8"). A row
    never lowers a role unless --allow-lower-roles is given; staff and admin accounts are
    never changed.
    """
    from eventsys.services.user_import import ImportFileError, import_users

    try:
        with open(csv_file, "rb") as stream:
            report = import_users(
                stream.read(), allow_lower_roles=allow_lower_roles, dry_run=dry_run
            )
    except ImportFileError as error:
        raise click.ClickException(str(error)) from None
    if dry_run:
        click.echo("Dry run: nothing was written and no mail was queued.")
    click.echo(
        f"created: {len(report.created)}, updated: {len(report.updated)}, "
        f"unchanged: {len(report.unchanged)}, rejected: {len(report.rejected)}"
    )
    for row in report.noted:
        click.echo(f"  row {row.row}: {row.email}: {row.note}")
    for row in report.rejected:
        click.echo(f"  row {row.row}: {row.email or '-'}: {row.reason}")
    if report.rejected:
        raise SystemExit(1)


# --- outbox ------------------------------------------------------------------------------

outbox_group = AppGroup("outbox", help="Queued mail.")
main.add_command(outbox_group)


@outbox_group.command("send")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1))
@click.option("--loop", is_flag=True, help="Keep sending until stopped.")
@click.option("--interval", default=30.0, show_default=True, type=click.FloatRange(0.1))
@default_locale
def outbox_send(limit: int, loop: bool, interval: float) -> None:
    """Send the mails that are due; failures are retried later with backoff."""
    from eventsys.services import outbox

    while True:
        counts = outbox.send_due(limit=limit)
        if not loop or any(counts.values()):
            click.echo(
                f"sent: {counts['sent']}, retry later: {counts['retry']}, "
                f"failed: {counts['failed']}"
            )
        if not loop:
            return
        current_app.logger.debug("outbox: sleeping %.1f s", interval)
        try:
            time.sleep(interval)
        except KeyboardInterrupt:
            return


# --- reminders ---------------------------------------------------------------------------

reminders_group = AppGroup("reminders", help="Reminder mails before events and shifts.")
main.add_command(reminders_group)


@reminders_group.command("send")
def reminders_send() -> None:
    """Queue the reminders that are due (each once); safe to run from cron every few minutes."""
    from eventsys.services import reminders

    click.echo(f"reminders queued: {reminders.send_due()}")


# --- indicators --------------------------------------------------------------------------

from eventsys.indicators.commands import indicators_group  # noqa: E402

main.add_command(indicators_group)

# --- db backup / restore (added to Flask-Migrate's ``db`` group) ---------------------------

from eventsys import ops_cli  # noqa: E402,F401
