"""``eventsys reminders send``: queue the reminders before events and shifts."""

import click
from flask.cli import AppGroup

group = AppGroup("reminders", help="Reminder mails before events and shifts.")


@group.command("send")
def send() -> None:
    """Queue the reminders that are due (each once); safe to run from cron every few minutes."""
    from eventsys.services import reminders

    click.echo(f"reminders queued: {reminders.send_due()}")
