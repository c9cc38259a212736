"""``eventsys users create`` and ``eventsys users import``: accounts."""

import click
from flask.cli import AppGroup

from eventsys.cli.language import default_locale
from eventsys.models import Role

group = AppGroup("users", help="Accounts.")


@group.command("create")
@click.option("--email", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.READER.value)
@click.option("--name", "display_name", default="", help="Display name (default: from email).")
@default_locale
def create(email: str, password: str, role: str, display_name: str) -> None:
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


@group.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--allow-lower-roles",
    is_flag=True,
    help="Let a row lower a volunteer to reader (each such row is reported).",
)
@click.option("--dry-run", is_flag=True, help="Print the report and write nothing.")
@default_locale
def import_(csv_file: str, allow_lower_roles: bool, dry_run: bool) -> None:
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
