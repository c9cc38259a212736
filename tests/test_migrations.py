"""The migrations build the same schema as the models, on SQLite and on PostgreSQL.

When this fails after a model change, generate a revision: ``eventsys db migrate -m "…"``.
"""

import os

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from eventsys import create_app
from eventsys.extensions import db

PG_URL = os.environ.get("TEST_DATABASE_URL", "")


def _pg_url(suffix: str) -> sa.engine.URL:
    url = sa.engine.make_url(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    return url.set(database=f"{url.database}{suffix}")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def empty_database(request, tmp_path_factory):
    """The URL of an empty database: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('migrations') / 'migrations.db'}"
        return
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    url = _pg_url("_migrations")
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


@pytest.fixture(scope="module")
def migrated_app(empty_database, tmp_path_factory):
    """An app whose database was built by the migrations alone (once per database)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        instance = tmp_path_factory.mktemp("instance")
        monkeypatch.setenv("EVENTSYS_INSTANCE_PATH", str(instance))
        app = create_app(
            {"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": empty_database}
        )
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def _differences() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": True}
        )
        return compare_metadata(context, db.metadata)


def _check_constraints_in_models(table: sa.Table) -> set[str]:
    return {
        str(c.name)
        for c in table.constraints
        if isinstance(c, sa.CheckConstraint) and c.name and not str(c.name).startswith("_")
    }


def _migrated_tables() -> list[sa.Table]:
    """The models' tables that the migrations created (a missing one fails the test above)."""
    present = set(sa.inspect(db.engine).get_table_names())
    return [t for t in db.metadata.sorted_tables if t.name in present]


def test_upgrading_an_empty_database_creates_every_table(migrated_app):
    tables = set(sa.inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_migrations_match_the_models(migrated_app):
    differences = _differences()
    assert differences == [], (
        "The models and the migrations differ; generate a revision with "
        "`eventsys db migrate -m '…'` and review it:\n" + "\n".join(str(d) for d in differences)
    )


def test_migrations_create_every_named_check_constraint(migrated_app):
    inspector = sa.inspect(db.engine)
    missing = {}
    for table in _migrated_tables():
        expected = _check_constraints_in_models(table)
        found = {c["name"] for c in inspector.get_check_constraints(table.name)}
        if expected - found:
            missing[table.name] = sorted(expected - found)
    assert missing == {}


def test_one_active_registration_per_reader_is_a_partial_unique_index(migrated_app):
    indexes = {i["name"]: i for i in sa.inspect(db.engine).get_indexes("registrations")}
    index = indexes["uq_registrations_one_active"]
    assert index["unique"]
    assert index["column_names"] == ["event_id", "user_id"]
    where = index.get("dialect_options", {})
    assert any("status" in str(value) for key, value in where.items() if key.endswith("_where"))


def test_constraint_names_follow_the_naming_convention(migrated_app):
    inspector = sa.inspect(db.engine)
    for table in _migrated_tables():
        pk = inspector.get_pk_constraint(table.name)
        if db.engine.dialect.name == "postgresql":  # SQLite keeps no primary key names
            assert pk["name"] == f"pk_{table.name}"
        for fk in inspector.get_foreign_keys(table.name):
            assert fk["name"] and fk["name"].startswith(f"fk_{table.name}_"), fk
        for unique in inspector.get_unique_constraints(table.name):
            assert unique["name"] and unique["name"].startswith(f"uq_{table.name}_"), unique
