"""``eventsys demo load``: the demonstration data and its accounts."""

import click
from flask.cli import AppGroup

from eventsys.cli.language import default_locale

group = AppGroup("demo", help="Demonstration data.")


def print_demo_accounts(accounts) -> None:
    click.echo("Demo accounts (email / password / role):")
    for account in accounts:
        click.echo(f"  {account.email:<28} {account.password:<16} {account.role}")


@group.command("load")
@default_locale
def load() -> None:
    """Load the demo data (running it again creates nothing twice)."""
    from eventsys import demo

    print_demo_accounts(demo.load())
