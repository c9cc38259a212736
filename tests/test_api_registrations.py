"""Readers through the API: a client that knows only the OpenAPI document, and the rules."""

from datetime import timedelta

from test_api_support import assert_problem, auth

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Event, OutboxMessage, Registration
from tests.conftest import PASSWORD


def _operation(spec: dict, method: str, summary_start: str) -> str:
    """The path of the operation whose summary starts with ``summary_start``."""
    for path, operations in spec["paths"].items():
        operation = operations.get(method)
        if operation and operation.get("summary", "").startswith(summary_start):
            return path
    raise AssertionError(f"no {method} operation for {summary_start!r}")


def test_client_knowing_only_the_openapi_document_registers_and_cancels(
    client, make_user, make_event
):
    reader = make_user(email="li.na@example.org")
    event = make_event(capacity=5, title="苏州评弹欣赏")
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    base = ""  # paths in the document are absolute

    tokens = _operation(spec, "post", "Exchange an email and password")
    token_body = set(
        spec["components"]["schemas"]["TokenRequest"]["required"]
    )  # what the document says to send
    assert token_body == {"email", "password"}
    response = client.post(base + tokens, json={"email": reader.email, "password": PASSWORD})
    assert response.status_code == 201
    headers = {"Authorization": f"Bearer {response.get_json()['token']}"}

    listing = client.get(base + _operation(spec, "get", "The programme"))
    found = [e for e in listing.get_json()["items"] if e["title"] == "苏州评弹欣赏"]
    assert found and found[0]["seats_left"] == 5

    register = _operation(spec, "post", "Register the token's reader")
    response = client.post(
        register.replace("{event_id}", str(found[0]["id"])),
        json={"party_size": 2},
        headers=headers,
    )
    assert response.status_code == 201
    registration = response.get_json()
    assert registration["status"] == "confirmed" and registration["waitlist_position"] is None

    mine = client.get(
        _operation(spec, "get", "The token's reader's registrations"), headers=headers
    )
    assert [r["id"] for r in mine.get_json()["items"]] == [registration["id"]]

    cancel = _operation(spec, "delete", "Cancel one's own registration")
    response = client.delete(
        cancel.replace("{registration_id}", str(registration["id"])), headers=headers
    )
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    assert db.session.get(Event, event.id).seats_taken == 0


def test_full_event_waitlists_with_position_and_cancellation_promotes(
    client, make_user, make_event
):
    event = make_event(capacity=2, max_party_size=2)
    first, second, third = (auth(client, make_user()) for _ in range(3))
    url = f"/api/v1/events/{event.id}/registrations"
    confirmed = client.post(url, json={"party_size": 2}, headers=first).get_json()
    waiting = client.post(url, json={"party_size": 1}, headers=second).get_json()
    later = client.post(url, json={}, headers=third).get_json()
    assert confirmed["status"] == "confirmed"
    assert (waiting.get("status"), waiting.get("waitlist_position")) == ("waitlisted", 1)
    assert later["waitlist_position"] == 2

    detail = client.get(f"/api/v1/events/{event.id}").get_json()
    assert detail["seats_left"] == 0 and detail["waitlist_length"] == 2

    client.delete(f"/api/v1/registrations/{confirmed['id']}", headers=first)
    promoted = client.get(f"/api/v1/registrations/{waiting['id']}", headers=second).get_json()
    assert promoted["status"] == "confirmed" and promoted["checkin_code"]
    assert db.session.scalar(
        db.select(db.func.count()).select_from(OutboxMessage)
    )  # the promoted reader is told


def test_registering_twice_is_a_duplicate_problem(client, make_user, make_event):
    event = make_event()
    headers = auth(client, make_user())
    url = f"/api/v1/events/{event.id}/registrations"
    assert client.post(url, json={}, headers=headers).status_code == 201
    body = assert_problem(client.post(url, json={}, headers=headers), 409, "duplicate")
    assert body["code"] == "duplicate" and body["detail"]


def test_full_event_without_waitlist_is_a_full_problem(client, make_user, make_event):
    event = make_event(capacity=1, waitlist_enabled=False)
    url = f"/api/v1/events/{event.id}/registrations"
    client.post(url, json={}, headers=auth(client, make_user()))
    assert_problem(client.post(url, json={}, headers=auth(client, make_user())), 409, "full")


def test_closed_window_and_suspension_are_told_apart(client, make_user, make_event):
    closed = make_event(registration_closes_at=utcnow() - timedelta(hours=1))
    headers = auth(client, make_user())
    response = client.post(f"/api/v1/events/{closed.id}/registrations", json={}, headers=headers)
    assert_problem(response, 409, "window-closed")

    suspended = make_user(suspended_until=utcnow() + timedelta(days=10))
    response = client.post(
        f"/api/v1/events/{make_event().id}/registrations",
        json={},
        headers=auth(client, suspended),
    )
    assert_problem(response, 403, "suspended")


def test_party_too_large_is_a_validation_problem_naming_the_field(client, make_user, make_event):
    event = make_event(max_party_size=2)
    response = client.post(
        f"/api/v1/events/{event.id}/registrations",
        json={"party_size": 3},
        headers=auth(client, make_user()),
    )
    body = assert_problem(response, 422, "validation")
    assert "party_size" in body["errors"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Registration)) == 0


def test_another_readers_registration_is_not_found(client, make_user, make_event):
    event = make_event()
    owner = auth(client, make_user())
    other = auth(client, make_user())
    created = client.post(
        f"/api/v1/events/{event.id}/registrations", json={}, headers=owner
    ).get_json()
    url = f"/api/v1/registrations/{created['id']}"
    assert_problem(client.get(url, headers=other), 404, "not-found")
    assert_problem(client.delete(url, headers=other), 404, "not-found")
    assert db.session.get(Registration, created["id"]).status == "confirmed"
    mine = client.get("/api/v1/me/registrations", headers=other).get_json()
    assert mine["items"] == []


def test_draft_event_does_not_exist_for_readers(client, make_user, make_event):
    draft = make_event(status="draft")
    assert_problem(client.get(f"/api/v1/events/{draft.id}"), 404, "not-found")
    response = client.post(
        f"/api/v1/events/{draft.id}/registrations", json={}, headers=auth(client, make_user())
    )
    assert_problem(response, 404, "not-found")


def test_event_list_filters_and_paginates(client, make_event, make_venue):
    venue = make_venue()
    for n in range(3):
        make_event(title=f"讲座 {n}", venue=venue, audience="seniors")
    make_event(title="亲子阅读", kind="reading", audience="families")
    make_event(title="草稿", status="draft")

    page = client.get("/api/v1/events?per_page=2&page=1").get_json()
    assert page["pagination"] == {"page": 1, "per_page": 2, "total": 4, "pages": 2}
    kinds = client.get("/api/v1/events?kind=reading").get_json()["items"]
    assert [e["title"] for e in kinds] == ["亲子阅读"]
    branch = client.get(f"/api/v1/events?branch={venue.branch_id}").get_json()
    assert branch["pagination"]["total"] == 3
    found = client.get("/api/v1/events?q=亲子&audience=families").get_json()["items"]
    assert len(found) == 1 and found[0]["starts_at"].endswith("+00:00")
    later = (utcnow() + timedelta(days=30)).date().isoformat()
    assert client.get(f"/api/v1/events?from={later}").get_json()["items"] == []
