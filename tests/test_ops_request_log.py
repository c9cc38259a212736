"""One JSON log line per request, with timing and a request id that follows the request."""

import json
import logging

import pytest


def _lines(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "eventsys.requests"]


def test_each_request_logs_one_json_line_with_timing(client, caplog):
    caplog.set_level(logging.INFO, logger="eventsys.requests")

    response = client.get("/healthz?probe=1")

    [line] = _lines(caplog)
    assert line["method"] == "GET"
    assert line["path"] == "/healthz"
    assert line["status"] == 200
    assert line["duration_ms"] >= 0
    assert line["remote_addr"] == "127.0.0.1"
    assert line["user_id"] is None
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert len(line["request_id"]) == 32


def test_incoming_request_id_is_kept_and_returned(client, caplog):
    caplog.set_level(logging.INFO, logger="eventsys.requests")

    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a-0001"})

    assert response.headers["X-Request-ID"] == "lb-7f3a-0001"
    assert _lines(caplog)[0]["request_id"] == "lb-7f3a-0001"


def test_malformed_incoming_request_id_is_replaced(client):
    response = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces" * 20})

    assert len(response.headers["X-Request-ID"]) == 32


def test_logged_in_user_id_is_logged(client_as, caplog):
    staff = client_as("staff")
    caplog.set_level(logging.INFO, logger="eventsys.requests")

    staff.get("/")

    assert _lines(caplog)[-1]["user_id"] == staff.user.id


def test_api_calls_log_the_tokens_user(client, make_user, caplog):
    from test_api_support import auth

    reader = make_user()
    headers = auth(client, reader)
    caplog.set_level(logging.INFO, logger="eventsys.requests")

    client.get("/api/v1/me/registrations", headers=headers)

    assert _lines(caplog)[-1]["user_id"] == reader.id


def test_user_id_is_logged_for_a_page_that_does_not_load_the_user(client_as, caplog):
    staff = client_as("staff")
    caplog.set_level(logging.INFO, logger="eventsys.requests")

    staff.get("/healthz")

    assert _lines(caplog)[-1]["user_id"] == staff.user.id


def test_not_found_is_logged_with_its_status(client, caplog):
    caplog.set_level(logging.INFO, logger="eventsys.requests")

    client.get("/no-such-page")

    assert _lines(caplog)[0]["status"] == 404


def test_static_files_are_not_logged(client, caplog):
    caplog.set_level(logging.INFO, logger="eventsys.requests")

    client.get("/static/does-not-matter.css")

    assert _lines(caplog) == []


@pytest.mark.parametrize("app_config", [{"EVENTSYS_REQUEST_LOG": False}])
def test_request_log_can_be_turned_off(client, caplog):
    caplog.set_level(logging.INFO, logger="eventsys.requests")

    response = client.get("/healthz")

    assert _lines(caplog) == []
    assert "X-Request-ID" in response.headers


def test_forwarded_client_address_is_ignored_by_default(client, caplog):
    caplog.set_level(logging.INFO, logger="eventsys.requests")

    client.get("/healthz", headers={"X-Forwarded-For": "203.0.113.9"})

    assert _lines(caplog)[0]["remote_addr"] == "127.0.0.1"


@pytest.mark.parametrize("app_config", [{"EVENTSYS_PROXY_FIX": 1}])
def test_forwarded_client_address_is_used_behind_a_configured_proxy(client, caplog):
    caplog.set_level(logging.INFO, logger="eventsys.requests")

    client.get("/healthz", headers={"X-Forwarded-For": "203.0.113.9"})

    assert _lines(caplog)[0]["remote_addr"] == "203.0.113.9"
