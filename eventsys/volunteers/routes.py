"""Volunteer pages (apply, shifts, my hours, certificate) and the staff side (applications,
shifts, rosters, attendance, reports). Thin views over services/shifts.py."""

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from eventsys import exports
from eventsys.auth.decorators import role_required, staff_required
from eventsys.db_types import utcnow
from eventsys.exports import Table
from eventsys.extensions import db
from eventsys.local_time import library_zone
from eventsys.models import (
    ApplicationStatus,
    Branch,
    Role,
    Shift,
    ShiftSignup,
    Venue,
    VolunteerApplication,
)
from eventsys.services import accounts, shifts
from eventsys.services.shifts import ShiftError
from eventsys.volunteers.blueprint import bp
from eventsys.volunteers.forms import (
    ApplicationForm,
    AssignForm,
    AttendanceForm,
    DecisionForm,
    EditShiftForm,
    RemoveForm,
    RepeatForm,
    ShiftForm,
    SignUpForm,
)

volunteer_required = role_required(Role.VOLUNTEER)


# --- helpers -----------------------------------------------------------------------------


def _arg_date(name: str) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        flash(_("“%(value)s” is not a date like 2021-03-06; it was ignored.", value=raw), "error")
        return None


def _arg_int(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _period(default_days: int = 31) -> tuple[date, date]:
    """The ``from``/``to`` filter days (inclusive), today and a month ahead by default."""
    today = shifts.local_day(utcnow())
    first = _arg_date("from") or today
    last = _arg_date("to") or first + timedelta(days=default_days - 1)
    if last < first:
        flash(_("The end of the period was before its start; it was ignored."), "error")
        last = first + timedelta(days=default_days - 1)
    return first, last


def _day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    return shifts.local_instant(first, time(0)), shifts.local_instant(
        last + timedelta(days=1), time(0)
    )


def _branches() -> list[Branch]:
    return list(db.session.scalars(sa.select(Branch).order_by(Branch.kind.desc(), Branch.name)))


def _fill_choices(form) -> None:
    form.role_id.choices = [SelectChoice(r.id, r.localized_name) for r in shifts.roles()]
    venues = db.session.scalars(
        sa.select(Venue).join(Venue.branch).order_by(Branch.name, Venue.name)
    )
    form.venue_id.choices = [SelectChoice(v.id, str(v)) for v in venues]


def _shift_or_404(shift_id: int) -> Shift:
    shift = db.session.get(Shift, shift_id)
    if shift is None:
        abort(404)
    return shift


def _signup_or_404(signup_id: int) -> ShiftSignup:
    signup = db.session.get(ShiftSignup, signup_id)
    if signup is None:
        abort(404)
    return signup


def _local_time_on(day_of: datetime, at: time | None) -> datetime | None:
    return shifts.local_instant(shifts.local_day(day_of), at) if at else None


# --- public and volunteer pages ----------------------------------------------------------


@bp.get("/")
def index():
    first, last = _period()
    branch_id, role_id = _arg_int("branch"), _arg_int("role")
    start, end = _day_bounds(first, last)
    can_see_shifts = shifts.can_see_open_shifts(current_user)
    open_list = shifts.open_shifts_for(current_user, start, end, branch_id, role_id)
    mine = shifts.active_shift_ids(current_user) if current_user.is_authenticated else set()
    application = shifts.latest_application(current_user) if current_user.is_authenticated else None
    return render_template(
        "volunteers/index.html",
        withdrawal_closed=shifts.withdrawal_closed,
        shifts=open_list,
        mine=mine,
        application=application,
        can_see_shifts=can_see_shifts,
        roles=shifts.roles(),
        branches=_branches(),
        first=first,
        last=last,
        branch_id=branch_id,
        role_id=role_id,
    )


@bp.route("/apply", methods=["GET", "POST"])
@login_required
def apply():
    if current_user.role != Role.READER:
        flash(_("Your account can already serve volunteer shifts."), "info")
        return redirect(url_for("volunteers.index"))
    if shifts.pending_application(current_user) is not None:
        flash(_("Your application is already waiting for a decision."), "info")
        return redirect(url_for("volunteers.index"))
    form = ApplicationForm()
    if form.validate_on_submit():
        try:
            shifts.apply(
                current_user,
                skills=form.skills.data or "",
                languages=form.languages.data or "",
                availability=form.availability.data or "",
                emergency_name=form.emergency_name.data,
                emergency_phone=form.emergency_phone.data,
                motivation=form.motivation.data or "",
            )
        except ShiftError as error:
            flash(error.message, "error")
        else:
            flash(_("Thank you. The volunteer desk will look at your application."), "success")
            return redirect(url_for("volunteers.index"))
    return render_template("volunteers/apply.html", form=form)


@bp.route("/shifts/<int:shift_id>/signup", methods=["GET", "POST"])
@volunteer_required
def signup(shift_id: int):
    """GET asks first; past the withdrawal cut-off the POST needs ``understood`` ticked."""
    shift = _shift_or_404(shift_id)
    form = SignUpForm()
    if request.method == "GET":
        return _signup_page(shift, form)
    if not form.validate_on_submit():
        abort(400)
    try:
        shifts.sign_up(shift_id, current_user, understood=form.understood.data)
    except ShiftError as error:
        if error.code != "no_withdrawal":
            flash(error.message, "error")
            return redirect(url_for("volunteers.index"))
        form.form_errors.append(error.message)
        form.understood.errors = [_("Tick this box to sign up.")]
        return _signup_page(shift, form, status=400)
    flash(_("You are signed up. Thank you!"), "success")
    return redirect(url_for("volunteers.mine"))


def _signup_page(shift: Shift, form: SignUpForm, status: int = 200):
    return (
        render_template(
            "volunteers/signup.html",
            shift=shift,
            form=form,
            final=shifts.withdrawal_closed(shift),
            warning=shifts.no_withdrawal_warning(),
        ),
        status,
    )


@bp.post("/signups/<int:signup_id>/withdraw")
@volunteer_required
def withdraw(signup_id: int):
    signup = _signup_or_404(signup_id)
    if signup.user_id != current_user.id:
        abort(404)
    try:
        shifts.withdraw(signup, current_user)
    except ShiftError as error:
        flash(error.message, "error")
    else:
        flash(_("You have withdrawn from the shift."), "success")
    return redirect(url_for("volunteers.mine"))


@bp.get("/mine")
@volunteer_required
def mine():
    now = utcnow()
    signups = shifts.signups_of(current_user)
    upcoming = [s for s in signups if s.is_active and s.shift.ends_at > now]
    upcoming.sort(key=lambda s: s.shift.starts_at)
    history = [s for s in signups if s not in upcoming]
    return render_template(
        "volunteers/mine.html",
        upcoming=upcoming,
        history=history,
        years=shifts.hours_by_year(current_user),
        can_withdraw=shifts.can_withdraw,
    )


@bp.get("/certificate")
@volunteer_required
def certificate():
    this_year = shifts.local_day(utcnow()).year
    year = _arg_int("year") or this_year
    if not 2000 <= year <= this_year + 1:
        year = this_year
    served = shifts.attended_in_year(current_user, year)
    minutes = sum(s.credited_minutes for s in served)
    return render_template(
        "volunteers/certificate.html",
        year=year,
        served=served,
        hours=round(minutes / 60, 2),
        years=[y for y, _h in shifts.hours_by_year(current_user)],
        issued=utcnow(),
    )


# --- staff: applications -----------------------------------------------------------------


@bp.get("/staff/applications")
@staff_required
def staff_applications():
    status = request.args.get("status", ApplicationStatus.APPLIED.value)
    if status not in [s.value for s in ApplicationStatus]:
        status = ApplicationStatus.APPLIED.value
    applications = db.session.scalars(
        sa.select(VolunteerApplication)
        .where(VolunteerApplication.status == status)
        .order_by(VolunteerApplication.created_at)
        .limit(500)
    ).all()
    return render_template(
        "volunteers/staff_applications.html",
        applications=applications,
        status=status,
        form=DecisionForm(),
    )


def _decide(application_id: int, decide, done: str):
    application = db.session.get(VolunteerApplication, application_id)
    if application is None:
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("The note is too long (500 characters at most)."), "error")
    else:
        try:
            decide(application, current_user, form.note.data or "")
        except ShiftError as error:
            flash(error.message, "error")
        else:
            flash(done, "success")
    return redirect(url_for("volunteers.staff_applications"))


