"""The staff desk: the entry page, and the branches and venues events take place in."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from eventsys.auth.decorators import staff_required
from eventsys.extensions import db
from eventsys.models import Branch, Venue
from eventsys.services import venues
from eventsys.staff.blueprint import bp
from eventsys.staff.forms import (
    BRANCH_KIND_LABELS,
    VENUE_KIND_LABELS,
    BranchForm,
    VenueForm,
)


@bp.get("/")
@staff_required
def index():
    return render_template("staff/index.html")


@bp.get("/branches")
@staff_required
def branches():
    return render_template(
        "staff/branches.html",
        branches=venues.branches_with_venues(),
        branch_kinds=BRANCH_KIND_LABELS,
        venue_kinds=VENUE_KIND_LABELS,
    )


def _show_refusal(form, error: venues.VenueError) -> None:
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = [*target.errors, str(error)]
    else:
        form.form_errors.append(str(error))


def _fields(form) -> dict:
    return {name: field.data for name, field in form._fields.items() if name != "csrf_token"}


@bp.route("/branches/new", methods=["GET", "POST"])
@staff_required
def branch_new():
    return _branch_form(None)


@bp.route("/branches/<int:branch_id>/edit", methods=["GET", "POST"])
@staff_required
def branch_edit(branch_id: int):
    return _branch_form(db.get_or_404(Branch, branch_id))


def _branch_form(branch: Branch | None):
    form = BranchForm(obj=branch)
    if form.validate_on_submit():
        try:
            if branch is None:
                branch = venues.create_branch(current_user, _fields(form))
            else:
                venues.update_branch(current_user, branch, _fields(form))
        except venues.VenueError as error:
            _show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("Branch “%(name)s” is saved.", name=branch.name), "success")
            return redirect(url_for("staff.branches"))
    return render_template("staff/branches_edit.html", form=form, branch=branch)


@bp.route("/venues/new", methods=["GET", "POST"])
@staff_required
def venue_new():
    return _venue_form(None)


@bp.route("/venues/<int:venue_id>/edit", methods=["GET", "POST"])
@staff_required
def venue_edit(venue_id: int):
    return _venue_form(db.get_or_404(Venue, venue_id))


def _venue_form(venue: Venue | None):
    form = VenueForm(obj=venue)
    form.branch_id.choices = [
        SelectChoice(value=str(b.id), label=b.name) for b in venues.branches_by_name()
    ]
    if not form.branch_id.choices:
        flash(_("Create a branch first: every venue belongs to one."), "info")
        return redirect(url_for("staff.branch_new"))
    if venue is None and request.method == "GET":
        wanted = request.args.get("branch_id", type=int)
        if str(wanted) in {choice.value for choice in form.branch_id.choices}:
            form.branch_id.data = wanted
    if form.validate_on_submit():
        try:
            if venue is None:
                venue = venues.create_venue(current_user, _fields(form))
            else:
                venues.update_venue(current_user, venue, _fields(form))
        except venues.VenueError as error:
            _show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("Venue “%(name)s” is saved.", name=venue.name), "success")
            return redirect(url_for("staff.branches") + f"#branch-{venue.branch_id}")
    return render_template("staff/venue_edit.html", form=form, venue=venue)
