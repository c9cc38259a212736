"""Rate limits on token creation and registration (429 problem with Retry-After), shared
through Redis when configured, and CORS for configured origins only."""

import os
import uuid

import pytest
from test_api_support import assert_problem, auth

from eventsys import create_app
from eventsys.extensions import db
from tests.conftest import PASSWORD, _test_config

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_or_skip():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            pytest.fail(f"no Redis at {REDIS_URL}: .ci/run should have started one")
        pytest.skip(f"no Redis at {REDIS_URL}")
    return client


class TestLimits:
    @pytest.fixture
    def app_config(self):
        return {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "RATELIMIT_TOKENS": "2 per minute",
            "RATELIMIT_REGISTRATION": "2 per minute",
            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }

    def test_token_creation_is_limited_with_retry_after(self, client, make_user):
        user = make_user()
        for _ in range(2):
            client.post("/api/v1/tokens", json={"email": user.email, "password": "wrong"})
        response = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD})
        assert_problem(response, 429, "rate-limited")
        assert int(response.headers["Retry-After"]) > 0

    def test_token_creation_for_one_account_is_limited_from_any_address(self, client, make_user):
        user = make_user()
        for n in range(2):
            client.post(
                "/api/v1/tokens",
                json={"email": user.email, "password": "wrong"},
                environ_base={"REMOTE_ADDR": f"10.0.0.{n + 1}"},
            )
        response = client.post(
            "/api/v1/tokens",
            json={"email": user.email, "password": PASSWORD},
            environ_base={"REMOTE_ADDR": "10.0.0.9"},
        )
        assert_problem(response, 429, "rate-limited")

    def test_registration_is_limited_per_token(self, app, client, make_user, make_event):
        app.config["RATELIMIT_TOKENS"] = "100 per minute"
        headers = auth(client, make_user())
        events = [make_event() for _ in range(3)]
        answers = [
            client.post(
                f"/api/v1/events/{e.id}/registrations",
                json={},
                headers=headers,
                environ_base={"REMOTE_ADDR": f"10.0.1.{n}"},
            )
            for n, e in enumerate(events)
        ]
        assert [a.status_code for a in answers] == [201, 201, 429]
        # The limit is per minute: the wait told is what is left of that minute.
        assert 1 <= int(answers[2].headers["Retry-After"]) <= 60


class TestSharedLimits:
    @pytest.fixture
    def app_config(self):
        return {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": REDIS_URL,
            "RATELIMIT_TOKENS": "3 per minute",
            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }

    def test_two_app_servers_share_the_limit_through_redis(
        self, app, app_config, database_url, make_user
    ):
        redis = _redis_or_skip()
        other = create_app({**_test_config(database_url), **app_config})
        user = make_user()
        servers = [app.test_client(), other.test_client()]
        statuses = [
            servers[n % 2]
            .post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD})
            .status_code
            for n in range(4)
        ]
        assert statuses == [201, 201, 201, 429]
        refused = servers[0].post("/api/v1/tokens", json={"email": user.email, "password": "x"})
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        # The counters live in Redis, not in either process.
        keys = redis.keys("LIMITS:LIMITER/*/email:*/api.create_token/3/1/minute")
        assert 5 in {int(redis.get(key) or 0) for key in keys}
        redis.delete(*keys)
        with other.app_context():
            db.session.remove()
            db.engine.dispose()  # the second server's connections must not outlive the test


class TestCors:
    @pytest.fixture
    def app_config(self):
        return {"EVENTSYS_CORS_ORIGINS": "https://m.szlib.example, https://screen.szlib.example"}

    def test_configured_origin_is_allowed(self, client):
        response = client.get("/api/v1/events", headers={"Origin": "https://m.szlib.example"})
        assert response.headers["Access-Control-Allow-Origin"] == "https://m.szlib.example"
        preflight = client.options(
            "/api/v1/events",
            headers={
                "Origin": "https://screen.szlib.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "Authorization, Content-Type",
            },
        )
        assert preflight.headers["Access-Control-Allow-Origin"] == "https://screen.szlib.example"

    def test_other_origins_and_pages_get_no_cors_headers(self, client):
        response = client.get("/api/v1/events", headers={"Origin": "https://evil.example"})
        assert "Access-Control-Allow-Origin" not in response.headers
        page = client.get("/", headers={"Origin": "https://m.szlib.example"})
        assert "Access-Control-Allow-Origin" not in page.headers


def test_without_configured_origins_there_are_no_cors_headers(client):
    response = client.get("/api/v1/events", headers={"Origin": "https://m.szlib.example"})
    assert "Access-Control-Allow-Origin" not in response.headers
