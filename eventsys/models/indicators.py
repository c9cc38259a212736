"""The eight core indicators, the peers they are set against, and locked reporting years."""

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.db_types import UTCDateTime, utcnow
from eventsys.extensions import db
from eventsys.models.events import VisitorCount
from eventsys.models.registrations import Registration
from eventsys.models.users import User


class IndicatorCode(enum.StrEnum):
    FISCAL_APPROPRIATION = "fiscal_appropriation"
    TOTAL_COLLECTION = "total_collection"
    NEW_ACQUISITIONS = "new_acquisitions"
    REGISTERED_READERS = "registered_readers"
    VISITS = "visits"
    READER_ACTIVITIES = "reader_activities"
    LOANS = "loans"
    ACQUISITION_SPENDING = "acquisition_spending"


class Library(enum.StrEnum):
    SUZHOU = "suzhou"
    SHANGHAI = "shanghai"
    GUANGZHOU = "guangzhou"
    SHENZHEN = "shenzhen"
    HANGZHOU = "hangzhou"


PEERS = (Library.SHANGHAI, Library.GUANGZHOU, Library.SHENZHEN, Library.HANGZHOU)

# The unit each indicator is reported in, as the library's plan writes it.
DEFAULT_UNITS = {
    IndicatorCode.FISCAL_APPROPRIATION: "万元",
    IndicatorCode.TOTAL_COLLECTION: "册/件",
    IndicatorCode.NEW_ACQUISITIONS: "册/件",
    IndicatorCode.REGISTERED_READERS: "人",
    IndicatorCode.VISITS: "万人次",
    IndicatorCode.READER_ACTIVITIES: "场次",
    IndicatorCode.LOANS: "万册次",
    IndicatorCode.ACQUISITION_SPENDING: "万元",
}


def _sql_in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class IndicatorValue(db.Model):
    """One library's value of one indicator in one year, entered by an admin."""

    __tablename__ = "indicator_values"
    __table_args__ = (
        sa.UniqueConstraint("year", "code", "library"),
        sa.CheckConstraint(_sql_in("code", IndicatorCode), name="code_known"),
        sa.CheckConstraint(_sql_in("library", Library), name="library_known"),
        sa.CheckConstraint("value >= 0", name="value_not_negative"),
        sa.CheckConstraint("year BETWEEN 1900 AND 2200", name="year_sane"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    code: Mapped[str] = mapped_column(sa.String(30))
    library: Mapped[str] = mapped_column(sa.String(20))
    value: Mapped[Decimal] = mapped_column(sa.Numeric(18, 2))
    unit: Mapped[str] = mapped_column(sa.String(20), default="")
    source: Mapped[str] = mapped_column(sa.String(300), default="")
    source_url: Mapped[str] = mapped_column(sa.String(500), default="")
    is_sample: Mapped[bool] = mapped_column(default=False)
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    entered_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<IndicatorValue {self.year} {self.code} {self.library} {self.value}>"


class YearLock(db.Model):
    """A year's reader-activity figures frozen for the official report.

    ``figures`` holds the totals and every split as reported; ``contributions`` holds each
    counted event's share (``{event_id: [sessions, participants]}``) so a later difference
    from the live figures can name the events that caused it.
    """

    __tablename__ = "indicator_year_locks"
    __table_args__ = (sa.CheckConstraint("year BETWEEN 1900 AND 2200", name="year_sane"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    figures: Mapped[dict] = mapped_column(sa.JSON)
    contributions: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    locked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    locked_by: Mapped[User | None] = relationship()


# Indexes the reader-activities count needs (services/indicators/), kept beside it. Both
# cover their query, so counting reads no table rows: the checked-in party sizes of each
# counted event, and a period's visitor counts by day.
sa.Index(
    "ix_registrations_checked_in",
    Registration.event_id,
    Registration.checked_in_at,
    Registration.status,
    Registration.party_size,
)
sa.Index(
    "ix_visitor_counts_day_event", VisitorCount.day, VisitorCount.event_id, VisitorCount.visitors
)
