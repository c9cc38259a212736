"""The volunteer service: applications, shifts, sign-ups, attendance, hours and reports.

Functions that change state commit their own transaction (sign-up needs to, to keep its
concurrency guarantee; the others do so for symmetry) and roll back on refusal, so nothing
is ever half-saved. Refusals raise ``ShiftError`` with a message fit to show the person
and a machine-readable ``code``.

Where things are:

- ``errors``: ``ShiftError``;
- ``times``: local days and instants, ``describe_shift``;
- ``applications``: applying, approving, rejecting;
- ``planning``: roles, creating and changing shifts, their limits and audited fields;
- ``notices``: mails to volunteers when their shift is cancelled or moved;
- ``signups``: sign-up, withdrawal and its cut-off, staff assigning and removing;
- ``attendance``: who came, and the hours credited;
- ``listing``: the shifts a page or the API lists (``shifts_between``), a volunteer's sign-ups;
- ``roster``: the roster page and file;
- ``reports``: hours by year, the year's shifts served, the volunteer report;
- ``reminders``: the day-before reminder;
- ``personal_data``: a volunteer's data download and what closing the account wipes.
"""

from eventsys.services.shifts.applications import (
    apply,
    approve,
    latest_application,
    pending_application,
    reject,
)
from eventsys.services.shifts.attendance import mark_attendance
from eventsys.services.shifts.errors import ShiftError
from eventsys.services.shifts.listing import (
    active_shift_ids,
    applications_with_status,
    can_see_open_shifts,
    open_shifts_for,
    shifts_between,
    signups_for_shift,
    signups_of,
)
from eventsys.services.shifts.personal_data import anonymise, personal_data
from eventsys.services.shifts.planning import (
    MAX_SLOTS,
    SHIFT_FIELDS,
    create_repeating_shifts,
    create_shift,
    roles,
    update_shift,
)
from eventsys.services.shifts.reminders import due_shift_reminders
from eventsys.services.shifts.reports import attended_in_year, hours_by_year, volunteer_figures
from eventsys.services.shifts.roster import (
    ATTENDANCE_LABELS,
    roster,
    roster_header,
    roster_table,
)
from eventsys.services.shifts.signups import (
    can_withdraw,
    no_withdrawal_warning,
    sign_up,
    staff_assign,
    staff_remove,
    withdraw,
    withdrawal_closed,
)
from eventsys.services.shifts.times import describe_shift, local_day, local_instant

__all__ = [
    "applications_with_status",
    "signups_for_shift",
    "ATTENDANCE_LABELS",
    "MAX_SLOTS",
    "SHIFT_FIELDS",
    "ShiftError",
    "active_shift_ids",
    "anonymise",
    "apply",
    "approve",
    "attended_in_year",
    "can_see_open_shifts",
    "can_withdraw",
    "create_repeating_shifts",
    "create_shift",
    "describe_shift",
    "due_shift_reminders",
    "hours_by_year",
    "latest_application",
    "local_day",
    "local_instant",
    "mark_attendance",
    "no_withdrawal_warning",
    "open_shifts_for",
    "pending_application",
    "personal_data",
    "reject",
    "roles",
    "roster",
    "roster_header",
    "roster_table",
    "shifts_between",
    "sign_up",
    "signups_of",
    "staff_assign",
    "staff_remove",
    "update_shift",
    "volunteer_figures",
    "withdraw",
    "withdrawal_closed",
]
