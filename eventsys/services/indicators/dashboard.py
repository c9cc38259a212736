"""The dashboard: the eight indicators of a year, the change from the year before, and the
peers' figures beside them."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import IndicatorCode, IndicatorValue, Library, YearLock
from eventsys.models.indicators import DEFAULT_UNITS, PEERS
from eventsys.services.indicators.counting import figures
from eventsys.services.indicators.labels import INDICATOR_LABELS, LIBRARY_LABELS
from eventsys.services.indicators.locks import get_lock
from eventsys.services.indicators.peers import Comparison, Standing, peer_values, standing
from eventsys.services.indicators.periods import MIN_YEAR, check_year, year_period
from eventsys.services.indicators.values import values_for


@dataclass
class IndicatorRow:
    code: str
    label: str
    unit: str
    value: Decimal | None
    previous: Decimal | None
    change: Decimal | None
    change_percent: Decimal | None
    source: str
    is_sample: bool
    peers: list[Comparison]
    counted: bool = False  # reader activities: counted by eventsys
    source_url: str = ""
    standing: Standing | None = None
    own_is_sample: bool = False  # is_sample: Suzhou's figure or any peer's is a sample


def _percent(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    if part is None or whole in (None, 0):
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def reader_activity_sessions(year: int) -> int:
    """Suzhou's reader-activity sessions of ``year``: the locked figure once locked."""
    lock = get_lock(year)
    if lock is not None:
        return int(lock.figures["sessions"])
    return figures(year_period(year)).sessions


def latest_year_with_data(today: date | None = None) -> int | None:
    """The latest year up to this one with Suzhou figures entered or locked, which the
    dashboard opens on (the current year is nearly empty until the report is made)."""
    this_year = (today or utcnow().date()).year
    entered = sa.select(sa.func.max(IndicatorValue.year)).where(
        IndicatorValue.library == Library.SUZHOU.value, IndicatorValue.year <= this_year
    )
    locked = sa.select(sa.func.max(YearLock.year)).where(YearLock.year <= this_year)
    years = [y for y in (db.session.scalar(entered), db.session.scalar(locked)) if y]
    return max(years, default=None)


def dashboard(year) -> list[IndicatorRow]:
    """The eight indicators of ``year`` against the peers, with the change from last year."""
    year = check_year(year)
    current, previous = values_for(year), values_for(year - 1)
    published = peer_values(year)
    counted_now = Decimal(reader_activity_sessions(year))
    counted_before = Decimal(reader_activity_sessions(year - 1)) if year > MIN_YEAR else None
    rows = []
    for code in IndicatorCode:
        own = current.get((code.value, Library.SUZHOU.value))
        own_before = previous.get((code.value, Library.SUZHOU.value))
        counted = code == IndicatorCode.READER_ACTIVITIES
        if counted:
            value, before = counted_now, counted_before
        else:
            value = own.value if own else None
            before = own_before.value if own_before else None
        change = value - before if value is not None and before is not None else None
        peers = []
        for library in PEERS:
            peer = published.get((code.value, library.value))
            peer_value = peer.value if peer else None
            gap = value - peer_value if value is not None and peer_value is not None else None
            peers.append(
                Comparison(
                    library.value,
                    str(LIBRARY_LABELS[library]),
                    peer_value,
                    gap,
                    _percent(gap, peer_value),
                    year=peer.year if peer else None,
                    source=peer.source if peer else "",
                    source_url=peer.source_url if peer else "",
                    is_sample=bool(peer and peer.is_sample),
                )
            )
        sample = bool(own and own.is_sample) or any(p.is_sample for p in peers)
        rows.append(
            IndicatorRow(
                code=code.value,
                label=str(INDICATOR_LABELS[code]),
                unit=(own.unit if own and own.unit else DEFAULT_UNITS[code]),
                value=value,
                previous=before,
                change=change,
                change_percent=_percent(change, before),
                source=(str(_("Counted by eventsys")) if counted else (own.source if own else "")),
                is_sample=sample,
                peers=peers,
                counted=counted,
                source_url=own.source_url if own and not counted else "",
                standing=standing(value, peers),
                own_is_sample=bool(own and own.is_sample and not counted),
            )
        )
    return rows
