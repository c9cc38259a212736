"""Pooled PostgreSQL connections that the server dropped (a restart, a failover, a
firewall's idle timeout): one that lay idle is checked and replaced before use; one dropped
while in steady use costs its request a 503 with Retry-After, and the next request works.
Connections in steady use are not pinged, so a request costs no extra round trip."""

import time

import pytest
import sqlalchemy as sa

from eventsys import database
from eventsys.extensions import db
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="pooled server connections: PostgreSQL only")


OTHERS = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"


def _server_drops_every_connection(database_url: str) -> int:
    """As a restart would: end every other session of the test's database; how many."""
    admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            ended = conn.scalars(sa.text(f"SELECT pg_terminate_backend(pid) {OTHERS}")).all()
            # pg_terminate_backend only signals: wait until the sessions are gone.
            for _ in range(500):
                if conn.scalar(sa.text(f"SELECT count(*) {OTHERS}")) == 0:
                    return len(ended)
                time.sleep(0.01)
        raise AssertionError("the server did not end the sessions")
    finally:
        admin.dispose()


@pytest.fixture
def app_config() -> dict:
    return {"EVENTSYS_PAGE_CACHE": False}  # every page read from the database


@pytest.fixture
def pooled(app, client, make_event):
    """A published event and a pooled connection that has just served a request."""
    event = make_event()
    assert client.get("/events/").status_code == 200
    db.session.remove()
    yield event
    db.session.remove()
    db.engine.dispose()  # no dropped connection left for the test's clean-up


def test_an_idle_connection_the_server_dropped_is_replaced_unseen(
    app, client, database_url, pooled, monkeypatch
):
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0)  # every connection idle
    assert _server_drops_every_connection(database_url) >= 1
    page = client.get("/events/")
    assert page.status_code == 200
    assert pooled.title in page.text


def test_a_connection_dropped_in_steady_use_fails_one_request_with_a_503(
    app, client, database_url, pooled
):
    assert _server_drops_every_connection(database_url) >= 1
    refused = client.get("/events/")
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "5"
    page = client.get("/events/")
    assert page.status_code == 200
    assert pooled.title in page.text


def test_a_connection_in_steady_use_is_not_pinged(app, client, pooled, monkeypatch):
    pings = []
    dialect = type(db.engine.dialect)
    real_ping = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda self, c: pings.append(c) or real_ping(self, c))
    for _ in range(3):
        assert client.get("/events/").status_code == 200
        db.session.remove()
    assert pings == []