@bp.post("/staff/applications/<int:application_id>/approve")
@staff_required
def staff_approve(application_id: int):
    return _decide(application_id, shifts.approve, _("Application approved."))


@bp.post("/staff/applications/<int:application_id>/reject")
@staff_required
def staff_reject(application_id: int):
    return _decide(application_id, shifts.reject, _("Application rejected."))


# --- staff: shifts -----------------------------------------------------------------------


@bp.get("/staff/shifts")
@staff_required
def staff_shifts():
    first, last = _period()
    branch_id, role_id = _arg_int("branch"), _arg_int("role")
    start, end = _day_bounds(first, last)
    query = (
        sa.select(Shift)
        .join(Shift.venue)
        .where(Shift.starts_at >= start, Shift.starts_at < end)
        .order_by(Shift.starts_at, Shift.id)
        .limit(500)
    )
    if branch_id:
        query = query.where(Venue.branch_id == branch_id)
    if role_id:
        query = query.where(Shift.role_id == role_id)
    return render_template(
        "volunteers/staff_shifts.html",
        shifts=db.session.scalars(query).all(),
        roles=shifts.roles(),
        branches=_branches(),
        first=first,
        last=last,
        branch_id=branch_id,
        role_id=role_id,
    )


@bp.route("/staff/shifts/new", methods=["GET", "POST"])
@staff_required
def staff_new_shift():
    form = ShiftForm()
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            shift = shifts.create_shift(
                current_user,
                role_id=form.role_id.data,
                venue_id=form.venue_id.data,
                starts_at=shifts.local_instant(form.day.data, form.start_time.data),
                ends_at=shifts.local_instant(form.day.data, form.end_time.data),
                slots=form.slots.data,
                event_id=form.event_id.data,
                notes=form.notes.data or "",
            )
        except ShiftError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Shift created."), "success")
            return redirect(url_for("volunteers.staff_shift", shift_id=shift.id))
    return render_template("volunteers/staff_shift_form.html", form=form, shift=None)


