"""The staff's roster and the volunteer hours report, on the page and as files."""

from datetime import date

from flask import flash, render_template, request
from flask_babel import gettext as _

from eventsys import exports
from eventsys.auth.decorators import staff_required
from eventsys.db_types import utcnow
from eventsys.exports import Table
from eventsys.services import shifts
from eventsys.volunteers.blueprint import bp
from eventsys.volunteers.shared import arg_date, arg_int, branches, day_bounds, period


@bp.get("/staff/roster")
@staff_required
def staff_roster():
    first, last = period(default_days=1)
    branch_id, shift_id = arg_int("branch"), arg_int("shift")
    start, end = day_bounds(first, last)
    if shift_id:
        start = end = None
    rows = shifts.roster(start, end, shift_id=shift_id, branch_id=branch_id)
    export = request.args.get("format", "")
    name = f"roster-{first.isoformat()}" + (f"-shift{shift_id}" if shift_id else "")
    if export in exports.FORMATS:
        table = Table(_("Volunteer roster"), shifts.roster_header(), shifts.roster_table(rows))
        return exports.download([table], name, export, titles=False)
    return render_template(
        "volunteers/staff_roster.html",
        rows=rows,
        branches=branches(),
        first=first,
        last=last,
        branch_id=branch_id,
        shift_id=shift_id,
    )


def _report_tables(figures: dict) -> list[Table]:
    """The report's four groupings, one table (Excel sheet) each."""
    hours, volunteers = _("Hours"), _("Volunteers")
    return [
        Table(
            _("Hours per month"),
            [_("Month"), hours, volunteers],
            [[r["month"], r["hours"], r["volunteers"]] for r in figures["by_month"]],
        ),
        Table(
            _("Hours per centre"),
            [_("Centre or branch"), hours, volunteers],
            [[r["centre"], r["hours"], r["volunteers"]] for r in figures["by_centre"]],
        ),
        Table(
            _("Hours per role"),
            [_("Role"), hours, volunteers],
            [[r["role"], r["hours"], r["volunteers"]] for r in figures["by_role"]],
        ),
        Table(
            _("Hours per volunteer"),
            [_("Volunteer"), hours],
            [[r["name"], r["hours"]] for r in figures["by_volunteer"]],
        ),
    ]


@bp.get("/staff/reports")
@staff_required
def staff_reports():
    today = shifts.local_day(utcnow())
    first = arg_date("from") or date(today.year, 1, 1)
    last = arg_date("to") or date(today.year, 12, 31)
    if last < first:
        flash(_("The end of the period was before its start; it was ignored."), "error")
        last = date(first.year, 12, 31)
    start, end = day_bounds(first, last)
    figures = shifts.volunteer_figures(start, end)
    export = request.args.get("format", "")
    if export in exports.FORMATS:
        name = f"volunteer-hours-{first.isoformat()}-{last.isoformat()}"
        return exports.download(_report_tables(figures), name, export)
    return render_template(
        "volunteers/staff_reports.html",
        figures=figures,
        first=first,
        last=last,
    )
