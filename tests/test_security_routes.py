"""Every route in the URL map is either staff/admin-only by its path or listed below with the
audience it serves; a route added without a role check, or left unlisted, fails here."""

import hashlib
import re

import pytest
import sqlalchemy as sa
from test_api_support import auth

from eventsys import demo
from eventsys.extensions import db
from eventsys.models import (
    Branch,
    Campaign,
    Event,
    Registration,
    Role,
    Series,
    Shift,
    ShiftSignup,
    User,
    Venue,
    VolunteerApplication,
)
from tests.conftest import PASSWORD

# Paths that only staff (and admins) may reach.
STAFF_PREFIXES = ("/staff/", "/indicators/", "/volunteers/staff/", "/calendar/export")
# Paths that only admins may reach.
ADMIN_PREFIXES = ("/admin/",)
# Admin-only endpoints under a staff prefix: indicator values are the admin's to enter.
ADMIN_ENDPOINTS = {"indicators.values", "indicators.unlock"}
# API endpoints that need a staff token.
API_STAFF = {
    "api.create_event",
    "api.update_event",
    "api.event_registrations",
    "api.create_shift",
    "api.reader_activities",
}

# Allowlist: endpoints anyone may reach without logging in.
PUBLIC = {
    "static",
    "main.home",
    "main.healthz",
    "main.readyz",
    "main.set_language",  # stores the chosen language in the session
    "events.list",
    "events.detail",
    "events.calendar",  # the month view of published events
    "events.share",  # the share page and card of a published event
    "events.share_image",
    "events.poster",  # posters of published events
    "lectures.list",
    "lectures.detail",
    "lectures.series",
    "exhibitions.list",
    "exhibitions.detail",
    "red_culture.index",
    "red_culture.detail",
    "volunteers.index",  # the volunteer programme page; sign-up buttons need a login
    "calendar.index",
    "calendar.events_feed",
    "calendar.kind_feed",
    "calendar.series_feed",
    "calendar.campaign_feed",
    "calendar.branch_feed",
    "calendar.event_download",
    "calendar.personal_feed",  # secret token in the address; covered below
    "auth.login",
    "auth.logout",
    "auth.signup",
    "auth.request_reset",
    "auth.reset_password",  # signed token in the address
    "api_docs_page",
    "api-docs.openapi_json",
    "api.create_token",  # exchanges a password for a token
    "api.list_venues",
    "api.list_events",
    "api.get_event",
}
# Allowlist: any logged-in user, for their own data only.
LOGGED_IN = {
    "auth.account",
    "auth.close_account",
    "auth.export_data",
    "auth.change_password",
    "calendar.token_issue",
    "calendar.token_revoke",
    "calendar.alarm",
    "registrations.register",
    "registrations.show",
    "registrations.cancel",
    "registrations.mine",
    "volunteers.apply",
}
# Of those, pages whose GET is public (the form asks for a login on POST).
PUBLIC_GET = {"registrations.register"}
# Allowlist: approved volunteers only.
VOLUNTEER = {
    "volunteers.mine",
    "volunteers.certificate",
    "volunteers.signup",
    "volunteers.withdraw",
}
# Allowlist: API endpoints for any token holder (own data only).
API_TOKEN = {
    "api.revoke_token",
    "api.register",
    "api.my_registrations",
    "api.get_registration",
    "api.cancel_registration",
    "api.list_shifts",
    "api.sign_up",
    "api.withdraw",
}

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _kind(rule) -> str:
    if rule.rule.startswith(ADMIN_PREFIXES) or rule.endpoint in ADMIN_ENDPOINTS:
        return "admin"
    if rule.rule.startswith(STAFF_PREFIXES) or rule.endpoint in API_STAFF:
        return "staff"
    for kind, names in (
        ("public", PUBLIC),
        ("logged_in", LOGGED_IN),
        ("volunteer", VOLUNTEER),
        ("api_token", API_TOKEN),
    ):
        if rule.endpoint in names:
            return kind
    return "unlisted"


def _rules(app, *kinds):
    return [
        rule
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
        if _kind(rule) in kinds
    ]


def _first(model) -> int:
    return db.session.scalar(sa.select(sa.func.min(model.id)))


@pytest.fixture
def ids(app):
    """Demonstration data, and an existing id for every kind of URL argument."""
    demo.load()
    return {
        "event_id": _first(Event),
        "registration_id": _first(Registration),
        "shift_id": _first(Shift),
        "signup_id": _first(ShiftSignup),
        "application_id": _first(VolunteerApplication),
        "user_id": _first(User),
        "series_id": _first(Series),
        "campaign_id": _first(Campaign),
        "branch_id": _first(Branch),
        "venue_id": _first(Venue),
        "year": 2021,
        "fmt": "csv",
        "code": db.session.scalar(sa.select(Branch.code).limit(1)),
        "slug": db.session.scalar(sa.select(Series.slug).limit(1)),
        "kind": "lecture",
        "token": "not-a-real-token",
        "filename": "missing.css",
    }


