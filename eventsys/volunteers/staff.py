"""The staff side: deciding applications, creating and changing shifts, who serves them
and who came."""

from datetime import datetime, time

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from eventsys.auth.decorators import staff_required
from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.local_time import library_zone
from eventsys.models import (
    ApplicationStatus,
    Shift,
    ShiftSignup,
    VolunteerApplication,
)
from eventsys.services import accounts, shifts, venues
from eventsys.services.shifts import ShiftError
from eventsys.volunteers.blueprint import bp
from eventsys.volunteers.forms import (
    AssignForm,
    AttendanceForm,
    DecisionForm,
    EditShiftForm,
    RemoveForm,
    RepeatForm,
    ShiftForm,
)
from eventsys.volunteers.shared import branches, day_bounds, shift_filter


def _fill_choices(form) -> None:
    form.role_id.choices = [SelectChoice(r.id, r.localized_name) for r in shifts.roles()]
    form.venue_id.choices = [SelectChoice(v.id, str(v)) for v in venues.all_venues()]


def _shift_fields(form: ShiftForm) -> dict:
    """A shift as the service takes it, from the new or edit form (times are local)."""
    return {
        "role_id": form.role_id.data,
        "venue_id": form.venue_id.data,
        "starts_at": shifts.local_instant(form.day.data, form.start_time.data),
        "ends_at": shifts.local_instant(form.day.data, form.end_time.data),
        "slots": form.slots.data,
        "event_id": form.event_id.data,
        "notes": form.notes.data or "",
    }


def _local_time_on(day_of: datetime, at: time | None) -> datetime | None:
    return shifts.local_instant(shifts.local_day(day_of), at) if at else None


# --- applications ------------------------------------------------------------------------


@bp.get("/staff/applications")
@staff_required
def staff_applications():
    status = request.args.get("status", ApplicationStatus.APPLIED.value)
    if status not in [s.value for s in ApplicationStatus]:
        status = ApplicationStatus.APPLIED.value
    applications = shifts.applications_with_status(status)
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


# --- shifts ------------------------------------------------------------------------------


@bp.get("/staff/shifts")
@staff_required
def staff_shifts():
    chosen = shift_filter()
    start, end = day_bounds(chosen["first"], chosen["last"])
    return render_template(
        "volunteers/staff_shifts.html",
        shifts=shifts.shifts_between(
            start, end, branch_id=chosen["branch_id"], role_id=chosen["role_id"]
        ),
        roles=shifts.roles(),
        branches=branches(),
        **chosen,
    )


@bp.route("/staff/shifts/new", methods=["GET", "POST"])
@staff_required
def staff_new_shift():
    form = ShiftForm()
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            shift = shifts.create_shift(current_user, **_shift_fields(form))
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
    shift = db.get_or_404(Shift, shift_id)
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
            shifts.update_shift(shift, current_user, **_shift_fields(form), status=form.status.data)
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
    return _shift_page(db.get_or_404(Shift, shift_id), AssignForm(formdata=None))


def _shift_page(shift: Shift, assign_form: AssignForm, status: int = 200):
    signups = shifts.signups_for_shift(shift)
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
    shift = db.get_or_404(Shift, shift_id)
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
    signup = db.get_or_404(ShiftSignup, signup_id)
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
    signup = db.get_or_404(ShiftSignup, signup_id)
    form = RemoveForm()
    try:
        shifts.staff_remove(signup, current_user, form.reason.data or "")
    except ShiftError as error:
        flash(error.message, "error")
    else:
        flash(_("Volunteer removed from the shift."), "success")
    return redirect(url_for("volunteers.staff_shift", shift_id=signup.shift_id))
