"""Readiness for load balancers and orchestrators: ``/readyz``.

``/healthz`` (in routes.py) says the process answers. ``/readyz`` says this instance can
serve: the database answers a trivial query and its schema is at the head revision of the
bundled migrations. Anything else is a 503 with a JSON body that says what is wrong.
"""

import logging
from functools import lru_cache

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.exc import SQLAlchemyError

import eventsys
from eventsys.extensions import db, limiter
from eventsys.main.blueprint import bp

log = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def expected_heads(directory: str) -> frozenset[str]:
    """Head revisions of the migrations shipped with this code (they never change at run time)."""
    return frozenset(ScriptDirectory(directory).get_heads())


def readiness() -> tuple[bool, dict]:
    """(ready, details) for the current app's database."""
    try:
        with db.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
            current = frozenset(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as error:
        log.warning("readiness: database unreachable: %s", error)
        return False, {"database": "unreachable", "detail": type(error).__name__}
    try:
        expected = expected_heads(eventsys.MIGRATIONS_DIR)
    except CommandError as error:
        return False, {"database": "ok", "migrations": "unknown", "detail": str(error)}
    details = {
        "database": "ok",
        "revision": sorted(current),
        "expected_revision": sorted(expected),
    }
    if not expected:
        return False, {**details, "migrations": "none bundled"}
    if current != expected:
        state = "not applied" if not current else "behind or ahead"
        return False, {
            **details,
            "migrations": state,
            "detail": "run `eventsys db upgrade` with this version of eventsys",
        }
    return True, {**details, "migrations": "current"}


@bp.get("/readyz")
@limiter.exempt
def readyz():
    ready, details = readiness()
    return {"status": "ok" if ready else "unavailable", **details}, 200 if ready else 503