def _method(rule) -> str:
    methods = rule.methods - {"HEAD", "OPTIONS"}
    return "GET" if "GET" in methods else sorted(methods)[0]


def _url(app, rule, ids, method=None) -> str:
    values = {name: ids[name] for name in rule.arguments}
    assert all(v is not None for v in values.values()), (rule.rule, values)
    method = method or _method(rule)
    return app.url_map.bind("localhost").build(rule.endpoint, values, method=method)


def _call(client, app, rule, ids, headers=None, method=None):
    method = method or _method(rule)
    return client.open(_url(app, rule, ids, method), method=method, headers=headers or {})


def test_every_route_is_staff_admin_or_listed(app):
    unlisted = [f"{r.rule} ({r.endpoint})" for r in _rules(app, "unlisted")]
    assert unlisted == [], "add a role check and a prefix, or list the route with its audience"


def test_anonymous_visitors_are_sent_to_login_from_every_protected_page(app, client, ids):
    wrong = []
    for rule in _rules(app, "staff", "admin", "logged_in", "volunteer", "api_token"):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "GET" and rule.endpoint in PUBLIC_GET:
                continue
            response = _call(client, app, rule, ids, method=method)
            to_login = response.status_code == 302 and "/auth/login" in response.location
            if not (to_login or response.status_code in (401, 403)):
                wrong.append((method, rule.rule, response.status_code))
    assert wrong == []


@pytest.mark.parametrize("role", [Role.READER, Role.VOLUNTEER])
def test_readers_and_volunteers_get_403_on_every_staff_and_admin_page(app, ids, client_as, role):
    user_client = client_as(role)
    headers = auth(app.test_client(), user_client.user)
    wrong = []
    for rule in _rules(app, "staff", "admin"):
        api = rule.endpoint.startswith("api.")
        response = _call(user_client if not api else app.test_client(), app, rule, ids, headers)
        if response.status_code != 403:
            wrong.append((_method(rule), rule.rule, response.status_code))
    assert wrong == []


def test_readers_get_403_on_every_volunteer_page(app, ids, client_as):
    reader = client_as(Role.READER)
    wrong = []
    for rule in _rules(app, "volunteer"):
        response = _call(reader, app, rule, ids)
        if response.status_code != 403:
            wrong.append((_method(rule), rule.rule, response.status_code))
    assert wrong == []


def test_staff_reach_every_staff_page_but_no_admin_page(app, ids, client_as):
    staff = client_as(Role.STAFF)
    headers = auth(app.test_client(), staff.user)
    wrong = []
    for rule in _rules(app, "staff"):
        api = rule.endpoint.startswith("api.")
        response = _call(staff if not api else app.test_client(), app, rule, ids, headers)
        if response.status_code == 403 or response.status_code >= 500:
            wrong.append((_method(rule), rule.rule, response.status_code))
    for rule in _rules(app, "admin"):
        response = _call(staff, app, rule, ids)
        if response.status_code != 403:
            wrong.append((_method(rule), rule.rule, response.status_code))
    assert wrong == []


def test_admins_reach_every_admin_page(app, ids, client_as):
    admin = client_as(Role.ADMIN)
    wrong = []
    for rule in _rules(app, "admin"):
        response = _call(admin, app, rule, ids)
        if response.status_code == 403 or response.status_code >= 500:
            wrong.append((_method(rule), rule.rule, response.status_code))
    assert wrong == []


def _database_fingerprint() -> str:
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
        digest.update(f"{table.name}:{rows!r}".encode())
    return digest.hexdigest()


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def _login(self, app, user):
        client = app.test_client()
        token = TOKEN.search(client.get("/auth/login").text)[1]
        response = client.post(
            "/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302
        return client

    def test_staff_and_admin_posts_without_a_token_are_refused_and_change_nothing(
        self, app, ids, make_user
    ):
        admin = self._login(app, make_user(Role.ADMIN))
        db.session.expire_all()
        wrong = []
        for rule in _rules(app, "staff", "admin"):
            if "POST" not in rule.methods or rule.endpoint.startswith("api."):
                continue
            before = _database_fingerprint()
            response = admin.post(
                app.url_map.bind("localhost").build(
                    rule.endpoint, {n: ids[n] for n in rule.arguments}, method="POST"
                ),
                data={"title": "changed", "capacity": "1", "year": "2021"},
            )
            db.session.expire_all()
            if response.status_code != 400 or _database_fingerprint() != before:
                wrong.append((rule.rule, response.status_code))
        assert wrong == []
