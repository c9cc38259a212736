"""Hostile input and session hygiene: security headers, logging out for real, no account
enumeration by timing or sign-up, limits on guessing tokens and codes, shift visibility."""

import logging
import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import werkzeug.security
from test_api_support import auth

from eventsys import TEMPLATE_DIR, create_app
from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import OutboxMessage, Role, Shift, User, VolunteerRole
from eventsys.services import feeds
from tests.conftest import PASSWORD

HTTPS_BASE = {"EVENTSYS_BASE_URL": "https://events.example.org"}
RATE_LIMITED = {
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_TOKENS": "10 per minute",
}


def _limited() -> dict:
    return {**RATE_LIMITED, "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}"}


# ---------------------------------------------------------------- 14: security headers


def _csp(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        name, _sep, value = part.strip().partition(" ")
        if name:
            directives[name] = value
    return directives


@pytest.mark.parametrize("path", ["/", "/api/v1/docs", "/api/v1/events", "/no-such-page"])
def test_every_answer_carries_the_security_headers(client, path):
    response = client.get(path)
    csp = _csp(response)
    assert "'self'" in csp.get("script-src", csp.get("default-src", ""))
    assert "unsafe-inline" not in csp.get("script-src", csp.get("default-src", "unsafe-inline"))
    assert csp.get("frame-ancestors") == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers.get("Referrer-Policy")
    assert "Strict-Transport-Security" not in response.headers  # the base URL is http


def test_templates_and_api_docs_have_no_inline_script_or_style(client):
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|<style\b|\sstyle\s*=")
    offending = [
        str(path)
        for path in Path(TEMPLATE_DIR).rglob("*.html")
        if inline.search(path.read_text(encoding="utf-8"))
    ]
    assert not offending
    docs = client.get("/api/v1/docs").get_data(as_text=True)
    assert not inline.search(docs)


@pytest.mark.parametrize("app_config", [HTTPS_BASE])
def test_https_base_url_adds_hsts_without_redirecting_plain_requests(client):
    secure = client.get("/healthz", base_url="https://events.example.org")
    assert "max-age=" in secure.headers["Strict-Transport-Security"]
    # Redirecting to https is the proxy's job: a plain request is answered, not bounced.
    assert client.get("/healthz").status_code == 200


def test_development_answers_plain_http_and_keeps_cookies_unsecured(app, client):
    assert client.get("/healthz").status_code == 200
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_method_not_allowed_says_which_methods_are_allowed(client):
    page = client.post("/healthz")
    assert page.status_code == 405
    assert "GET" in page.headers["Allow"]
    api = client.put("/api/v1/events")
    assert api.status_code == 405
    assert "GET" in api.headers["Allow"] and "POST" in api.headers["Allow"]


# ---------------------------------------------------------------- 15: session hygiene


def _copy_cookies(app, source, names) -> object:
    thief = app.test_client()
    for name in names:
        cookie = source.get_cookie(name)
        assert cookie is not None, name
        thief.set_cookie(name, cookie.value)
    return thief


def test_copied_session_cookie_stops_working_after_logout(app, client_as):
    reader = client_as()
    thief = _copy_cookies(app, reader, ["session"])
    assert thief.get("/auth/account").status_code == 200
    assert reader.post("/auth/logout").status_code == 302
    assert thief.get("/auth/account").status_code == 302


def test_copied_remember_cookie_stops_working_after_logout(app, make_user):
    user = make_user()
    browser = app.test_client()
    browser.post("/auth/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    thief = _copy_cookies(app, browser, ["remember_token"])
    assert thief.get("/auth/account").status_code == 200
    browser.post("/auth/logout")
    assert app.test_client().get("/auth/account").status_code == 302
    assert thief.get("/auth/account").status_code == 302


def test_remember_me_lasts_at_most_thirty_days(app, make_user):
    assert app.config["REMEMBER_COOKIE_DURATION"] <= timedelta(days=30)
    user = make_user()
    browser = app.test_client()
    browser.post("/auth/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    cookie = browser.get_cookie("remember_token")
    assert cookie.expires is not None
    assert cookie.expires - utcnow() <= timedelta(days=30, minutes=1)


@pytest.mark.parametrize("app_config", [HTTPS_BASE])
def test_https_base_url_makes_cookies_secure_by_default(app):
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


@pytest.mark.parametrize("app_config", [{**HTTPS_BASE, "SESSION_COOKIE_SECURE": False}])
def test_an_explicit_setting_wins_over_the_https_default(app):
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_production_start_up_warns_when_session_cookies_are_not_secure(
    tmp_path, monkeypatch, caplog
):
    monkeypatch.setenv("EVENTSYS_INSTANCE_PATH", str(tmp_path / "instance"))
    config = {
        "EVENTSYS_ENV": "production",
        "SECRET_KEY": "production-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.db'}",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    }
    with caplog.at_level(logging.WARNING):
        create_app({**config, "EVENTSYS_BASE_URL": "http://events.example.org"})
    assert "SESSION_COOKIE_SECURE" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        create_app({**config, "EVENTSYS_BASE_URL": "https://events.example.org"})
    assert "SESSION_COOKIE_SECURE" not in caplog.text


# ---------------------------------------------------------------- 16: no account enumeration


@pytest.fixture
def hash_checks(monkeypatch):
    """The hash methods the password checks of a request used, in order."""
    seen: list[str] = []
    original = werkzeug.security._hash_internal

    def spy(method, salt, password):
        seen.append(method.split(":")[0])
        return original(method, salt, password)

    monkeypatch.setattr(werkzeug.security, "_hash_internal", spy)
    return seen


def _post_login(client, email):
    return client.post("/auth/login", data={"email": email, "password": "not the password"})


def test_login_checks_a_password_hash_for_unknown_emails_too(client, make_user, hash_checks):
    user = make_user()
    _post_login(client, "nobody-warm-up@example.org")  # any one-off set-up happens here
    hash_checks.clear()
    _post_login(client, user.email)
    known = list(hash_checks)
    hash_checks.clear()
    _post_login(client, "nobody@example.org")
    assert known and hash_checks == known


def test_token_creation_checks_a_password_hash_for_unknown_emails_too(
    client, make_user, hash_checks
):
    user = make_user()
    client.post("/api/v1/tokens", json={"email": "warm-up@example.org", "password": "x" * 8})
    hash_checks.clear()
    known = client.post("/api/v1/tokens", json={"email": user.email, "password": "wrong pass"})
    known_checks = list(hash_checks)
    hash_checks.clear()
    unknown = client.post("/api/v1/tokens", json={"email": "no@example.org", "password": "wrong"})
    assert known.status_code == unknown.status_code == 401
    assert known_checks and hash_checks == known_checks


def test_sign_up_with_a_taken_email_tells_the_owner_not_the_stranger(client, make_user):
    owner = make_user(locale="zh_Hans")
    response = client.post(
        "/auth/signup",
        data={
            "email": owner.email.upper(),
            "display_name": "Stranger",
            "password": "another long password",
            "confirm": "another long password",
        },
        follow_redirects=True,
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "exists already" not in text and "already has an account" not in text
    assert "Please check your email." in text
    assert client.get("/auth/account").status_code == 302  # nobody is logged in
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1
    mails = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.to_address == owner.email)
    ).all()
    assert len(mails) == 1


# ---------------------------------------------------------------- 17: guessing limits


@pytest.mark.parametrize("app_config", [_limited()])
def test_guessing_personal_calendar_tokens_meets_429(client):
    statuses = [client.get(f"/calendar/u/guess{n:040d}.ics").status_code for n in range(40)]
    assert statuses[0] == 404
    assert 429 in statuses


@pytest.mark.parametrize("app_config", [_limited()])
def test_polling_a_valid_personal_calendar_is_not_throttled(client, make_user):
    user = make_user()
    token = feeds.issue_token(user)
    db.session.commit()
    statuses = {client.get(f"/calendar/u/{token}.ics").status_code for _ in range(15)}
    assert statuses == {200}


@pytest.mark.parametrize("app_config", [_limited()])
def test_guessing_check_in_codes_meets_429(client_as, make_event):
    event = make_event(starts_at=utcnow() + timedelta(hours=1))
    staff = client_as(Role.STAFF)
    statuses = [
        staff.post(f"/staff/events/{event.id}/checkin", data={"code": f"X{n:05d}"}).status_code
        for n in range(40)
    ]
    assert 429 in statuses
    assert statuses[0] != 429


# ---------------------------------------------------------------- 18: shifts in the API


@pytest.fixture
def open_shift(app, make_venue):
    role = VolunteerRole(name="阅读指导", name_en="Reading guide")
    starts = utcnow().replace(second=0, microsecond=0) + timedelta(days=3)
    shift = Shift(
        role=role,
        venue=make_venue(),
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        slots=2,
    )
    db.session.add_all([role, shift])
    db.session.commit()
    return shift


def test_api_shows_readers_the_shifts_the_web_shows_them(client, make_user, open_shift):
    reader = make_user()
    web = client.post("/auth/login", data={"email": reader.email, "password": PASSWORD})
    assert web.status_code == 302
    page = client.get("/volunteers/").get_data(as_text=True)
    assert "阅读指导" not in page and "Reading guide" not in page
    api = client.get("/api/v1/shifts", headers=auth(client, reader))
    assert api.status_code == 200
    assert api.get_json()["items"] == []


def test_api_lists_open_shifts_to_volunteers(client, make_user, open_shift):
    volunteer = make_user(Role.VOLUNTEER)
    response = client.get("/api/v1/shifts", headers=auth(client, volunteer))
    assert [item["id"] for item in response.get_json()["items"]] == [open_shift.id]
