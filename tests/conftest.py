"""Fixtures: an app on a fresh database per test, clients per role, and factories.

SQLite by default (a new file per test); PostgreSQL when TEST_DATABASE_URL is set (the
schema is created once per run and emptied after every test).
"""

import os
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import g

from eventsys import create_app
from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Branch, Event, Role, User, Venue

pytest_plugins = ["live_server"]  # the live_server fixture (tests/live_server.py)

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
PASSWORD = "correct horse battery"


def _ensure_pg_database(url: str) -> None:
    """Create the test database on first use, so a bare server is enough."""
    target = sa.engine.make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        )
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


@pytest.fixture(scope="session")
def pg_schema():
    """On PostgreSQL: the schema, built once per run from the models."""
    if not PG_URL:
        yield None
        return
    _ensure_pg_database(PG_URL)
    app = create_app(_test_config(PG_URL))
    with app.app_context():
        db.drop_all()
        db.session.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.create_all()
        db.engine.dispose()
    yield PG_URL


def _test_config(url: str, **overrides) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_BACKEND": "console",
        "SERVER_NAME": None,
        # Pages and mails in the source language; tests/test_i18n.py covers Chinese.
        "BABEL_DEFAULT_LOCALE": "en",
        **overrides,
    }


@pytest.fixture
def database_url(tmp_path, pg_schema) -> str:
    return pg_schema or f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def app_config() -> dict:
    """Override in a test module (or parametrize) to change the app's settings."""
    return {}


@pytest.fixture
def app(database_url, app_config, tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSYS_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({**_test_config(database_url), **app_config})
    _forget_login_between_requests(app)
    with app.app_context():
        if not PG_URL:
            db.create_all()
        yield app
        db.session.remove()
        if PG_URL:
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


def _forget_login_between_requests(app) -> None:
    """Tests keep one app context open, so ``g`` (where Flask-Login caches the user and
    Flask-WTF the CSRF token) would outlive a request and leak one client's login into the
    next; each request loads its own."""

    def forget_cached_user(response=None):
        g.pop("_login_user", None)
        g.pop("csrf_token", None)
        return response

    app.before_request_funcs.setdefault(None, []).insert(0, forget_cached_user)
    app.after_request(forget_cached_user)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """make_user(role="reader", **fields) -> User, committed."""
    counter = iter(range(1, 10_000))

    def make(role: str = Role.READER, **fields) -> User:
        n = next(counter)
        user = User(
            email=fields.pop("email", f"{role}{n}@example.org"),
            display_name=fields.pop("display_name", f"{role.title()} {n}"),
            role=role,
            locale=fields.pop("locale", "en"),
            **fields,
        )
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(app):
    """login(client, user): log a test client in through the real login form."""

    def do_login(client, user: User):
        response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.data
        return client

    return do_login


@pytest.fixture
def client_as(app, make_user, login):
    """client_as("staff") -> a test client logged in as a new user with that role."""

    def make(role: str = Role.READER, **fields):
        user = make_user(role, **fields)
        test_client = app.test_client()
        login(test_client, user)
        test_client.user = user
        return test_client

    return make


@pytest.fixture
def make_venue(app):
    """make_venue(**fields) -> Venue, creating a branch unless one is given."""
    counter = iter(range(1, 10_000))

    def make(branch: Branch | None = None, **fields) -> Venue:
        n = next(counter)
        if branch is None:
            branch = Branch(
                code=f"branch-{n}",
                name=f"分馆 {n}",
                name_en=f"Branch {n}",
                kind="branch",
                address=f"{n} Renmin Road, Suzhou",
            )
            db.session.add(branch)
        venue = Venue(
            branch=branch,
            name=fields.pop("name", f"报告厅 {n}"),
            capacity=fields.pop("capacity", 100),
            kind=fields.pop("kind", "lecture_hall"),
            **fields,
        )
        db.session.add(venue)
        db.session.commit()
        return venue

    return make


@pytest.fixture
def make_event(app, make_venue):
    """make_event(**fields) -> a published lecture starting in a week, committed."""

    def make(**fields) -> Event:
        starts_at = fields.pop("starts_at", utcnow().replace(microsecond=0) + timedelta(days=7))
        if "venue" not in fields and "venue_id" not in fields:
            fields["venue"] = make_venue()
        event = Event(
            kind=fields.pop("kind", "lecture"),
            title=fields.pop("title", "江南园林与文人生活"),
            starts_at=starts_at,
            ends_at=fields.pop("ends_at", starts_at + timedelta(hours=2)),
            status=fields.pop("status", "published"),
            capacity=fields.pop("capacity", 50),
            max_party_size=fields.pop("max_party_size", 4),
            **fields,
        )
        db.session.add(event)
        db.session.commit()
        return event

    return make
