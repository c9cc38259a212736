"""The ``eventsys`` command: serve, demo data, accounts and CSV import."""

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from eventsys import create_app
from eventsys.cli import main
from eventsys.extensions import db
from eventsys.models import Branch, OutboxMessage, User, Venue

HEADER = "email,display_name,card_number,phone,role,password\n"


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def _import(runner, tmp_path, text: str, encoding: str = "utf-8"):
    path = tmp_path / "users.csv"
    path.write_bytes(text.encode(encoding))
    return runner.invoke(main, ["users", "import", str(path)])


def test_flask_commands_work_through_eventsys(runner):
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("db", "serve", "demo", "users", "outbox", "reminders", "indicators"):
        assert command in result.output


def test_backup_and_restore_sit_with_the_migrations_in_db(runner):
    result = runner.invoke(main, ["db", "--help"])
    assert result.exit_code == 0
    for command in ("upgrade", "backup", "restore"):
        assert command in result.output


def test_every_group_also_works_through_flask(app):
    assert {"serve", "demo", "users", "outbox", "reminders", "indicators", "db"} <= set(
        app.cli.commands
    )


def test_demo_load_twice_creates_nothing_twice(app, runner, login, client):
    first = runner.invoke(main, ["demo", "load"])
    counts = (_count(Branch), _count(Venue), _count(User))
    second = runner.invoke(main, ["demo", "load"])

    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert (_count(Branch), _count(Venue), _count(User)) == counts
    assert counts[0] >= 5 and counts[1] >= 8
    renmin = db.session.scalar(sa.select(Branch).where(Branch.code == "renmin"))
    assert renmin.address == "苏州市姑苏区人民路858号"
    for role in ("reader", "volunteer", "staff", "admin"):
        assert f"{role}@demo.eventsys" in first.output
    assert "demo-password" in first.output
    for role in ("reader", "volunteer", "staff", "admin"):
        assert _user(f"{role}@demo.eventsys").role == role


def test_demo_accounts_can_log_in_with_the_printed_password(app, runner, client):
    runner.invoke(main, ["demo", "load"])
    response = client.post(
        "/auth/login", data={"email": "staff@demo.eventsys", "password": "demo-password"}
    )
    assert response.status_code == 302


def test_users_create_makes_an_account_with_the_role(app, runner):
    result = runner.invoke(
        main,
        ["users", "create", "--email", "Librarian@Example.org", "--password", "s3cret-pass"]
        + ["--role", "staff", "--name", "周馆员"],
    )
    assert result.exit_code == 0, result.output
    user = _user("librarian@example.org")
    assert user.role == "staff" and user.display_name == "周馆员"
    assert user.check_password("s3cret-pass")


def test_users_create_refuses_a_taken_email_with_a_message(app, runner, make_user):
    make_user(email="taken@example.org")
    result = runner.invoke(
        main, ["users", "create", "--email", "taken@example.org", "--password", "s3cret-pass"]
    )
    assert result.exit_code != 0
    assert "exists already" in result.output
    assert "Traceback" not in result.output


def test_users_create_refuses_a_short_password(app, runner):
    result = runner.invoke(
        main, ["users", "create", "--email", "a@example.org", "--password", "short"]
    )
    assert result.exit_code != 0
    assert "8 characters" in result.output
    assert _user("a@example.org") is None


def test_users_import_reads_excel_csv_with_bom_and_chinese_names(app, runner, tmp_path):
    text = HEADER + "liwei@example.org,李伟,SZ0001,13800000001,reader,pass-word-1\n"
    result = _import(runner, tmp_path, text, encoding="utf-8-sig")

    assert result.exit_code == 0, result.output
    assert "created: 1" in result.output
    user = _user("liwei@example.org")
    assert user.display_name == "李伟" and user.card_number == "SZ0001"
    assert user.check_password("pass-word-1")


def test_users_import_without_password_queues_a_reset_mail(app, runner, tmp_path):
    result = _import(runner, tmp_path, HEADER + "chen@example.org,陈静,,,volunteer,\n")

    assert result.exit_code == 0, result.output
    assert _user("chen@example.org").role == "volunteer"
    [mail] = db.session.scalars(sa.select(OutboxMessage)).all()
    assert mail.to_address == "chen@example.org"
    assert "/auth/reset" in mail.body


