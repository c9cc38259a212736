"""The home page, the event list and an event page cost the same few SQL statements
however many events the catalogue holds: every card's venue, branch and series come with
the events, never one query per card."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsys.db_types import utcnow
from eventsys.extensions import db


def _statements(app, client, path: str) -> list[str]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            response = client.get(path)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return statements


def _programme(make_event, make_venue, days: int) -> None:
    """A lecture, a reading and a running exhibition a day, each in its own venue."""
    now = utcnow().replace(microsecond=0)
    for day in range(days):
        starts_at = now + timedelta(days=day, hours=2)
        make_event(starts_at=starts_at, venue=make_venue())
        make_event(kind="reading", starts_at=starts_at + timedelta(hours=1), venue=make_venue())
        make_event(
            kind="exhibition",
            starts_at=now - timedelta(days=day + 1),
            ends_at=now + timedelta(days=30),
            venue=make_venue(),
        )


@pytest.mark.parametrize("path", ["/", "/events/"])
def test_reader_lists_run_as_many_statements_for_many_events_as_for_few(
    app, client, make_event, make_venue, path
):
    _programme(make_event, make_venue, days=1)
    few = _statements(app, client, path)
    _programme(make_event, make_venue, days=6)
    many = _statements(app, client, path)
    assert len(many) == len(few), many


def test_home_page_reads_its_five_lists_in_two_statements(app, client, make_event, make_venue):
    _programme(make_event, make_venue, days=3)
    reading_events = [s for s in _statements(app, client, "/") if "FROM events" in s]
    assert len(reading_events) == 2, reading_events
