"""What a calendar feed or export asks for: its filter, read from a URL or a form and checked.

Every refusal is a ``FeedError`` with a message for the user and the HTTP status to answer.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from eventsys.extensions import db
from eventsys.local_time import library_zone
from eventsys.models import Audience, Branch, Campaign, EventKind, Series

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")


class FeedError(Exception):
    """A refused feed request, with a message for the user and the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class FeedFilter:
    kinds: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    series: Series | None = None
    campaign: Campaign | None = None
    branch: Branch | None = None
    locale: str = ""

    def key(self) -> str:
        parts = (
            ",".join(self.kinds),
            ",".join(self.audiences),
            self.series.slug if self.series else "",
            self.campaign.slug if self.campaign else "",
            self.branch.code if self.branch else "",
            self.locale,
        )
        return "|".join(parts)


@dataclass(frozen=True)
class Window:
    starts: datetime
    ends: datetime


@dataclass
class ExportRequest:
    filter: FeedFilter
    first_day: date
    last_day: date
    include_drafts: bool = False
    include_shifts: bool = False
    window: Window = field(init=False)


def _values(args: Mapping, name: str) -> list[str]:
    raw = args.getlist(name) if hasattr(args, "getlist") else [args.get(name) or ""]
    return [v.strip() for value in raw for v in (value or "").split(",") if v.strip()]


def _single(args: Mapping, name: str) -> str | None:
    values = _values(args, name)
    if len(values) > 1:
        raise FeedError(_("Give only one %(name)s.", name=name))
    return values[0] if values else None


def parse_kinds(values: list[str]) -> tuple[str, ...]:
    known = {k.value for k in EventKind}
    for value in values:
        if value not in known:
            raise FeedError(_("“%(value)s” is not a kind of event.", value=value[:40]))
    return tuple(sorted(set(values)))


def parse_audiences(values: list[str]) -> tuple[str, ...]:
    known = {a.value for a in Audience}
    for value in values:
        if value not in known:
            raise FeedError(_("“%(value)s” is not an audience.", value=value[:40]))
    return tuple(sorted(set(values)))


def find_series(slug: str) -> Series:
    if not _SLUG.match(slug):
        raise FeedError(_("“%(value)s” is not a valid series name.", value=slug[:40]))
    series = db.session.scalar(sa.select(Series).where(Series.slug == slug))
    if series is None:
        raise FeedError(_("There is no series called “%(value)s”.", value=slug), 404)
    return series


def find_campaign(slug: str) -> Campaign:
    if not _SLUG.match(slug):
        raise FeedError(_("“%(value)s” is not a valid campaign name.", value=slug[:40]))
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        raise FeedError(_("There is no campaign called “%(value)s”.", value=slug), 404)
    return campaign


def find_branch(code: str) -> Branch:
    if not _SLUG.match(code):
        raise FeedError(_("“%(value)s” is not a valid branch code.", value=code[:40]))
    branch = db.session.scalar(sa.select(Branch).where(Branch.code == code))
    if branch is None:
        raise FeedError(
            _("There is no branch or centre with the code “%(value)s”.", value=code), 404
        )
    return branch


def parse_locale(value: str | None) -> str:
    languages = current_app.config["EVENTSYS_LANGUAGES"]
    if not value:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if value not in languages:
        raise FeedError(_("“%(value)s” is not a language of this site.", value=value[:20]))
    return value


def parse_filter(args: Mapping, **fixed) -> FeedFilter:
    """The filter of a feed URL's query (``kind``, ``audience``, ``series``, ``campaign``,
    ``branch``, ``lang``); ``fixed`` values come from the path of a named feed."""
    kinds = parse_kinds(_values(args, "kind"))
    if "kind" in fixed:
        kinds = parse_kinds([fixed.pop("kind")])
    series_slug = fixed.pop("series", None) or _single(args, "series")
    campaign_slug = fixed.pop("campaign", None) or _single(args, "campaign")
    branch_code = fixed.pop("branch", None) or _single(args, "branch")
    return FeedFilter(
        kinds=kinds,
        audiences=parse_audiences(_values(args, "audience")),
        series=find_series(series_slug) if series_slug else None,
        campaign=find_campaign(campaign_slug) if campaign_slug else None,
        branch=find_branch(branch_code) if branch_code else None,
        locale=parse_locale(_single(args, "lang")),
    )


def export_request(
    feed_filter: FeedFilter,
    first_day: date,
    last_day: date,
    include_drafts: bool = False,
    include_shifts: bool = False,
) -> ExportRequest:
    """A checked export range: not inverted, not longer than the configured maximum."""
    if last_day < first_day:
        raise FeedError(_("The end date is before the start date."))
    max_days = current_app.config["EVENTSYS_EXPORT_MAX_DAYS"]
    if (last_day - first_day).days + 1 > max_days:
        raise FeedError(
            _(
                "An export covers at most %(days)s days. Please choose a shorter range.",
                days=max_days,
            )
        )
    request = ExportRequest(feed_filter, first_day, last_day, include_drafts, include_shifts)
    zone = library_zone()
    request.window = Window(
        starts=datetime.combine(first_day, time.min, zone).astimezone(UTC),
        ends=datetime.combine(last_day + timedelta(days=1), time.min, zone).astimezone(UTC),
    )
    return request
