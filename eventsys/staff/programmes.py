"""Staff pages for series and campaigns: the list, creating and editing them."""

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventsys.auth.decorators import staff_required
from eventsys.extensions import db
from eventsys.models import Campaign, Series
from eventsys.services import catalogue
from eventsys.services import events as event_service
from eventsys.staff.blueprint import bp
from eventsys.staff.event_forms import CampaignForm, SeriesForm
from eventsys.staff.shared import form_status, submit


@bp.get("/series")
@staff_required
def series_list():
    return render_template(
        "staff/events/series_list.html",
        series=catalogue.all_series(),
        campaigns=catalogue.all_campaigns(),
    )


def _save_programme(form, save, obj, heading: str):
    if request.method == "GET" and obj is not None:
        form.process(obj=obj)
    saved = submit(
        form,
        lambda: save(
            current_user, {name: form[name].data for name in form.data if name != "csrf_token"}, obj
        ),
        _("Saved."),
        lambda _saved: url_for("staff.series_list"),
    )
    if saved is not None:
        return saved
    return render_template(
        "staff/events/programme_edit.html", form=form, obj=obj, heading=heading
    ), form_status(form)


@bp.route("/series/new", methods=["GET", "POST"])
@staff_required
def series_create():
    return _save_programme(SeriesForm(), event_service.save_series, None, _("New series"))


@bp.route("/series/<int:series_id>/edit", methods=["GET", "POST"])
@staff_required
def series_edit(series_id: int):
    series = db.session.get(Series, series_id) or abort(404)
    return _save_programme(SeriesForm(), event_service.save_series, series, _("Edit series"))


@bp.route("/campaigns/new", methods=["GET", "POST"])
@staff_required
def campaign_create():
    return _save_programme(CampaignForm(), event_service.save_campaign, None, _("New campaign"))


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@staff_required
def campaign_edit(campaign_id: int):
    campaign = db.session.get(Campaign, campaign_id) or abort(404)
    return _save_programme(
        CampaignForm(), event_service.save_campaign, campaign, _("Edit campaign")
    )
