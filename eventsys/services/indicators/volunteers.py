"""Volunteer figures beside the reader activities of a period."""

from eventsys.services.indicators.periods import Period


def volunteer_figures(period: Period) -> dict | None:
    """Active volunteers and hours from the volunteer area, or None if it offers none."""
    try:
        from eventsys.services import shifts
    except ImportError:
        return None
    function = getattr(shifts, "volunteer_figures", None)
    if function is None:
        return None
    return function(period.start, period.end)
