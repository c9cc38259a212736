"""Under overload the server sheds load with 503 and Retry-After; nothing half-done stays."""

import sqlite3

import pytest
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from test_api_support import assert_problem, auth

from eventsys.extensions import db
from eventsys.models import Registration
from eventsys.services.registrations import booking


@pytest.fixture
def app_config():
    # One connection, handed out for at most a fifth of a second.
    return {
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_pre_ping": True,
            "pool_size": 1,
            "max_overflow": 0,
            "pool_timeout": 0.2,
        }
    }


def _registrations() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Registration))


def test_no_free_database_connection_answers_503_to_people_and_to_the_api(
    app, client, make_user, make_event
):
    event_id = make_event().id
    headers = auth(client, make_user())
    db.session.commit()
    db.session.close()  # give the one connection back

    with db.engine.connect():  # somebody else holds it
        page = client.get(f"/events/{event_id}")
        api = client.post(
            f"/api/v1/events/{event_id}/registrations", json={"party_size": 1}, headers=headers
        )

    assert page.status_code == 503
    assert page.headers["Retry-After"] == "5"
    assert "try again in a few seconds" in page.get_data(as_text=True)
    body = assert_problem(api, 503, "busy")
    assert "Nothing was changed" in body["detail"]
    assert api.headers["Retry-After"] == "5"
    assert _registrations() == 0


@pytest.mark.parametrize(
    "cause",
    [sqlite3.OperationalError("database is locked")],
    ids=["sqlite-locked"],
)
def test_lock_not_granted_in_time_answers_503_and_keeps_nothing(
    client, make_user, make_event, monkeypatch, cause
):
    event = make_event()
    headers = auth(client, make_user())
    claim = booking._claim

    def claim_then_time_out(*args):
        claim(*args)  # the seat is taken in the open transaction...
        raise sa_exc.OperationalError("INSERT INTO outbox", {}, cause)  # ...then time runs out

    monkeypatch.setattr(booking, "_claim", claim_then_time_out)
    response = client.post(
        f"/api/v1/events/{event.id}/registrations", json={"party_size": 1}, headers=headers
    )

    assert_problem(response, 503, "busy")
    db.session.expire_all()
    assert _registrations() == 0
    assert db.session.get(type(event), event.id).seats_taken == 0


def test_other_database_errors_stay_server_errors(client, make_user, make_event, monkeypatch):
    event = make_event()
    headers = auth(client, make_user())

    def broken(*args):
        raise sa_exc.OperationalError("SELECT", {}, sqlite3.OperationalError("disk I/O error"))

    monkeypatch.setattr(booking, "_claim", broken)
    response = client.post(
        f"/api/v1/events/{event.id}/registrations", json={"party_size": 1}, headers=headers
    )
    assert_problem(response, 500, "server-error")
