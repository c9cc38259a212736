"""Sample core-indicator figures for 2020 and 2021: Suzhou's seven entered indicators and
the four peer libraries' eight. Marked as sample figures everywhere they appear; they are
of a plausible size, not official statistics."""

from eventsys.models import IndicatorCode as C
from eventsys.models import Library as L
from eventsys.services import indicators

SOURCE = "示例数据 sample figures"

# (year, library) -> {indicator: value}; Suzhou's reader activities are counted, not here.
FIGURES = {
    (2020, L.SUZHOU): {
        C.FISCAL_APPROPRIATION: 21500,
        C.TOTAL_COLLECTION: 10_200_000,
        C.NEW_ACQUISITIONS: 610_000,
        C.REGISTERED_READERS: 1_650_000,
        C.VISITS: 520,
        C.LOANS: 1_050,
        C.ACQUISITION_SPENDING: 3_600,
    },
    (2021, L.SUZHOU): {
        C.FISCAL_APPROPRIATION: 23800,
        C.TOTAL_COLLECTION: 10_900_000,
        C.NEW_ACQUISITIONS: 680_000,
        C.REGISTERED_READERS: 1_820_000,
        C.VISITS: 780,
        C.LOANS: 1_260,
        C.ACQUISITION_SPENDING: 3_900,
    },
}
_PEERS = {
    L.SHANGHAI: (68000, 58_000_000, 1_500_000, 4_200_000, 1_600, 9_800, 2_900, 12_000),
    L.GUANGZHOU: (42000, 12_000_000, 900_000, 3_100_000, 1_050, 5_600, 1_900, 6_500),
    L.SHENZHEN: (39000, 10_500_000, 850_000, 2_600_000, 880, 4_900, 1_700, 6_000),
    L.HANGZHOU: (26000, 7_800_000, 560_000, 1_900_000, 760, 3_700, 1_150, 4_000),
}
_ORDER = (
    C.FISCAL_APPROPRIATION,
    C.TOTAL_COLLECTION,
    C.NEW_ACQUISITIONS,
    C.REGISTERED_READERS,
    C.VISITS,
    C.READER_ACTIVITIES,
    C.LOANS,
    C.ACQUISITION_SPENDING,
)
for _library, _values in _PEERS.items():
    FIGURES[(2021, _library)] = dict(zip(_ORDER, _values, strict=True))
    # 2020: the pandemic year, about four fifths of 2021.
    FIGURES[(2020, _library)] = {c: round(v * 0.8) for c, v in zip(_ORDER, _values, strict=True)}


def load():
    """Enter (or re-enter, unchanged) every sample value; creates nothing twice."""
    for (year, library), values in FIGURES.items():
        for code, value in values.items():
            indicators.set_value(year, code, library, value, source=SOURCE, is_sample=True)
    return None
