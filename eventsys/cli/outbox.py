"""``eventsys outbox send``: deliver the queued mails that are due."""

import time

import click
from flask import current_app
from flask.cli import AppGroup

from eventsys.cli.language import default_locale

group = AppGroup("outbox", help="Queued mail.")


@group.command("send")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1))
@click.option("--loop", is_flag=True, help="Keep sending until stopped.")
@click.option("--interval", default=30.0, show_default=True, type=click.FloatRange(0.1))
@default_locale
def send(limit: int, loop: bool, interval: float) -> None:
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
