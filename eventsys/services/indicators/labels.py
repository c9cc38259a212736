"""The names of the eight indicators, of the libraries and of the units, in each language.

The library running eventsys (``Library.SUZHOU`` among the peers) is named from its
configuration (``eventsys.library``), in the language of the page.
"""

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsys.library import current_library
from eventsys.models import IndicatorCode, Library

OWN_LIBRARY_NAME = LazyString(lambda: current_library().name)
OWN_ACTIVITIES_COUNTED = LazyString(
    lambda: _(
        "%(library)s's reader activities are counted from its events, not entered.",
        library=current_library().name,
    )
)

INDICATOR_LABELS = {
    IndicatorCode.FISCAL_APPROPRIATION: _l("Fiscal appropriation"),
    IndicatorCode.TOTAL_COLLECTION: _l("Total collection"),
    IndicatorCode.NEW_ACQUISITIONS: _l("New acquisitions"),
    IndicatorCode.REGISTERED_READERS: _l("Registered readers"),
    IndicatorCode.VISITS: _l("Visits"),
    IndicatorCode.READER_ACTIVITIES: _l("Reader activities"),
    IndicatorCode.LOANS: _l("Loans"),
    IndicatorCode.ACQUISITION_SPENDING: _l("Acquisition spending"),
}

LIBRARY_LABELS = {
    Library.SUZHOU: OWN_LIBRARY_NAME,
    Library.SHANGHAI: _l("Shanghai Library"),
    Library.GUANGZHOU: _l("Guangzhou Library"),
    Library.SHENZHEN: _l("Shenzhen Library"),
    Library.HANGZHOU: _l("Hangzhou Library"),
}


# The units the library's plan writes (models.indicators.DEFAULT_UNITS), said in each
# language; a unit an admin typed that is not here is shown as typed.
UNIT_LABELS = {
    "万元": _l("10,000 yuan"),
    "册/件": _l("items"),
    "人": _l("people"),
    "万人次": _l("10,000 visits"),
    "场次": _l("sessions"),
    "万册次": _l("10,000 loans"),
}


def unit_label(unit: str) -> str:
    return str(UNIT_LABELS.get(unit, unit))
