"""The peer libraries' published figures and where the library stands among them."""

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.models import IndicatorValue
from eventsys.models.indicators import PEERS


@dataclass
class Comparison:
    library: str
    label: str
    value: Decimal | None
    gap: Decimal | None  # Suzhou minus the peer
    gap_percent: Decimal | None  # of the peer's value
    year: int | None = None  # the year of the peer's published figure
    source: str = ""
    source_url: str = ""
    is_sample: bool = False


@dataclass
class Standing:
    """Where Suzhou stands among the libraries shown with a figure (立标尺、找差距):
    its rank (1 is the largest figure) and how far it is from the next one up and the best."""

    rank: int
    of: int
    next_up: Comparison | None = None
    gap_to_next: Decimal | None = None
    best: Comparison | None = None
    gap_to_best: Decimal | None = None


def standing(value: Decimal | None, peers: list[Comparison]) -> Standing | None:
    """Suzhou's rank among the peers that have a figure; None without a figure of its own.

    Every indicator is one where more is better. Ties share a rank; the next one up is the
    smallest figure above Suzhou's."""
    if value is None:
        return None
    shown = [p for p in peers if p.value is not None]
    above = sorted((p for p in shown if p.value > value), key=lambda p: p.value)
    result = Standing(rank=len(above) + 1, of=len(shown) + 1)
    if above:
        result.next_up, result.best = above[0], above[-1]
        result.gap_to_next = above[0].value - value
        result.gap_to_best = above[-1].value - value
    return result


# Peers publish their figures a year or two late: a missing figure is taken from up to this
# many years before, and the page says which year it is.
PEER_LOOKBACK_YEARS = 2


def peer_values(year: int) -> dict[tuple[str, str], IndicatorValue]:
    """Each peer's latest figure of each indicator from ``year`` or the years just before."""
    rows = db.session.scalars(
        sa.select(IndicatorValue)
        .where(
            IndicatorValue.library.in_([p.value for p in PEERS]),
            IndicatorValue.year.between(year - PEER_LOOKBACK_YEARS, year),
        )
        .order_by(IndicatorValue.year)
    )
    return {(r.code, r.library): r for r in rows}
