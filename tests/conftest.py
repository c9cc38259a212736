"""Fixtures: an app on a fresh database per test, clients per role, and factories.

SQLite by default: the schema is built once per run into a template file, and each test
gets its own copy. PostgreSQL when TEST_DATABASE_URL is set: the schema is built once per
run and the tables a test wrote to are emptied after it. Passwords are hashed with a cheap
method (EVENTSYS_PASSWORD_HASH), which production refuses.

Tests run in parallel worker processes (pytest-xdist, ``-n auto`` in pyproject.toml; ``-n 0``
runs them in one process). Each worker has its own temporary folder, so its own SQLite
template, and on PostgreSQL its own database: TEST_DATABASE_URL's name plus the worker's id.

Tests marked ``slow`` (live servers, other processes, the wheel build, schemathesis, the
browser) are left out by default; ``pytest -m slow`` runs them, ``pytest -m ""`` runs all.
"""

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g

from eventsys import create_app
from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Branch, Event, Role, User, Venue

pytest_plugins = ["live_server"]  # the live_server fixture (tests/live_server.py)


def _worker_database_url(url: str) -> str:
    """This pytest-xdist worker's PostgreSQL database: ``eventsys_test_gw0`` for
    ``eventsys_test`` on worker gw0; the URL itself outside xdist, or when it already
    names the worker's database (test modules import this file a second time)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    parsed = sa.engine.make_url(url)
    if parsed.database.endswith(f"_{worker}"):
        return url
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


PG_URL = _worker_database_url(os.environ.get("TEST_DATABASE_URL", ""))
if PG_URL:
    # Set before any test module reads it: the databases that tests derive from it
    # (migrations, /readyz) are this worker's too.
    os.environ["TEST_DATABASE_URL"] = PG_URL
PASSWORD = "correct horse battery"
# One iteration of PBKDF2: a hash costs microseconds instead of scrypt's tenth of a second.
TEST_PASSWORD_HASH = "pbkdf2:sha256:1"
E2E_DIR = Path(__file__).resolve().parent / "e2e"


def pytest_report_header(config) -> str | None:
    if config.option.markexpr == "not slow":
        return 'slow tests deselected: run them with -m slow, or everything with -m ""'
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items) -> None:
    """Browser tests and every test on a live server are slow, wherever they are."""
    for item in items:
        if E2E_DIR in item.path.parents or "live_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


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


def _schema_app(url: str, instance_path: Path):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EVENTSYS_INSTANCE_PATH", str(instance_path))
        return create_app(_test_config(url))


@pytest.fixture(scope="session")
def pg_schema(tmp_path_factory):
    """On PostgreSQL: the schema, built once per run from the models."""
    if not PG_URL:
        yield None
        return
    _ensure_pg_database(PG_URL)
    app = _schema_app(PG_URL, tmp_path_factory.mktemp("pg-schema"))
    with app.app_context():
        db.drop_all()
        db.session.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.create_all()
        db.engine.dispose()
    yield PG_URL


@pytest.fixture(scope="session")
def sqlite_schema(tmp_path_factory) -> Path | None:
    """On SQLite: an empty database file with the schema, built once per run from the
    models; ``database_url`` gives each test a copy."""
    if PG_URL:
        return None
    folder = tmp_path_factory.mktemp("sqlite-schema")
    path = folder / "schema.db"
    app = _schema_app(f"sqlite:///{path}", folder / "instance")
    with app.app_context():
        db.create_all()
        db.engine.dispose()  # the last connection folds the write-ahead log into the file
    assert not Path(f"{path}-wal").exists(), "the template must be one self-contained file"
    return path


def _empty_pg_tables() -> None:
    """Delete the rows of the tables that have any, children first, and restart the
    sequences that were used: on a few small tables far cheaper than TRUNCATE, which
    rewrites every table it names."""
    tables = db.metadata.sorted_tables
    probe = " UNION ALL ".join(
        f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables
    )
    with db.engine.begin() as conn:
        filled = set(conn.scalars(sa.text(probe)))
        for table in reversed(tables):
            if table.name in filled:
                conn.execute(sa.text(f'DELETE FROM "{table.name}"'))
        conn.execute(
            sa.text(
                "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, 1, false) "
                "FROM pg_sequences "
                "WHERE schemaname = current_schema() AND last_value IS NOT NULL"
            )
        )


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
        "EVENTSYS_PASSWORD_HASH": TEST_PASSWORD_HASH,
        **overrides,
    }


@pytest.fixture
def database_url(tmp_path, pg_schema, sqlite_schema) -> str:
    """The test's own database, with the schema and no rows."""
    if pg_schema:
        return pg_schema
    path = tmp_path / "test.db"
    shutil.copyfile(sqlite_schema, path)
    return f"sqlite:///{path}"


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
        if not PG_URL and not _sqlite_file_has_schema(database_url):
            db.create_all()  # a module's own database_url gave an empty database
        yield app
        db.session.remove()
        if PG_URL:
            _empty_pg_tables()
        db.engine.dispose()


def _sqlite_file_has_schema(url: str) -> bool:
    path = Path(sa.engine.make_url(url).database or "")
    return path.is_file() and path.stat().st_size > 0


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
