"""Entering the figures of the eight indicators, the library's own and the peers'."""

from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import gettext as _

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import IndicatorCode, IndicatorValue, Library, User
from eventsys.models.indicators import DEFAULT_UNITS
from eventsys.services import audit
from eventsys.services.indicators.errors import IndicatorError, SourceLinkError
from eventsys.services.indicators.labels import OWN_ACTIVITIES_COUNTED
from eventsys.services.indicators.periods import check_year


def _check_source_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise SourceLinkError(
            _("The source link must be a web address starting with http:// or https://.")
        )
    if len(url) > 500:
        raise SourceLinkError(_("The source link is too long (500 characters at most)."))
    return url


def set_value(
    year,
    code: str,
    library: str,
    value,
    unit: str = "",
    source: str = "",
    actor: User | None = None,
    is_sample: bool = False,
    source_url: str = "",
) -> IndicatorValue:
    """Enter or replace one indicator value; the caller commits. Audit-logged."""
    year = check_year(year)
    source_url = _check_source_url(source_url)
    if code not in set(IndicatorCode):
        raise IndicatorError(_("Unknown indicator %(code)s.", code=code))
    if library not in set(Library):
        raise IndicatorError(_("Unknown library %(library)s.", library=library))
    if code == IndicatorCode.READER_ACTIVITIES and library == Library.SUZHOU:
        raise IndicatorError(str(OWN_ACTIVITIES_COUNTED))
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise IndicatorError(_("Enter a number, such as 1234.5.")) from None
    if not number.is_finite():
        raise IndicatorError(_("Enter a number, such as 1234.5."))
    if number < 0:
        raise IndicatorError(_("An indicator value cannot be negative."))
    if number >= Decimal("1e16"):
        raise IndicatorError(_("This number is too large."))
    row = db.session.scalar(
        sa.select(IndicatorValue).where(
            IndicatorValue.year == year,
            IndicatorValue.code == code,
            IndicatorValue.library == library,
        )
    )
    fields = ("year", "code", "library", "value", "unit", "source", "source_url", "is_sample")
    before = None
    if row is None:
        row = IndicatorValue(year=year, code=code, library=library)
        db.session.add(row)
    else:
        before = {k: str(v) for k, v in audit.snapshot(row, fields).items()}
    row.value = number.quantize(Decimal("0.01"))
    row.unit = (unit or DEFAULT_UNITS[IndicatorCode(code)]).strip()[:20]
    row.source = (source or "").strip()[:300]
    row.source_url = source_url
    row.is_sample = is_sample
    row.entered_by_id = actor.id if actor is not None else None
    row.entered_at = utcnow()
    db.session.flush()
    after = {k: str(v) for k, v in audit.snapshot(row, fields).items()}
    if actor is not None:
        if before is None:
            audit.record(actor, "indicators.value_entered", row, None, after)
        elif before != after:
            audit.record(actor, "indicators.value_changed", row, *audit.changed(before, after))
    return row


def values_for(year: int) -> dict[tuple[str, str], IndicatorValue]:
    rows = db.session.scalars(sa.select(IndicatorValue).where(IndicatorValue.year == year))
    return {(r.code, r.library): r for r in rows}
