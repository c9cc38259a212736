"""Bad input of every kind gets the right 4xx problem document, never a 500."""

import io

import pytest
from test_api_support import assert_problem, auth
from test_security_routes import (
    _url,
    ids,  # noqa: F401  (fixture)
)

from eventsys.extensions import db
from eventsys.models import Event, Registration


@pytest.fixture
def reader_headers(client, make_user):
    return auth(client, make_user())


@pytest.fixture
def staff_headers(client, make_user):
    return auth(client, make_user("staff"))


def test_malformed_json_is_a_bad_request(client, make_event, reader_headers):
    url = f"/api/v1/events/{make_event().id}/registrations"
    response = client.post(
        url, data='{"party_size": ', headers=reader_headers, content_type="application/json"
    )
    assert_problem(response, 400, "bad-request")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"party_size": "two"}, "party_size"),
        ({"party_size": 2.5}, "party_size"),
        ({"party_size": 10**30}, "party_size"),
        ({"needs": "wheelchair"}, "needs"),
        ({"needs": ["jetpack"]}, "needs"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_wrong_types_name_the_field(client, make_event, reader_headers, body, field):
    url = f"/api/v1/events/{make_event().id}/registrations"
    problem = assert_problem(client.post(url, json=body, headers=reader_headers), 422, "validation")
    assert field in problem["errors"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Registration)) == 0


def test_a_json_array_or_text_body_is_refused(client, make_event, reader_headers):
    url = f"/api/v1/events/{make_event().id}/registrations"
    assert_problem(client.post(url, json=[1, 2], headers=reader_headers), 422, "validation")
    response = client.post(
        url,
        data="party_size=2",
        headers=reader_headers,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in (201, 415, 422)  # no JSON: defaults apply or refused


def test_missing_fields_are_listed(client):
    problem = assert_problem(client.post("/api/v1/tokens", json={}), 422, "validation")
    assert set(problem["errors"]) == {"email", "password"}


def test_huge_body_is_too_large(app, client, reader_headers, make_event):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    url = f"/api/v1/events/{make_event().id}/registrations"
    body = '{"needs_note": "' + "x" * 5000 + '"}'
    response = client.post(url, data=body, headers=reader_headers, content_type="application/json")
    assert_problem(response, 413, "too-large")
    response = client.post("/api/v1/tokens", data=body, content_type="application/json")
    assert_problem(response, 413, "too-large")


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v1/events/999999"),
        ("get", "/api/v1/events/99999999999999999999"),
        ("post", "/api/v1/events/999999/registrations"),
        ("get", "/api/v1/registrations/999999"),
        ("delete", "/api/v1/registrations/99999999999999999999"),
        ("post", "/api/v1/shifts/999999/signups"),
        ("delete", "/api/v1/signups/999999"),
        ("get", "/api/v1/no-such-thing"),
    ],
)
def test_unknown_ids_and_addresses_are_not_found(client, reader_headers, method, path):
    response = getattr(client, method)(path, headers=reader_headers, json={})
    assert_problem(response, 404, "not-found")


def test_wrong_method_is_a_problem_too(client):
    assert_problem(client.put("/api/v1/events"), 405, "method-not-allowed")


@pytest.mark.parametrize(
    "query, field",
    [
        ("kind=concert", "kind"),
        ("from=2021-13-01", "from"),
        ("from=2021-06-02&to=2021-06-01", "to"),
        ("page=0", "page"),
        ("per_page=1000", "per_page"),
        ("branch=abc", "branch"),
        ("q=" + "长" * 101, "q"),
    ],
)
def test_bad_filters_are_validation_problems(client, query, field):
    problem = assert_problem(client.get(f"/api/v1/events?{query}"), 422, "validation")
    assert field in problem["errors"]


def _event_body(venue, **changes):
    body = {
        "kind": "lecture",
        "title": "昆曲之美",
        "venue_id": venue,
        "starts_at": "2031-05-01T19:00:00+08:00",
        "ends_at": "2031-05-01T21:00:00+08:00",
        "capacity": 80,
        "max_party_size": 2,
    }
    body.update(changes)
    return body


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"starts_at": "2031-05-01T19:00:00"}, "starts_at"),  # naive: which zone?
        ({"ends_at": "tomorrow"}, "ends_at"),
        ({"ends_at": "2031-05-01T18:00:00+08:00"}, "ends_at"),
        ({"venue_id": 424242}, "venue_id"),
        ({"capacity": -1}, "capacity"),
        ({"kind": "concert"}, "kind"),
        ({"title": ""}, "title"),
        ({"status": "cancelled"}, "status"),
    ],
)
def test_bad_event_fields_are_refused_and_nothing_is_saved(
    client, make_venue, staff_headers, changes, field
):
    body = _event_body(make_venue().id, **changes)
    problem = assert_problem(
        client.post("/api/v1/events", json=body, headers=staff_headers), 422, "validation"
    )
    assert field in problem["errors"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Event)) == 0


def test_bad_indicator_query_is_a_validation_problem(client, staff_headers):
    response = client.get("/api/v1/indicators/reader-activities?year=abc", headers=staff_headers)
    assert "year" in assert_problem(response, 422, "validation")["errors"]
    response = client.get(
        "/api/v1/indicators/reader-activities?year=2021&by=colour", headers=staff_headers
    )
    assert "by" in assert_problem(response, 422, "validation")["errors"]


# Bodies no API operation can use, whatever it expects: a parser's stack, a character
# that is no character, a file where JSON belongs.
UNUSABLE_JSON = [
    ("deep list", "[" * 1500 + "]" * 1500),
    ("deep object", '{"a":' * 1500 + "1" + "}" * 1500),
    ("lone high surrogate", '{"email": "\\ud800@x.org", "password": "x"}'),
    ("lone low surrogate", '{"needs_note": "a\\udc00b", "party_size": 1}'),
    ("surrogate in a key", '{"\\ud800": 1}'),
]


@pytest.mark.parametrize("name, body", UNUSABLE_JSON, ids=[n for n, _b in UNUSABLE_JSON])
def test_unusable_json_is_a_bad_request(client, make_event, reader_headers, name, body):
    for url in ("/api/v1/tokens", f"/api/v1/events/{make_event().id}/registrations"):
        response = client.post(
            url, data=body, content_type="application/json", headers=reader_headers
        )
        assert_problem(response, 400, "bad-request")
    assert db.session.scalar(db.select(db.func.count()).select_from(Registration)) == 0


def _api_write_calls(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint.startswith("api."):
            for method in sorted(rule.methods & {"POST", "PATCH", "PUT", "DELETE"}):
                yield rule, method


def test_every_api_operation_refuses_unusable_bodies(app, ids, client, make_user):  # noqa: F811
    headers = auth(app.test_client(), make_user("staff"))
    wrong = []
    for rule, method in _api_write_calls(app):
        url = _url(app, rule, ids, method)
        for name, body in UNUSABLE_JSON:
            response = client.open(
                url, method=method, data=body, content_type="application/json", headers=headers
            )
            if response.status_code != 400 or response.mimetype != "application/problem+json":
                wrong.append((method, rule.rule, name, response.status_code))
        files = {"needs_note": (io.BytesIO(b"a file"), "note.txt")}
        response = client.open(url, method=method, data=files, headers=headers)
        if response.status_code >= 500 or response.mimetype != "application/problem+json":
            wrong.append((method, rule.rule, "file", response.status_code))
    assert wrong == []
