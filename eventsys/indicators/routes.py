"""Indicator pages: the eight indicators against the peers, reader activities, year locks."""

from datetime import date
from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from eventsys.auth.decorators import admin_required, staff_required
from eventsys.db_types import utcnow
from eventsys.exports import FORMATS, Table, download
from eventsys.extensions import db
from eventsys.indicators.blueprint import bp
from eventsys.indicators.forms import LockForm, ValueForm
from eventsys.library import current_library
from eventsys.models import Campaign
from eventsys.services import indicators as svc
from eventsys.services.indicators import IndicatorError
from eventsys.services.links import event_url
from eventsys.services.registrations import local_text


def _export_format() -> str | None:
    fmt = request.args.get("format")
    if fmt is None:
        return None
    if fmt not in FORMATS:
        abort(400, _("Unknown export format. Use csv or xlsx."))
    return fmt


def _year_arg() -> int:
    raw = request.args.get("year")
    if raw in (None, ""):
        latest = svc.latest_year_with_data()
        if latest is not None:
            return latest
        return utcnow().year - 1 if utcnow().month < 3 else utcnow().year
    try:
        return svc.check_year(raw)
    except IndicatorError as error:
        abort(400, str(error))


def _period_arg() -> svc.Period:
    """``period=2021-Q2``; or ``start``/``end`` dates; or ``year`` plus ``part`` (Q1, 05...)."""
    args = request.args
    if args.get("start") or args.get("end"):
        text = f"{args.get('start', '')}..{args.get('end', '')}"
    elif args.get("period"):
        text = args["period"]
    else:
        year = args.get("year") or str(_year_arg())
        part = args.get("part", "")
        text = f"{year}-{part}" if part else year
    try:
        return svc.parse_period(text)
    except IndicatorError as error:
        abort(400, str(error))


def _campaign_arg() -> Campaign | None:
    raw = request.args.get("campaign")
    if not raw:
        return None
    # A digit string beyond any id would overflow the database integer.
    campaign = db.session.get(Campaign, int(raw)) if raw.isdigit() and len(raw) < 10 else None
    if campaign is None:
        abort(404)
    return campaign


@bp.app_template_filter("indicator_number")
def number(value, signed: bool = False) -> str:
    """A figure with the language's thousands separator and at most two decimals."""
    if value is None:
        return "—"
    text = format_decimal(value, format="#,##0.##")
    return f"+{text}" if signed and value > 0 else text


@bp.app_template_filter("indicator_percent")
def percent(value, signed: bool = False) -> str:
    if value is None:
        return ""
    text = format_percent(Decimal(value) / 100, format="#,##0.0%")
    return f"+{text}" if signed and value > 0 else text


@bp.app_template_filter("indicator_unit")
def unit(value: str) -> str:
    return svc.unit_label(value)


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"
    return str(value)


# ---------------------------------------------------------------- dashboard


def _chart(rows: list[svc.IndicatorRow], year: int) -> list[dict]:
    """Bars for each indicator, in per cent of the largest of the five libraries."""
    own = current_library().name
    charts = []
    for row in rows:
        bars = [(own, row.value, True, year)]
        bars += [(p.label, p.value, False, p.year) for p in row.peers]
        top = max((v for _n, v, _o, _y in bars if v is not None), default=0) or 1
        charts.append(
            {
                "label": row.label,
                "unit": svc.unit_label(row.unit),
                "bars": [
                    {
                        "name": name if bar_year in (None, year) else f"{name} ({bar_year})",
                        "value": number(value) if value is not None else _("no value"),
                        "percent": round(float(value or 0) / float(top) * 100, 1),
                        "own": own,
                    }
                    for name, value, own, bar_year in bars
                ],
            }
        )
    return charts


def _dashboard_tables(year: int, rows: list[svc.IndicatorRow]) -> list[Table]:
    headers = [_("Indicator"), _("Unit"), current_library().name, _("Previous year"), _("Change")]
    headers += [_("Change %"), _("Rank"), _("Gap to the next one up"), _("Gap to the best")]
    for peer in rows[0].peers:
        headers += [peer.label, _("Year"), _("Gap"), _("Gap %"), _("Source")]
    headers += [_("Source"), _("Sample figures")]
    body = []
    for row in rows:
        line = [row.label, svc.unit_label(row.unit), _fmt(row.value), _fmt(row.previous)]
        line += [_fmt(row.change), _fmt(row.change_percent)]
        standing = row.standing
        line += (
            [f"{standing.rank}/{standing.of}", _fmt(standing.gap_to_next)]
            + [_fmt(standing.gap_to_best)]
            if standing
            else ["", "", ""]
        )
        for peer in row.peers:
            line += [_fmt(peer.value), peer.year or "", _fmt(peer.gap), _fmt(peer.gap_percent)]
            line.append(_("sample figure") if peer.is_sample else peer.source)
        line += [row.source, _("yes") if row.is_sample else ""]
        body.append(line)
    return [Table(_("Core indicators %(year)s", year=year), headers, body)]


@bp.get("/")
@staff_required
def dashboard():
    year = _year_arg()
    rows = svc.dashboard(year)
    fmt = _export_format()
    if fmt:
        return download(_dashboard_tables(year, rows), f"indicators-{year}", fmt)
    lock = svc.get_lock(year)
    difference = svc.lock_difference(lock) if lock else None
    live = None if lock else svc.figures(svc.year_period(year))
    return render_template(
        "indicators/dashboard.html",
        year=year,
        rows=rows,
        charts=_chart(rows, year),
        lock=lock,
        difference=difference,
        live=live,
        form=LockForm(),
    )


