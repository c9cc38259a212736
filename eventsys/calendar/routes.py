"""Calendar feeds to subscribe to, one-event downloads, the personal feed and the staff export."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from eventsys.auth.decorators import staff_required
from eventsys.calendar.blueprint import bp
from eventsys.calendar.forms import AlarmForm, ExportForm, alarm_choices
from eventsys.extensions import db, limiter
from eventsys.models import Audience, Event, EventKind, EventStatus
from eventsys.services import catalogue, feeds, ical

PUBLIC_MAX_AGE = 300


@bp.app_context_processor
def _calendar_globals() -> dict:
    # The account page includes templates/calendar/_account.html, which offers these.
    return {"calendar_alarm_choices": alarm_choices}


def _feed_locale_args() -> dict:
    """Feeds are in the default language unless the page was read in another one."""
    locale = str(get_locale() or "")
    if locale and locale != current_app.config["BABEL_DEFAULT_LOCALE"]:
        return {"lang": locale}
    return {}


def _public_feed(**fixed):
    try:
        feed_filter = feeds.parse_filter(request.args, **fixed)
    except feeds.FeedError as error:
        abort(error.status, str(error))
    fingerprint, build = feeds.public_feed(feed_filter)
    name = "-".join(v for v in fixed.values()) or "events"
    return feeds.calendar_response(
        request, build, filename=f"{name}.ics", fingerprint=fingerprint, max_age=PUBLIC_MAX_AGE
    )


@bp.get("/")
def index():
    audience = request.args.get("audience") or ""
    if audience and audience not in {a.value for a in Audience}:
        abort(400, _("“%(value)s” is not an audience.", value=audience[:40]))
    args = _feed_locale_args()
    if audience:
        args["audience"] = audience
    return render_template(
        "calendar/index.html",
        audience=audience,
        feed_args=args,
        kinds=list(EventKind),
        kind_labels=ical.KIND_LABELS,
        audience_labels=ical.AUDIENCE_LABELS,
        series=catalogue.all_series(),
        campaigns=catalogue.all_campaigns(),
        branches=catalogue.branches(),
    )


@bp.get("/events.ics")
def events_feed():
    return _public_feed()


@bp.get("/kind/<kind>.ics")
def kind_feed(kind: str):
    if kind not in {k.value for k in EventKind}:
        abort(404, _("There is no calendar for “%(value)s”.", value=kind[:40]))
    return _public_feed(kind=kind)


@bp.get("/series/<slug>.ics")
def series_feed(slug: str):
    return _public_feed(series=slug)


@bp.get("/campaign/<slug>.ics")
def campaign_feed(slug: str):
    return _public_feed(campaign=slug)


@bp.get("/branch/<code>.ics")
def branch_feed(code: str):
    return _public_feed(branch=code)


@bp.get("/event/<int:event_id>.ics")
def event_download(event_id: int):
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    staff = current_user.is_authenticated and current_user.is_staff
    if event.status == EventStatus.DRAFT and not staff:
        abort(404)
    fingerprint = feeds.events_fingerprint([Event.id == event.id], "event", str(get_locale()))

    def build() -> bytes:
        return ical.to_bytes(ical.event_calendar([event]))

    return feeds.calendar_response(
        request,
        build,
        filename=f"event-{event.id}.ics",
        fingerprint=fingerprint,
        attachment=True,
        max_age=PUBLIC_MAX_AGE,
        private=event.status == EventStatus.DRAFT,
    )


def _tokens_limit() -> str:
    return current_app.config["RATELIMIT_TOKENS"]


def _unknown_token(response) -> bool:
    return response.status_code == 404


# Only wrong guesses count, so calendar apps polling a valid address are never throttled.
@bp.get("/u/<token>.ics")
@limiter.limit(_tokens_limit, deduct_when=_unknown_token)
def personal_feed(token: str):
    user = feeds.user_for_token(token)
    if user is None:
        abort(404)
    fingerprint, build = feeds.personal_feed(user)
    return feeds.calendar_response(
        request,
        build,
        filename="my-events.ics",
        fingerprint=fingerprint,
        max_age=PUBLIC_MAX_AGE,
        private=True,
    )


def _to_account():
    return redirect(url_for("auth.account") + "#calendar-heading")


@bp.post("/token")
@login_required
def token_issue():
    had_token = current_user.calendar_token is not None
    feeds.issue_token(current_user)
    db.session.commit()
    if had_token:
        flash(_("Your calendar address is new; the old one no longer works."), "success")
    else:
        flash(_("Your personal calendar address is ready."), "success")
    return _to_account()


@bp.post("/token/revoke")
@login_required
def token_revoke():
    feeds.revoke_token(current_user)
    db.session.commit()
    flash(_("Your personal calendar address no longer works."), "info")
    return _to_account()


@bp.post("/alarm")
@login_required
def alarm():
    form = AlarmForm()
    if not form.validate_on_submit():
        flash(_("Choose one of the offered reminder times."), "error")
        return _to_account()
    try:
        feeds.set_alarm(current_user, int(form.alarm.data) if form.alarm.data else None)
    except feeds.FeedError as error:
        flash(str(error), "error")
        return _to_account()
    db.session.commit()
    flash(_("Your reminder choice is saved."), "success")
    return _to_account()


def _export_form() -> ExportForm:
    form = ExportForm()
    form.kind.choices = [SelectChoice(k.value, str(ical.KIND_LABELS[k])) for k in EventKind]
    form.audience.choices = [SelectChoice(a.value, str(ical.AUDIENCE_LABELS[a])) for a in Audience]
    every = [SelectChoice("", _("All"))]
    form.series.choices = every + [
        SelectChoice(s.slug, s.localized_title) for s in catalogue.all_series()
    ]
    form.campaign.choices = every + [
        SelectChoice(c.slug, c.localized_title) for c in catalogue.all_campaigns()
    ]
    form.branch.choices = every + [
        SelectChoice(b.code, b.localized_name) for b in catalogue.branches()
    ]
    return form


@bp.route("/export", methods=["GET", "POST"])
@staff_required
def export():
    form = _export_form()
    if form.validate_on_submit():
        try:
            feed_filter = feeds.FeedFilter(
                kinds=feeds.parse_kinds(form.kind.data or []),
                audiences=feeds.parse_audiences(form.audience.data or []),
                series=feeds.find_series(form.series.data) if form.series.data else None,
                campaign=feeds.find_campaign(form.campaign.data) if form.campaign.data else None,
                branch=feeds.find_branch(form.branch.data) if form.branch.data else None,
                locale=str(get_locale()),
            )
            export_request = feeds.export_request(
                feed_filter,
                form.first_day.data,
                form.last_day.data,
                include_drafts=form.drafts.data,
                include_shifts=form.shifts.data,
            )
        except feeds.FeedError as error:
            form.form_errors.append(str(error))
        else:
            with force_locale(feed_filter.locale):
                body = feeds.export_calendar(export_request)
            return feeds.calendar_response(
                request,
                lambda: body,
                filename=feeds.export_filename(export_request),
                attachment=True,
            )
    return render_template("calendar/export.html", form=form)
