"""Series and campaigns: the programmes events belong to, with their short names (slugs).

The caller commits.
"""

import re

import sqlalchemy as sa
from flask_babel import gettext as _

from eventsys.extensions import db
from eventsys.models import Campaign, Series, User
from eventsys.services import audit
from eventsys.services.event_fields import EventError

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


def _check_slug(model, slug: str, current_id: int | None) -> dict:
    if not _SLUG.match(slug or ""):
        return {"slug": _("Use lower-case letters, digits and hyphens (at most 80).")}
    taken = db.session.scalar(sa.select(model.id).where(model.slug == slug))
    if taken is not None and taken != current_id:
        return {"slug": _("This short name is taken already.")}
    return {}


def _set_texts(programme: Series | Campaign, values: dict, slug: str, title: str) -> None:
    """The short name, title and description, in Chinese and in English."""
    programme.slug, programme.title = slug, title[:200]
    programme.description = values.get("description") or ""
    programme.title_en = (values.get("title_en") or "").strip()[:200]
    programme.description_en = values.get("description_en") or ""


def save_series(actor: User | None, values: dict, series: Series | None = None) -> Series:
    slug = (values.get("slug") or "").strip()
    title = (values.get("title") or "").strip()
    errors = _check_slug(Series, slug, series.id if series else None)
    if not title:
        errors["title"] = _("Give the series a title.")
    if errors:
        raise EventError(" ".join(errors.values()), errors)
    before = None
    if series is None:
        series = Series()
        db.session.add(series)
    else:
        before = audit.snapshot(series, ("slug", "title", "brand", "description"))
    _set_texts(series, values, slug, title)
    series.brand = (values.get("brand") or "").strip()[:40]
    db.session.flush()
    after = audit.snapshot(series, ("slug", "title", "brand", "description"))
    audit.record(actor, "series.save", series, before, after)
    return series


def save_campaign(actor: User | None, values: dict, campaign: Campaign | None = None) -> Campaign:
    slug = (values.get("slug") or "").strip()
    title = (values.get("title") or "").strip()
    year = values.get("year")
    errors = _check_slug(Campaign, slug, campaign.id if campaign else None)
    if not title:
        errors["title"] = _("Give the campaign a title.")
    if not isinstance(year, int) or not 1900 <= year <= 2200:
        errors["year"] = _("Give a year between 1900 and 2200.")
    if errors:
        raise EventError(" ".join(errors.values()), errors)
    before = None
    if campaign is None:
        campaign = Campaign(year=year)
        db.session.add(campaign)
    else:
        before = audit.snapshot(campaign, ("slug", "title", "year", "description"))
    _set_texts(campaign, values, slug, title)
    campaign.year = year
    db.session.flush()
    after = audit.snapshot(campaign, ("slug", "title", "year", "description"))
    audit.record(actor, "campaign.save", campaign, before, after)
    return campaign
