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
