"""Year locks: a year's figures frozen for the report, and how the live ones have moved
since."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Event, User, YearLock
from eventsys.services import audit
from eventsys.services.indicators.counting import contributions, figures
from eventsys.services.indicators.errors import IndicatorError
from eventsys.services.indicators.periods import check_year, year_period


def get_lock(year: int) -> YearLock | None:
    return db.session.scalar(sa.select(YearLock).where(YearLock.year == year))


def lock_year(year, actor: User | None, now: datetime | None = None) -> YearLock:
    """Freeze ``year``'s figures for the report; the caller commits. Locking twice refuses."""
    year = check_year(year)
    existing = get_lock(year)
    if existing is not None:
        raise IndicatorError(
            _(
                "%(year)s is already locked (since %(at)s). Unlock it first to lock it again.",
                year=year,
                at=existing.locked_at.strftime("%Y-%m-%d %H:%M UTC"),
            )
        )
    period = year_period(year)
    lock = YearLock(
        year=year,
        figures=figures(period, now).to_dict(),
        contributions=contributions(period, now),
        locked_by_id=actor.id if actor is not None else None,
        locked_at=utcnow(),
    )
    db.session.add(lock)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:  # someone locked it a moment ago
        db.session.rollback()
        raise IndicatorError(_("%(year)s is already locked.", year=year)) from None
    audit.record(
        actor,
        "indicators.year_locked",
        lock,
        None,
        {
            "year": year,
            "sessions": lock.figures["sessions"],
            "participants": lock.figures["participants"],
        },
    )
    return lock


def unlock_year(year, actor: User) -> None:
    """Admins only (checked by the view); written to the audit log; the caller commits."""
    year = check_year(year)
    lock = get_lock(year)
    if lock is None:
        raise IndicatorError(_("%(year)s is not locked.", year=year))
    audit.record(
        actor,
        "indicators.year_unlocked",
        lock,
        {
            "year": year,
            "sessions": lock.figures["sessions"],
            "participants": lock.figures["participants"],
            "locked_by_id": lock.locked_by_id,
            "locked_at": lock.locked_at.isoformat(),
        },
        None,
    )
    db.session.delete(lock)
    db.session.flush()


@dataclass
class ChangedEvent:
    event_id: int
    title: str
    locked: tuple[int, int]  # sessions, participants when locked
    live: tuple[int, int]


@dataclass
class LockDifference:
    sessions: int  # live minus locked
    participants: int
    events: list[ChangedEvent]

    @property
    def any(self) -> bool:
        return bool(self.sessions or self.participants or self.events)


def lock_difference(lock: YearLock, now: datetime | None = None) -> LockDifference:
    """How the live figures differ from the locked ones, and the events that changed."""
    live = contributions(year_period(lock.year), now)
    locked = lock.contributions or {}
    changed_ids = [
        key for key in set(live) | set(locked) if live.get(key, [0, 0]) != locked.get(key, [0, 0])
    ]
    titles = dict(
        db.session.execute(
            sa.select(Event.id, Event.title).where(Event.id.in_([int(k) for k in changed_ids]))
        ).all()
    )
    events = [
        ChangedEvent(
            int(key),
            titles.get(int(key), str(_("(deleted event)"))),
            tuple(locked.get(key, [0, 0])),
            tuple(live.get(key, [0, 0])),
        )
        for key in sorted(changed_ids, key=int)
    ]
    live_sessions = sum(s for s, _p in live.values())
    live_participants = sum(p for _s, p in live.values())
    return LockDifference(
        live_sessions - int(lock.figures["sessions"]),
        live_participants - int(lock.figures["participants"]),
        events,
    )
