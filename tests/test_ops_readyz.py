"""/readyz: ready only when the database answers and its schema is at the migrations' head."""

import os

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

import eventsys
from eventsys import create_app
from eventsys.extensions import db

PG_URL = os.environ.get("TEST_DATABASE_URL", "")


@pytest.fixture
def empty_database(tmp_path):
    """An empty database on the backend under test: a new SQLite file or PostgreSQL database."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'readyz.db'}"
        return
    url = sa.engine.make_url(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    url = url.set(database=f"{url.database}_readyz")
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def app_on(tmp_path, monkeypatch):
    apps = []

    def make(url: str):
        monkeypatch.setenv("EVENTSYS_INSTANCE_PATH", str(tmp_path / "instance"))
        app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url})
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_readyz_is_ok_on_a_database_upgraded_to_the_latest_migration(app_on, empty_database):
    app = app_on(empty_database)
    with app.app_context():
        upgrade()

    response = app.test_client().get("/readyz")

    assert response.status_code == 200
    head = ScriptDirectory(eventsys.MIGRATIONS_DIR).get_current_head()
    assert response.json == {
        "status": "ok",
        "database": "ok",
        "migrations": "current",
        "revision": [head],
        "expected_revision": [head],
    }


def test_readyz_reports_migrations_not_applied_on_an_empty_database(app_on, empty_database):
    response = app_on(empty_database).test_client().get("/readyz")

    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["migrations"] == "not applied"
    assert "eventsys db upgrade" in response.json["detail"]


def test_readyz_reports_a_database_behind_the_migrations(app_on, empty_database):
    app = app_on(empty_database)
    with app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE alembic_version SET version_num = 'older'"))

    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.json["revision"] == ["older"]
    assert response.json["migrations"] == "behind or ahead"


def test_readyz_reports_an_unreachable_database_without_a_stack_trace(app_on, tmp_path):
    app = app_on(f"sqlite:///{tmp_path / 'missing-folder' / 'nothing.db'}")

    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.json["database"] == "unreachable"
    assert "Traceback" not in response.get_data(as_text=True)


def test_healthz_answers_even_when_the_database_is_unreachable(app_on, tmp_path):
    app = app_on(f"sqlite:///{tmp_path / 'missing-folder' / 'nothing.db'}")

    assert app.test_client().get("/healthz").status_code == 200
