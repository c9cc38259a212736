"""Writing the audit trail (callers commit with the change itself) and reading it back."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.local_time import library_zone
from eventsys.models import AuditEntry, User


def record(
    actor: User | None,
    action: str,
    entity,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor.id if actor is not None and actor.is_authenticated else None,
        action=action,
        entity_type=entity.__tablename__,
        entity_id=entity.id,
        before=before,
        after=after,
    )
    db.session.add(entry)
    return entry


def snapshot(obj, fields: tuple[str, ...]) -> dict:
    """The named fields of a model as JSON-friendly values, for before/after."""
    values = {}
    for name in fields:
        value = getattr(obj, name)
        values[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return values


def changed(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields that differ, so the log shows what really changed."""
    keys = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


# ---------------------------------------------------------------- reading


@dataclass
class AuditFilter:
    actor_id: int | None = None
    entity_type: str = ""
    entity_id: int | None = None
    first_day: date | None = None
    last_day: date | None = None


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=library_zone())


def query(chosen: AuditFilter) -> sa.Select:
    """The entries the filter keeps, newest first; days are the library's local days."""
    statement = sa.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if chosen.actor_id is not None:
        statement = statement.where(AuditEntry.actor_id == chosen.actor_id)
    if chosen.entity_type:
        statement = statement.where(AuditEntry.entity_type == chosen.entity_type)
    if chosen.entity_id is not None:
        statement = statement.where(AuditEntry.entity_id == chosen.entity_id)
    if chosen.first_day is not None:
        statement = statement.where(AuditEntry.at >= _local_midnight(chosen.first_day))
    if chosen.last_day is not None:
        end = _local_midnight(chosen.last_day + timedelta(days=1))
        statement = statement.where(AuditEntry.at < end)
    return statement


def actors() -> list[User]:
    """The people who appear in the log, by name."""
    ids = sa.select(AuditEntry.actor_id).where(AuditEntry.actor_id.is_not(None)).distinct()
    return list(
        db.session.scalars(sa.select(User).where(User.id.in_(ids)).order_by(User.display_name))
    )


def object_types() -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry.entity_type).distinct().order_by(AuditEntry.entity_type)
        )
    )


def entries(chosen: AuditFilter, *, limit: int) -> list[AuditEntry]:
    """The newest ``limit`` entries the filter keeps (the CSV export)."""
    return list(db.session.scalars(query(chosen).limit(limit)))
