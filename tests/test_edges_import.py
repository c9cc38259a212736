"""`eventsys users import` never lowers a role unasked, and `--dry-run` writes nothing."""

import sqlalchemy as sa

from eventsys.cli import main
from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import ApplicationStatus, OutboxMessage, User, VolunteerApplication

HEADER = "email,display_name,card_number,phone,role,password\n"


def _import(runner, tmp_path, text: str, *options: str):
    path = tmp_path / "users.csv"
    path.write_text(text, encoding="utf-8")
    return runner.invoke(main, ["users", "import", *options, str(path)])


def _user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def _approved_volunteer(make_user, email: str) -> User:
    user = make_user("volunteer", email=email, display_name="志愿者")
    db.session.add(
        VolunteerApplication(
            user_id=user.id, status=ApplicationStatus.APPROVED.value, decided_at=utcnow()
        )
    )
    db.session.commit()
    return user


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_import_keeps_an_approved_volunteer_when_the_row_says_reader(
    app, runner, tmp_path, make_user
):
    _approved_volunteer(make_user, "said-reader@example.org")
    _approved_volunteer(make_user, "no-role@example.org")
    text = HEADER + ("said-reader@example.org,志愿者,,,reader,\nno-role@example.org,志愿者二,,,,\n")

    result = _import(runner, tmp_path, text)

    assert result.exit_code == 0, result.output
    assert _user("said-reader@example.org").role == "volunteer"
    assert _user("no-role@example.org").role == "volunteer"
    assert _user("no-role@example.org").display_name == "志愿者二"
    # The row that asked for less is named, with what was kept.
    assert "row 2: said-reader@example.org: role volunteer kept" in result.output
    assert "--allow-lower-roles" in result.output
    assert "row 3:" not in result.output  # an empty role asks for nothing


def test_import_lowers_a_role_only_with_the_flag_and_reports_each_row(
    app, runner, tmp_path, make_user
):
    _approved_volunteer(make_user, "lower@example.org")
    _approved_volunteer(make_user, "keep@example.org")
    text = HEADER + "lower@example.org,志愿者,,,reader,\nkeep@example.org,志愿者,,,,\n"

    result = _import(runner, tmp_path, text, "--allow-lower-roles")

    assert result.exit_code == 0, result.output
    assert _user("lower@example.org").role == "reader"
    assert _user("keep@example.org").role == "volunteer"  # empty role: nothing asked
    assert "row 2: lower@example.org: role lowered from volunteer to reader" in result.output
    assert "created: 0, updated: 1, unchanged: 1, rejected: 0" in result.output


def test_import_never_changes_staff_or_admin_roles_even_with_the_flag(
    app, runner, tmp_path, make_user
):
    make_user("staff", email="staff@example.org")
    make_user("admin", email="admin@example.org")
    text = HEADER + "staff@example.org,馆员,,,reader,\nadmin@example.org,管理员,,,volunteer,\n"

    result = _import(runner, tmp_path, text, "--allow-lower-roles")

    assert result.exit_code == 1
    assert _user("staff@example.org").role == "staff"
    assert _user("admin@example.org").role == "admin"
    assert "row 2:" in result.output and "row 3:" in result.output


def test_dry_run_prints_the_same_report_and_writes_nothing(app, runner, tmp_path, make_user):
    _approved_volunteer(make_user, "vol@example.org")
    make_user(email="known@example.org", display_name="旧名字")
    text = HEADER + (
        "new@example.org,新读者,SZ1,,reader,\n"  # created, would queue a reset mail
        "known@example.org,新名字,,,volunteer,\n"  # updated
        "vol@example.org,志愿者,,,reader,\n"  # role kept, said so
        "other@example.org,读者,SZ1,,reader,pass-word-1\n"  # card taken by row 2
        "bad-email,读者,,,reader,\n"  # rejected
    )
    users_before = _count(User)

    dry = _import(runner, tmp_path, text, "--dry-run")

    assert dry.exit_code == 1, dry.output  # rejected rows still set the status
    assert "nothing was written" in dry.output.lower()
    assert _count(User) == users_before
    assert _user("known@example.org").display_name == "旧名字"
    assert _user("known@example.org").role == "reader"
    assert _count(OutboxMessage) == 0

    real = _import(runner, tmp_path, text)

    assert "created: 1, updated: 1, unchanged: 1, rejected: 2" in dry.output
    report_lines = [line for line in real.output.splitlines() if line.strip()]
    assert report_lines and all(line in dry.output for line in report_lines), (
        dry.output,
        real.output,
    )
    assert _user("new@example.org") is not None
    assert _user("other@example.org") is None
    assert _count(OutboxMessage) == 1
