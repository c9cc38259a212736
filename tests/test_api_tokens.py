"""Bearer tokens: issued for a password, stored hashed, expiring, revocable; cookies never count."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from test_api_support import assert_problem, bearer, token_for

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import ApiToken, User
from tests.conftest import PASSWORD


def test_token_is_issued_for_the_right_password_and_only_its_hash_is_stored(client, make_user):
    user = make_user()
    response = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 201
    body = response.get_json()
    assert len(body["token"]) >= 40 and body["expires_at"].endswith("+00:00")
    stored = db.session.scalar(sa.select(ApiToken))
    assert stored.token_hash != body["token"] and len(stored.token_hash) == 64
    assert stored.expires_at - stored.created_at == timedelta(hours=720)
    me = client.get("/api/v1/me/registrations", headers=bearer(body["token"]))
    assert me.status_code == 200


def test_wrong_password_gets_an_unauthorized_problem(client, make_user):
    user = make_user()
    response = client.post("/api/v1/tokens", json={"email": user.email, "password": "nope"})
    assert_problem(response, 401, "unauthorized")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer forged-token-value", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 500],
)
def test_missing_or_forged_token_is_unauthorized(client, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/me/registrations", headers=headers)
    assert_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_stops_working(client, make_user):
    token = token_for(client, make_user())
    assert client.delete("/api/v1/tokens/current", headers=bearer(token)).status_code == 204
    assert_problem(
        client.get("/api/v1/me/registrations", headers=bearer(token)), 401, "unauthorized"
    )
    assert db.session.scalar(sa.select(ApiToken)).revoked_at is not None


def test_expired_token_stops_working(client, make_user):
    token = token_for(client, make_user())
    record = db.session.scalar(sa.select(ApiToken))
    record.created_at = utcnow() - timedelta(days=40)
    record.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert_problem(
        client.get("/api/v1/me/registrations", headers=bearer(token)), 401, "unauthorized"
    )


def test_password_change_and_closed_account_end_tokens(client, make_user):
    user = make_user()
    token = token_for(client, user)
    user.set_password("another good password")
    db.session.commit()
    assert_problem(
        client.get("/api/v1/me/registrations", headers=bearer(token)), 401, "unauthorized"
    )

    other = make_user()
    token = token_for(client, other)
    db.session.get(User, other.id).active = False
    db.session.commit()
    assert_problem(
        client.get("/api/v1/me/registrations", headers=bearer(token)), 401, "unauthorized"
    )


def test_token_lifetime_follows_configuration(app, client, make_user):
    app.config["EVENTSYS_API_TOKEN_HOURS"] = 2
    token_for(client, make_user())
    stored = db.session.scalar(sa.select(ApiToken))
    assert stored.expires_at - stored.created_at == timedelta(hours=2)


def test_logged_in_browser_session_does_not_authenticate_api_calls(client_as, make_event):
    browser = client_as("staff")
    assert_problem(browser.get("/api/v1/me/registrations"), 401, "unauthorized")
    response = browser.post(f"/api/v1/events/{make_event().id}/registrations", json={})
    assert_problem(response, 401, "unauthorized")


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_api_needs_no_csrf_token_because_it_takes_no_cookies(self, client, make_user):
        user = make_user()
        response = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD})
        assert response.status_code == 201
        assert "Set-Cookie" not in response.headers


def _last_used(token_id: int):
    db.session.expire_all()
    return db.session.get(ApiToken, token_id).last_used_at


def test_last_use_is_recorded_by_reads_and_by_registrations_at_most_every_five_minutes(
    client, make_user, make_event
):
    token = token_for(client, make_user())
    record = db.session.scalar(sa.select(ApiToken))
    assert record.last_used_at is None

    assert client.get("/api/v1/me/registrations", headers=bearer(token)).status_code == 200
    first = _last_used(record.id)
    assert first is not None and utcnow() - first < timedelta(minutes=1)

    # A use soon after writes nothing; an old timestamp is renewed by the registration's
    # own commit.
    assert client.get("/api/v1/me/registrations", headers=bearer(token)).status_code == 200
    assert _last_used(record.id) == first
    stale = utcnow() - timedelta(hours=1)
    db.session.get(ApiToken, record.id).last_used_at = stale
    db.session.commit()
    event = make_event()
    response = client.post(
        f"/api/v1/events/{event.id}/registrations", json={"party_size": 1}, headers=bearer(token)
    )
    assert response.status_code == 201
    assert _last_used(record.id) > stale + timedelta(minutes=59)


def test_refused_registration_still_records_the_tokens_use(client, make_user, make_event):
    token = token_for(client, make_user())
    event = make_event(capacity=0, waitlist_enabled=False)
    response = client.post(
        f"/api/v1/events/{event.id}/registrations", json={"party_size": 1}, headers=bearer(token)
    )
    assert_problem(response, 409, "full")
    assert _last_used(db.session.scalar(sa.select(ApiToken.id))) is not None