# ---------------------------------------------------------------- reader activities


def _activity_tables(figures: svc.Figures, title: str) -> list[Table]:
    head = [_("Split"), _("Group"), _("Sessions"), _("Participants")]
    rows = [[_("Total"), "", figures.sessions, figures.participants]]
    for split in svc.SPLITS:
        rows += [
            [str(svc.SPLIT_LABELS[split]), c.label, c.sessions, c.participants]
            for c in figures.split(split)
        ]
    return [Table(title, head, rows)]


@bp.get("/activities")
@staff_required
def activities():
    period = _period_arg()
    campaign = _campaign_arg()
    figures = svc.figures(period, campaign_id=campaign.id if campaign else None)
    title = _("Reader activities %(period)s", period=period.key)
    if campaign:
        title = f"{campaign.title} · {title}"
    fmt = _export_format()
    if fmt:
        name = f"reader-activities-{period.key}" + (f"-{campaign.slug}" if campaign else "")
        return download(_activity_tables(figures, title), name, fmt)
    return render_template(
        "indicators/activities.html",
        period=period,
        figures=figures,
        campaign=campaign,
        campaigns=svc.campaigns_in(period.year),
        volunteers=svc.volunteer_figures(period),
        splits=[(s, svc.SPLIT_LABELS[s]) for s in svc.SPLITS if not (campaign and s == "campaign")],
        title=title,
        years=range(utcnow().year + 1, utcnow().year - 6, -1),
    )


def _safe_event_url(event) -> str | None:
    try:
        return event_url(event)
    except BuildError:  # that kind's public pages are not installed
        return None


@bp.get("/activities/events")
@staff_required
def events():
    period = _period_arg()
    campaign = _campaign_arg()
    split = request.args.get("split") or None
    key = request.args.get("key") or None
    try:
        counted = svc.cell_events(period, split, key, campaign_id=campaign.id if campaign else None)
    except IndicatorError as error:
        abort(400, str(error))
    label = _("All counted events")
    if split:
        figures = svc.figures(period, campaign_id=campaign.id if campaign else None)
        cell = figures.cell(split, None if key in (None, "none") else key)
        label = f"{svc.SPLIT_LABELS[split]}: {cell.label if cell else key}"
    fmt = _export_format()
    if fmt:
        head = [_("Starts"), _("Title"), _("Kind"), _("Online"), _("Sessions")]
        head.append(_("Participants"))
        rows = [
            [
                local_text(c.event.starts_at),
                c.event.title,
                str(svc.KIND_HEADINGS.get(c.event.kind, c.event.kind)),
                _("yes") if c.event.online else "",
                c.sessions,
                c.participants,
            ]
            for c in counted
        ]
        rows.append([_("Total"), "", "", "", sum(c.sessions for c in counted)])
        rows[-1].append(sum(c.participants for c in counted))
        return download([Table(label, head, rows)], f"reader-activities-{period.key}", fmt)
    return render_template(
        "indicators/events.html",
        period=period,
        campaign=campaign,
        counted=counted,
        label=label,
        event_link=_safe_event_url,
        kind_labels=svc.KIND_HEADINGS,
        total_sessions=sum(c.sessions for c in counted),
        total_participants=sum(c.participants for c in counted),
    )


# ---------------------------------------------------------------- year locks


@bp.post("/lock/<int:year>")
@staff_required
def lock(year: int):
    if not LockForm().validate_on_submit():
        abort(400)
    try:
        svc.lock_year(year, current_user)
    except IndicatorError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("%(year)s is locked for reporting.", year=year), "success")
    return redirect(url_for("indicators.dashboard", year=year))


@bp.post("/unlock/<int:year>")
@admin_required
def unlock(year: int):
    if not LockForm().validate_on_submit():
        abort(400)
    try:
        svc.unlock_year(year, current_user)
    except IndicatorError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("%(year)s is unlocked; it shows the live figures again.", year=year), "success")
    return redirect(url_for("indicators.dashboard", year=year))


# ---------------------------------------------------------------- values (admin)


@bp.route("/values", methods=["GET", "POST"])
@admin_required
def values():
    year = _year_arg()
    form = ValueForm()
    if request.method == "GET":
        form.year.data = year
    if form.validate_on_submit():
        try:
            svc.set_value(
                form.year.data,
                form.code.data,
                form.library.data,
                form.value.data,
                unit=form.unit.data or "",
                source=form.source.data,
                source_url=form.source_url.data or "",
                actor=current_user,
            )
        except IndicatorError as error:
            db.session.rollback()
            target = form.code if form.code.data == "reader_activities" else form.value
            if isinstance(error, svc.SourceLinkError):
                target = form.source_url
            target.errors = [*target.errors, str(error)]
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("indicators.values", year=form.year.data))
    status = 400 if form.errors else 200
    entered = sorted(svc.values_for(year).values(), key=lambda v: (v.code, v.library))
    return (
        render_template(
            "indicators/values.html",
            form=form,
            year=year,
            entered=entered,
            indicator_labels=svc.INDICATOR_LABELS,
            library_labels=svc.LIBRARY_LABELS,
        ),
        status,
    )


@bp.app_template_filter("indicator_date")
def _indicator_date(value: date) -> str:
    return value.isoformat()
