"""``eventsys indicators report``: the reader-activity figures on the command line."""

import json

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from eventsys.exports import Table, csv_text

group = AppGroup("indicators", help="Reader-activity figures and core indicators.")


@group.command("report")
@click.option("--year", required=True, help="The year, e.g. 2021.")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True
)
def report(year: str, fmt: str) -> None:
    """Sessions and participants of a year: the totals and every split."""
    from eventsys.services import indicators

    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        try:
            figures = indicators.figures(indicators.year_period(year))
        except indicators.IndicatorError as error:
            raise click.BadParameter(str(error), param_hint="--year") from None
        data = figures.to_dict()
    data["year"] = int(year)
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    rows = [["total", "", "", data["sessions"], data["participants"]]]
    for split, cells in data["splits"].items():
        rows += [
            [split, cell["key"] or "", cell["label"], cell["sessions"], cell["participants"]]
            for cell in cells
        ]
    # Machine-readable column names for scripts; cells made safe like every other export.
    table = Table("", ["split", "key", "label", "sessions", "participants"], rows)
    click.echo(csv_text([table], titles=False, bom=False), nl=False)