def test_users_import_twice_updates_instead_of_duplicating(app, runner, tmp_path):
    _import(runner, tmp_path, HEADER + "wang@example.org,王芳,,,reader,pass-word-1\n")
    again = _import(runner, tmp_path, HEADER + "wang@example.org,王芳,,,reader,pass-word-1\n")
    changed = _import(runner, tmp_path, HEADER + "wang@example.org,王芳芳,,,volunteer,\n")

    assert "created: 0, updated: 0, unchanged: 1" in again.output
    assert "created: 0, updated: 1" in changed.output
    assert _count(User) == 1
    user = _user("wang@example.org")
    assert user.display_name == "王芳芳" and user.role == "volunteer"
    assert user.check_password("pass-word-1")  # no password column value: kept


def test_users_import_reports_bad_rows_and_keeps_the_good_ones(app, runner, tmp_path, make_user):
    make_user(role="staff", email="staff@example.org")
    make_user(email="holder@example.org", card_number="SZ0009")
    text = HEADER + (
        "good1@example.org,读者一,,,reader,pass-word-1\n"
        "not-an-email,读者二,,,reader,pass-word-1\n"
        "boss@example.org,馆长,,,admin,pass-word-1\n"
        "staff@example.org,馆员,,,reader,pass-word-1\n"
        "card@example.org,读者三,SZ0009,,reader,pass-word-1\n"
        "good1@example.org,读者一,,,reader,pass-word-1\n"
        "short@example.org,读者四,,,reader,abc\n"
        "odd@example.org,读者五,,,guest,pass-word-1\n"
        "good2@example.org,读者六,,,,pass-word-1\n"
    )
    result = _import(runner, tmp_path, text)

    assert result.exit_code == 1
    assert "created: 2, updated: 0, unchanged: 0, rejected: 7" in result.output
    for row, words in {
        3: "email is not valid",
        4: "not imported",
        5: "staff account",
        6: "card_number",
        7: "row 2",
        8: "shorter than 8",
        9: "unknown role",
    }.items():
        assert f"row {row}:" in result.output and words in result.output, (row, result.output)
    assert _user("good1@example.org") is not None
    assert _user("good2@example.org").role == "reader"
    assert _user("boss@example.org") is None
    assert _user("staff@example.org").role == "staff"
    assert "Traceback" not in result.output


def test_users_import_refuses_a_file_that_is_not_utf8(app, runner, tmp_path):
    result = _import(runner, tmp_path, HEADER + "gbk@example.org,张三,,,reader,\n", "gbk")
    assert result.exit_code != 0
    assert "not UTF-8" in result.output
    assert _count(User) == 0


def test_users_import_refuses_a_file_without_an_email_column(app, runner, tmp_path):
    result = _import(runner, tmp_path, "name,phone\n张三,123\n")
    assert result.exit_code != 0
    assert "email" in result.output


@pytest.fixture
def empty_app(tmp_path, monkeypatch):
    """An app on a database that has no tables yet, as on a first start."""
    monkeypatch.setenv("EVENTSYS_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'serve.db'}",
        }
    )
    yield app
    with app.app_context():
        db.engine.dispose()


def test_serve_upgrades_the_database_loads_demo_and_hands_over_to_gunicorn(empty_app, monkeypatch):
    served = {}
    monkeypatch.setattr(
        "eventsys.cli.serve._run_gunicorn", lambda app, options: served.update(app=app, **options)
    )
    result = empty_app.test_cli_runner().invoke(
        main, ["serve", "--port", "5099", "--workers", "3", "--demo"]
    )

    assert result.exit_code == 0, result.output
    assert served == {"app": empty_app, "bind": "127.0.0.1:5099", "workers": 3}
    assert "admin@demo.eventsys" in result.output
    with empty_app.app_context():
        assert _count(Venue) >= 8


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_serve_answers_http_through_gunicorn(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "EVENTSYS_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    command = [str(Path(sys.executable).parent / "eventsys"), "serve", "--port", str(port)]
    process = subprocess.Popen(
        command + ["--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert process.poll() is None, process.stdout.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not answer in 30 s"
                time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            assert response.status == 200
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0].decode()
    assert "gunicorn" in output.lower()


def test_production_with_memory_rate_limits_logs_a_warning(monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("EVENTSYS_ENV", "production")
    monkeypatch.setenv("EVENTSYS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    with caplog.at_level(logging.WARNING):
        app = create_app(
            {"SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"}
        )
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert any("RATELIMIT_STORAGE_URI" in r.getMessage() for r in caplog.records)
