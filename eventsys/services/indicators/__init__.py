"""Counting the reader-activities indicator (读者活动量), the one place its rules live.

The rules (docs/counting.md tells them with examples):

- A **session** (场次) is one published (so neither draft nor cancelled) event that has
  started (``starts_at <= now``), counted in the period of its start. Every event kind is
  reader-facing; volunteer shifts live in another table and never count. An exhibition is
  one event, so it counts once, in the period it opens, however long it runs. Online
  events count and are also shown apart. A centenary activity (``campaign_id`` set) counts
  once in the total and also appears in its campaign's report.
- **Participants** (参与人次) = checked-in party sizes + walk-ins recorded by staff +
  exhibitions' daily visitor counts. Checked-in parties and walk-ins belong to the period
  of the event's start, like the session. Daily visitor counts belong to the period of the
  day they were counted: an exhibition that opened in 2020 and was visited in 2021 adds no
  session to 2021 but does add its 2021 visitors to 2021's participants.
- Period boundaries are local dates in the library's zone (Asia/Shanghai), turned into UTC
  instants for the comparison with ``starts_at``.

Everything is counted in the database: one statement builds each counted event's share
(``counted_rows``) and the totals and every split are GROUP BYs over it, sent as one
UNION ALL. The same rows list the events behind any figure (``cell_events``), so every
number can be checked by a person.

What lives where:

- ``periods``: years, quarters, months and ranges of days (``parse_period``).
- ``counting``: the counted rows, the figures and their splits, the events behind a figure.
- ``labels``: the names of the indicators, the libraries and the units; the running
  library's own name is there, in one place.
- ``values``: entering a figure of the eight indicators (``set_value``).
- ``peers``: the peers' published figures and the library's standing among them.
- ``dashboard``: the eight indicators of a year against the peers.
- ``locks``: freezing a year's figures and what has changed since.
- ``volunteers``: the volunteer area's figures of a period.
- ``errors``: the refusals, each with a message for the user.

The names below are the ones the pages, the API, the command line and the tests use.
"""

from eventsys.services.indicators.counting import (
    KIND_HEADINGS,
    SPLIT_LABELS,
    SPLITS,
    Figures,
    campaigns_in,
    cell_events,
    contributions,
    counted_rows,
    figures,
)
from eventsys.services.indicators.dashboard import IndicatorRow, dashboard, latest_year_with_data
from eventsys.services.indicators.errors import IndicatorError, SourceLinkError
from eventsys.services.indicators.labels import INDICATOR_LABELS, LIBRARY_LABELS, unit_label
from eventsys.services.indicators.locks import get_lock, lock_difference, lock_year, unlock_year
from eventsys.services.indicators.peers import Comparison, standing
from eventsys.services.indicators.periods import (
    MAX_YEAR,
    MIN_YEAR,
    Period,
    check_year,
    month_period,
    parse_period,
    quarter_period,
    year_period,
)
from eventsys.services.indicators.values import set_value, values_for
from eventsys.services.indicators.volunteers import volunteer_figures

__all__ = [
    "INDICATOR_LABELS",
    "KIND_HEADINGS",
    "LIBRARY_LABELS",
    "MAX_YEAR",
    "MIN_YEAR",
    "SPLITS",
    "SPLIT_LABELS",
    "Comparison",
    "Figures",
    "IndicatorError",
    "IndicatorRow",
    "Period",
    "SourceLinkError",
    "campaigns_in",
    "cell_events",
    "check_year",
    "contributions",
    "counted_rows",
    "dashboard",
    "figures",
    "get_lock",
    "latest_year_with_data",
    "lock_difference",
    "lock_year",
    "month_period",
    "parse_period",
    "quarter_period",
    "set_value",
    "values_for",
    "standing",
    "unit_label",
    "unlock_year",
    "volunteer_figures",
    "year_period",
]
