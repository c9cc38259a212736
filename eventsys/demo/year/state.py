"""What the load of the demo's 2021 carries from step to step: the seeded generator, the
venues, the hours already taken and the events still to insert."""

import random
import secrets
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from flask import current_app

from eventsys.db_types import utcnow
from eventsys.demo.year.plan import YEAR
from eventsys.extensions import db
from eventsys.local_time import library_zone
from eventsys.models import Branch, Event, Venue
from eventsys.models.registrations import CHECKIN_ALPHABET, CHECKIN_CODE_LENGTH

SEED = 20210101


class YearState:
    def __init__(self):
        self.rng = random.Random(SEED)
        self.zone = library_zone()
        self.now = utcnow()
        rows = db.session.execute(sa.select(Venue, Branch.code).join(Venue.branch)).all()
        self.venues = {(code, venue.name): venue for venue, code in rows}
        self.busy: dict[tuple[int, date], list[tuple[datetime, datetime]]] = {}
        self.events: list[dict] = []
        self.codes: set[str] = set()

    def at(self, day: date, hhmm: str) -> datetime:
        hour, minute = (int(x) for x in hhmm.split(":"))
        return datetime.combine(day, time(hour, minute), tzinfo=self.zone).astimezone(UTC)

    def local_day(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()

    def free(self, venue_id: int, start: datetime, end: datetime) -> bool:
        taken = self.busy.setdefault((venue_id, self.local_day(start)), [])
        if any(s < end and start < e for s, e in taken):
            return False
        taken.append((start, end))
        return True

    def exhibitions(self, *columns) -> list:
        """``columns`` of the published exhibitions open on some day of the year."""
        return db.session.execute(
            sa.select(*columns).where(
                Event.kind == "exhibition",
                Event.status == "published",
                Event.starts_at < self.at(date(YEAR + 1, 1, 1), "00:00"),
                Event.ends_at >= self.at(date(YEAR, 1, 1), "00:00"),
            )
        ).all()

    def code(self) -> str:
        """An unguessable check-in code (not from the seeded generator), unique in the load."""
        size = len(CHECKIN_ALPHABET)
        while True:
            number = int.from_bytes(secrets.token_bytes(6)) % size**CHECKIN_CODE_LENGTH
            code = ""
            for _ in range(CHECKIN_CODE_LENGTH):
                number, digit = divmod(number, size)
                code += CHECKIN_ALPHABET[digit]
            if code not in self.codes:
                self.codes.add(code)
                return code


def demo_scale() -> float:
    """The share of the year's days with generated sessions (and of the seats booked):
    all of them, unless the app is told otherwise (DEMO_YEAR_SCALE); test apps take
    a tenth unless told."""
    default = 0.1 if current_app.testing else 1.0
    return float(current_app.config.get("DEMO_YEAR_SCALE", default))
