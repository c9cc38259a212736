"""Making the demo's programme events: one fixed calendar UID each, so that loading twice
creates nothing twice."""

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.local_time import library_zone
from eventsys.models import Branch, Event, ExhibitionDetails, Series, Venue

HOURS = {day: "09:00-17:00" for day in ("tue", "wed", "thu", "fri", "sat", "sun")} | {"mon": ""}


def local_instant(day: date, hhmm: str) -> datetime:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=library_zone()).astimezone(UTC)


def _venues() -> dict[tuple[str, str], Venue]:
    rows = db.session.execute(sa.select(Venue, Branch.code).join(Venue.branch)).all()
    return {(code, venue.name): venue for venue, code in rows}


def find_or_add_series(
    slug: str, title: str, description: str, title_en: str, description_en: str
) -> Series:
    series = db.session.scalar(sa.select(Series).where(Series.slug == slug))
    if series is None:
        series = Series(
            slug=slug,
            title=title,
            brand="jiangnan",
            description=description,
            title_en=title_en,
            description_en=description_en,
        )
        db.session.add(series)
        db.session.flush()
    return series


def _existing_uids() -> set[str]:
    return set(db.session.scalars(sa.select(Event.uid).where(Event.uid.like("demo-%"))))


class Maker:
    def __init__(self):
        self.venues = _venues()
        self.uids = _existing_uids()

    def event(self, key: str, *, venue=None, hours=None, **fields) -> Event | None:
        uid = f"demo-{key}@eventsys"
        if uid in self.uids:
            return None
        if venue is not None:
            fields["venue"] = self.venues[venue]
        if hours is not None:
            fields["exhibition"] = ExhibitionDetails(curator=hours[0], opening_hours=dict(hours[1]))
        fields.setdefault("status", "published")
        if fields.get("status") == "cancelled":
            fields["sequence"] = 2
        elif fields["status"] == "published":
            fields["sequence"] = 1
        event = Event(uid=uid, **fields)
        db.session.add(event)
        self.uids.add(uid)
        return event


def registration_fields(start: datetime, capacity: int | None) -> dict:
    if capacity is None:
        return {"capacity": None}
    return {
        "capacity": capacity,
        "registration_opens_at": start - timedelta(days=14),
        "registration_closes_at": start - timedelta(hours=2),
    }
