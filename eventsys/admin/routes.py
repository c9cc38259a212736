"""Admin pages: users and roles, policies, the audit log, mails that could not be sent."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice

from eventsys.admin import audit_display
from eventsys.admin.blueprint import bp
from eventsys.admin.forms import (
    ROLE_LABELS,
    AuditFilterForm,
    RetryFailedForm,
    RetryMailForm,
    UserAccessForm,
    UserFilterForm,
    policies_form,
)
from eventsys.auth.decorators import admin_required
from eventsys.exports import Table, download
from eventsys.extensions import db
from eventsys.models import User
from eventsys.services import accounts, policies, registrations
from eventsys.services import audit as audit_log
from eventsys.services import outbox as outbox_service

PER_PAGE = 50
EXPORT_LIMIT = 50_000


@bp.get("/")
@admin_required
def index():
    return render_template("admin/index.html")


@bp.get("/users")
@admin_required
def users():
    form = UserFilterForm(request.args)
    text, role = "", ""
    if form.validate():
        text, role = form.q.data or "", form.role.data or ""
    page = db.paginate(accounts.search_users(text, role), per_page=PER_PAGE, error_out=False)
    return render_template("admin/users.html", form=form, page=page, role_labels=ROLE_LABELS)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user_edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserAccessForm(obj=user)
    if form.validate_on_submit():
        try:
            changed = accounts.update_access(current_user, user, form.role.data, form.active.data)
        except accounts.AccountError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            if changed:
                flash(_("The access of %(name)s is saved.", name=user.display_name), "success")
            else:
                flash(_("Nothing changed."), "info")
            return redirect(url_for("admin.users"))
    return render_template(
        "admin/user_edit.html",
        form=form,
        user=user,
        role_labels=ROLE_LABELS,
        suspended=registrations.is_suspended(user),
    )


@bp.route("/policies", methods=["GET", "POST"], endpoint="policies")
@admin_required
def policies_page():
    form = policies_form({key: policies.get(key) for key in policies.POLICIES})
    if form.validate_on_submit():
        values = {key: form[key].data for key in policies.POLICIES}
        changes = policies.update(current_user, values)
        db.session.commit()
        if changes:
            flash(_("The policies are saved."), "success")
        else:
            flash(_("Nothing changed."), "info")
        return redirect(url_for("admin.policies"))
    return render_template("admin/policies.html", form=form, policies=policies.POLICIES)


@bp.get("/audit")
@admin_required
def audit():
    form = AuditFilterForm(request.args)
    form.actor.choices = [
        SelectChoice(value="", label=_("Anyone")),
        *(SelectChoice(value=str(u.id), label=u.display_name) for u in audit_log.actors()),
    ]
    form.entity.choices = [
        SelectChoice(value="", label=_("Everything")),
        *(
            SelectChoice(value=t, label=audit_display.object_label(t))
            for t in audit_log.object_types()
        ),
    ]
    chosen = audit_log.AuditFilter()
    if form.validate():
        chosen = audit_log.AuditFilter(
            actor_id=int(form.actor.data) if form.actor.data else None,
            entity_type=form.entity.data or "",
            entity_id=form.entity_id.data,
            first_day=form.start.data,
            last_day=form.end.data,
        )
    if request.args.get("format") == "csv":
        table = Table(
            _("Audit log"),
            audit_display.csv_headers(),
            audit_display.csv_rows(audit_log.entries(chosen, limit=EXPORT_LIMIT)),
        )
        return download([table], "audit-log", "csv", titles=False)
    page = db.paginate(audit_log.query(chosen), per_page=PER_PAGE, error_out=False)
    views = [audit_display.describe(entry) for entry in page.items]
    return render_template("admin/audit.html", form=form, page=page, views=views)


@bp.get("/outbox")
@admin_required
def outbox():
    page = db.paginate(outbox_service.undelivered_query(), per_page=PER_PAGE, error_out=False)
    return render_template("admin/outbox.html", page=page)


@bp.post("/outbox/retry")
@admin_required
def outbox_retry():
    form = RetryMailForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        message = outbox_service.retry(form.message_id.data, current_user)
    except outbox_service.RetryError:
        db.session.rollback()
        flash(_("This mail is sent, unknown or being sent right now; it was not queued."), "error")
    else:
        db.session.commit()
        flash(_("The mail to %(to)s is queued again.", to=message.to_address), "success")
    return redirect(url_for("admin.outbox"))


@bp.post("/outbox/retry-failed")
@admin_required
def outbox_retry_failed():
    if not RetryFailedForm().validate_on_submit():
        abort(400)
    count = outbox_service.retry_failed(current_user)
    db.session.commit()
    flash(
        ngettext("%(num)s mail is queued again.", "%(num)s mails are queued again.", count),
        "success",
    )
    return redirect(url_for("admin.outbox"))