@bp.route("/staff/shifts/repeat", methods=["GET", "POST"])
@staff_required
def staff_repeat_shifts():
    form = RepeatForm()
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            created = shifts.create_repeating_shifts(
                current_user,
                role_id=form.role_id.data,
                venue_id=form.venue_id.data,
                first_day=form.first_day.data,
                last_day=form.last_day.data,
                weekdays=set(form.weekdays.data),
                start_time=form.start_time.data,
                end_time=form.end_time.data,
                slots=form.slots.data,
                event_id=form.event_id.data,
                notes=form.notes.data or "",
            )
        except ShiftError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("%(count)s shifts created.", count=len(created)), "success")
            return redirect(
                url_for(
                    "volunteers.staff_shifts",
                    **{
                        "from": form.first_day.data.isoformat(),
                        "to": form.last_day.data.isoformat(),
                    },
                )
            )
    status = 400 if form.errors or form.form_errors else 200
    return render_template("volunteers/staff_repeat.html", form=form), status


@bp.route("/staff/shifts/<int:shift_id>/edit", methods=["GET", "POST"])
@staff_required
def staff_edit_shift(shift_id: int):
    shift = _shift_or_404(shift_id)
    form = EditShiftForm()
    _fill_choices(form)
    if request.method == "GET":
        local_start = shift.starts_at.astimezone(library_zone())
        form.role_id.data = shift.role_id
        form.venue_id.data = shift.venue_id
        form.day.data = local_start.date()
        form.start_time.data = local_start.time()
        form.end_time.data = shift.ends_at.astimezone(library_zone()).time()
        form.slots.data = shift.slots
        form.event_id.data = shift.event_id
        form.notes.data = shift.notes
        form.status.data = shift.status
    if form.validate_on_submit():
        try:
            shifts.update_shift(
                shift,
                current_user,
                role_id=form.role_id.data,
                venue_id=form.venue_id.data,
                starts_at=shifts.local_instant(form.day.data, form.start_time.data),
                ends_at=shifts.local_instant(form.day.data, form.end_time.data),
                slots=form.slots.data,
                event_id=form.event_id.data,
                notes=form.notes.data or "",
                status=form.status.data,
            )
        except ShiftError as error:
            db.session.rollback()
            form.form_errors.append(error.message)
        else:
            flash(_("Shift saved."), "success")
            return redirect(url_for("volunteers.staff_shift", shift_id=shift.id))
    return render_template("volunteers/staff_shift_form.html", form=form, shift=shift)


@bp.get("/staff/shifts/<int:shift_id>")
@staff_required
def staff_shift(shift_id: int):
    return _shift_page(_shift_or_404(shift_id), AssignForm(formdata=None))


