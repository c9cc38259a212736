"""The reader-activities indicator, counted by the written rules."""

from eventsys.api import bp
from eventsys.api import tokens as api_tokens
from eventsys.api.routes.common import BEARER
from eventsys.api.schemas import IndicatorQuerySchema, IndicatorSchema
from eventsys.services import indicators as indicator_service


@bp.get("/indicators/reader-activities")
@api_tokens.staff_token_required
@bp.arguments(IndicatorQuerySchema, location="query")
@bp.response(200, IndicatorSchema)
@bp.doc(security=BEARER)
def reader_activities(args):
    """Staff: reader activities (sessions) and participants of a year, split by ``by``."""
    year, by = args["year"], args["by"]
    totals = indicator_service.figures(indicator_service.year_period(year))
    if by == "total":
        rows = []
    elif by in ("quarter", "month"):
        periods = (
            [indicator_service.quarter_period(year, q) for q in range(1, 5)]
            if by == "quarter"
            else [indicator_service.month_period(year, m) for m in range(1, 13)]
        )
        rows = []
        for period in periods:
            figures = indicator_service.figures(period)
            rows.append(
                {
                    "key": period.key,
                    "label": period.key,
                    "sessions": figures.sessions,
                    "participants": figures.participants,
                }
            )
    else:
        rows = totals.split(by)
    return {
        "indicator": "reader_activities",
        "year": year,
        "by": by,
        "sessions": totals.sessions,
        "participants": totals.participants,
        "rows": rows,
    }
