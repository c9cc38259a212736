"""Writing the audit trail; callers commit with the change itself."""

from eventsys.extensions import db
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
