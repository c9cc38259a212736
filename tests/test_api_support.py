"""Helpers shared by the API tests (no tests here)."""

from tests.conftest import PASSWORD

PROBLEM = "application/problem+json"
TYPES = "https://eventsys.dev/problems/"


def token_for(client, user) -> str:
    response = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def auth(client, user) -> dict:
    return bearer(token_for(client, user))


def assert_problem(response, status: int, slug: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["type"] == TYPES + slug, body
    assert body["status"] == status and body["title"]
    return body
