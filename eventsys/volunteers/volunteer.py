"""The volunteers' own pages: open shifts, applying, signing up and withdrawing, their
shifts and hours, the certificate."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from eventsys.auth.decorators import role_required
from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Role, Shift, ShiftSignup
from eventsys.services import shifts
from eventsys.services.shifts import ShiftError
from eventsys.volunteers.blueprint import bp
from eventsys.volunteers.forms import ApplicationForm, SignUpForm
from eventsys.volunteers.shared import arg_int, branches, day_bounds, shift_filter

volunteer_required = role_required(Role.VOLUNTEER)


@bp.get("/")
def index():
    chosen = shift_filter()
    start, end = day_bounds(chosen["first"], chosen["last"])
    signed_in = current_user.is_authenticated
    return render_template(
        "volunteers/index.html",
        withdrawal_closed=shifts.withdrawal_closed,
        shifts=shifts.open_shifts_for(
            current_user, start, end, chosen["branch_id"], chosen["role_id"]
        ),
        mine=shifts.active_shift_ids(current_user) if signed_in else set(),
        application=shifts.latest_application(current_user) if signed_in else None,
        can_see_shifts=shifts.can_see_open_shifts(current_user),
        roles=shifts.roles(),
        branches=branches(),
        **chosen,
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
    shift = db.get_or_404(Shift, shift_id)
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
    signup = db.get_or_404(ShiftSignup, signup_id)
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
    year = arg_int("year") or this_year
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