def _shift_page(shift: Shift, assign_form: AssignForm, status: int = 200):
    signups = db.session.scalars(
        sa.select(ShiftSignup)
        .where(ShiftSignup.shift_id == shift.id)
        .order_by(ShiftSignup.status, ShiftSignup.created_at)
    ).all()
    forms = {}
    for s in signups:
        form = AttendanceForm(prefix=f"s{s.id}", formdata=None)
        form.attendance.data = s.attendance or "attended"
        zone = library_zone()
        form.actual_start.data = s.actual_start.astimezone(zone).time() if s.actual_start else None
        form.actual_end.data = s.actual_end.astimezone(zone).time() if s.actual_end else None
        forms[s.id] = form
    page = render_template(
        "volunteers/staff_shift.html",
        shift=shift,
        signups=signups,
        forms=forms,
        assign_form=assign_form,
        remove_form=RemoveForm(),
        started=shift.starts_at <= utcnow(),
    )
    return page, status


@bp.post("/staff/shifts/<int:shift_id>/assign")
@staff_required
def staff_assign(shift_id: int):
    """A refusal shows the shift again with what was typed and the error summary."""
    shift = _shift_or_404(shift_id)
    form = AssignForm()
    if not form.validate_on_submit():
        return _shift_page(shift, form, 400)
    volunteer = accounts.find_by_email(form.email.data)
    if volunteer is None:
        form.email.errors = [_("There is no account with this email address.")]
        return _shift_page(shift, form, 400)
    try:
        shifts.staff_assign(shift.id, volunteer, current_user, form.override_reason.data or "")
    except ShiftError as error:
        if error.code in ("clash", "daily_cap"):
            message = error.message + " " + _("To assign anyway, give an override reason.")
            form.override_reason.errors = [message]
        else:
            form.form_errors.append(error.message)
        return _shift_page(shift, form, 400)
    flash(_("Volunteer assigned."), "success")
    return redirect(url_for("volunteers.staff_shift", shift_id=shift_id))


@bp.post("/staff/signups/<int:signup_id>/attendance")
@staff_required
def staff_attendance(signup_id: int):
    signup = _signup_or_404(signup_id)
    form = AttendanceForm(prefix=f"s{signup.id}")
    if not form.validate_on_submit():
        flash(_("Enter times like 09:30."), "error")
    else:
        try:
            shifts.mark_attendance(
                signup,
                current_user,
                attended=form.attendance.data == "attended",
                actual_start=_local_time_on(signup.shift.starts_at, form.actual_start.data),
                actual_end=_local_time_on(signup.shift.starts_at, form.actual_end.data),
            )
        except ShiftError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            flash(_("Attendance saved for %(name)s.", name=signup.user.display_name), "success")
    return redirect(url_for("volunteers.staff_shift", shift_id=signup.shift_id))


@bp.post("/staff/signups/<int:signup_id>/remove")
@staff_required
def staff_remove(signup_id: int):
    signup = _signup_or_404(signup_id)
    form = RemoveForm()
    try:
        shifts.staff_remove(signup, current_user, form.reason.data or "")
    except ShiftError as error:
        flash(error.message, "error")
    else:
        flash(_("Volunteer removed from the shift."), "success")
    return redirect(url_for("volunteers.staff_shift", shift_id=signup.shift_id))


# --- staff: roster and reports -----------------------------------------------------------


@bp.get("/staff/roster")
@staff_required
def staff_roster():
    first, last = _period(default_days=1)
    branch_id, shift_id = _arg_int("branch"), _arg_int("shift")
    start, end = _day_bounds(first, last)
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
        branches=_branches(),
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
    first = _arg_date("from") or date(today.year, 1, 1)
    last = _arg_date("to") or date(today.year, 12, 31)
    if last < first:
        flash(_("The end of the period was before its start; it was ignored."), "error")
        last = date(first.year, 12, 31)
    start, end = _day_bounds(first, last)
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


@bp.app_context_processor
def _account_helpers() -> dict:
    def volunteer_summary() -> dict:
        """Application status and this year's hours for the account page."""
        if not current_user.is_authenticated:
            return {"application": None, "hours_this_year": None}
        year = str(shifts.local_day(utcnow()).year)
        hours = dict(shifts.hours_by_year(current_user)).get(year, 0)
        return {
            "application": shifts.latest_application(current_user),
            "hours_this_year": hours,
        }

    return {"volunteer_summary": volunteer_summary}
