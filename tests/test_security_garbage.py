"""Garbage in query strings and form bodies gets a page or a refusal, never a 5xx."""

import io

import pytest
from test_security_routes import (
    _url,
    ids,  # noqa: F401  (fixture)
)

from eventsys.models import Role

HUGE = "9" * 40
GARBAGE_QUERIES = [
    {"page": "-1"},
    {"page": HUGE, "per_page": HUGE},
    {"page": "abc", "per_page": "-5"},
    {"q": "x" * 10_000},
    {"q": "%_'\"\\\x00"},
    {"kind": "no-such-kind", "branch": "no-such-branch", "status": "nope", "audience": "??"},
    {"branch": HUGE, "venue": "-1", "series": "x", "campaign": HUGE},
    {"from": "not-a-date", "to": "2021-13-45", "date": "yesterday", "day": "0000-00-00"},
    {"start": "9999-99-99", "end": "-1", "month": "13", "year": HUGE, "week": "x"},
    {"year": "-5", "lang": "xx", "format": "pdf", "fmt": "exe", "sort": "drop table"},
]
GARBAGE_BODIES = [
    {},
    {
        "title": "x" * 10_000,
        "starts_at": "not-a-date",
        "ends_at": "2021-02-30T25:61",
        "capacity": "-1",
        "max_party_size": HUGE,
        "party_size": "abc",
        "venue_id": HUGE,
        "branch_id": "-1",
        "series_id": "x",
        "campaign_id": HUGE,
        "kind": "nope",
        "status": "nope",
        "role": "emperor",
        "user_id": HUGE,
        "year": HUGE,
        "count": "-7",
        "slots": HUGE,
        "email": "not-an-email",
        "code": "\x00",
        "date": "31/02/2021",
    },
    # Well-formed, but out of any range: the year 1, ids beyond any database key.
    {
        "kind": "lecture",
        "title": "a\r\nb\x1b\x85",
        "name": "a\nb",
        "display_name": "a\r\nb",
        "needs_note": "x\r\n\x1b",
        "starts_at": "0001-01-01T00:00",
        "ends_at": "9999-12-31T23:59",
        "registration_opens_at": "0001-01-01T00:00",
        "day": "0001-01-01",
        "first_day": "0001-01-01",
        "last_day": "9999-12-31",
        "audience": "all",
        "max_party_size": "1",
        "party_size": "1",
        "year": "1",
    },
    {
        "kind": "lecture",
        "title": "Ids out of range",
        "starts_at": "2031-05-01T19:00",
        "ends_at": "2031-05-01T21:00",
        "audience": "all",
        "max_party_size": "1",
        "series_id": "9" * 20,
        "campaign_id": "-" + "9" * 20,
        "parent_id": "9" * 20,
        "venue_id": "9" * 20,
        "branch_id": "9" * 20,
        "role_id": "9" * 20,
        "event_id": "9" * 20,
        "user_id": "9" * 20,
        "message_id": "9" * 20,
        "capacity": "9" * 20,
        "slots": "9" * 20,
        "delta": "9" * 20,
        "visitors": "9" * 20,
    },
]
# JSON bodies no view can use: Flask-WTF reads JSON into forms, so every form meets them.
DEEP_JSON = "[" * 1500 + "]" * 1500
GARBAGE_JSON = [
    DEEP_JSON,
    '{"a":' * 1500 + "1" + "}" * 1500,
    '{"email": "\\ud800@x.org", "title": "\\udfff", "needs_note": "a\\udc00b"}',
]
# Fields that take text, each sent a file instead.
TEXT_FIELDS = ("title", "needs_note", "name", "display_name", "email", "code", "reason", "q")


def _get_rules(app):
    return [
        r
        for r in sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
        if "GET" in r.methods and r.endpoint not in ("static", "main.readyz")
    ]


def _post_rules(app):
    skip = {"auth.logout", "auth.close_account"}  # would end the session under test
    return [
        r
        for r in sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
        if "POST" in r.methods and r.endpoint not in skip and not r.endpoint.startswith("api")
    ]


@pytest.mark.parametrize("role", [None, Role.READER, Role.STAFF])
def test_every_page_survives_garbage_query_strings(app, ids, client_as, role):  # noqa: F811
    client = client_as(role) if role else app.test_client()
    errors = []
    for rule in _get_rules(app):
        url = _url(app, rule, ids, "GET")
        for query in GARBAGE_QUERIES:
            response = client.get(url, query_string=query)
            if response.status_code >= 500:
                errors.append((rule.rule, query, response.status_code))
    assert errors == []


def test_every_form_survives_empty_and_garbage_bodies(app, ids, client_as):  # noqa: F811
    admin = client_as(Role.ADMIN)
    errors = []
    for rule in _post_rules(app):
        url = _url(app, rule, ids, "POST")
        for body in GARBAGE_BODIES:
            response = admin.post(url, data=body)
            if response.status_code >= 500:
                errors.append((rule.rule, sorted(body)[:1], response.status_code))
    assert errors == []


def _files() -> dict:
    return {name: (io.BytesIO(b"not text"), f"{name}.txt") for name in TEXT_FIELDS}


def test_every_form_refuses_files_and_unusable_json(app, ids, client_as):  # noqa: F811
    admin = client_as(Role.ADMIN)
    errors = []
    for rule in _post_rules(app):
        url = _url(app, rule, ids, "POST")
        response = admin.post(url, data=_files(), content_type="multipart/form-data")
        if response.status_code != 400:
            errors.append((rule.rule, "file", response.status_code))
        for body in GARBAGE_JSON:
            response = admin.post(url, data=body, content_type="application/json")
            if response.status_code != 400:
                errors.append((rule.rule, body[:12], response.status_code))
    assert errors == []
