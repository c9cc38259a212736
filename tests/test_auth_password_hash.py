"""Password hashes: the method is a setting, production refuses a weak one, and hashes made
by an earlier method keep working."""

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from eventsys import create_app
from eventsys.cli import main
from eventsys.config import ConfigError, from_environment
from eventsys.extensions import db
from eventsys.models import User
from eventsys.models.users import hash_password


def _app(monkeypatch, tmp_path, env: str, method: str | None = None):
    monkeypatch.setenv("EVENTSYS_ENV", env)
    monkeypatch.setenv("EVENTSYS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("EVENTSYS_PASSWORD_HASH", raising=False)
    config = {"SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"}
    if method is not None:
        config["EVENTSYS_PASSWORD_HASH"] = method
    return create_app(config)


def test_new_passwords_are_hashed_with_scrypt_unless_configured(monkeypatch, tmp_path):
    app = _app(monkeypatch, tmp_path, "production")
    assert app.config["EVENTSYS_PASSWORD_HASH"] == "scrypt"
    with app.app_context():
        assert hash_password("s3cret-pass").startswith("scrypt:32768:8:1$")
    assert hash_password("s3cret-pass").startswith("scrypt:")  # outside any app too


def test_tests_hash_with_the_cheap_method_of_their_configuration(app, make_user):
    user = make_user()
    assert user.password_hash.startswith("pbkdf2:sha256:1$")


def test_an_earlier_scrypt_hash_still_verifies(app, make_user):
    user = make_user()
    user.password_hash = generate_password_hash("old-pass-word", method="scrypt")
    db.session.commit()
    assert user.check_password("old-pass-word")
    assert not user.check_password("other-pass-word")


def test_accounts_made_on_the_command_line_use_the_setting(app, runner):
    result = runner.invoke(
        main, ["users", "create", "--email", "cli@example.org", "--password", "s3cret-pass"]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "cli@example.org"))
    assert user.password_hash.startswith("pbkdf2:sha256:1$")
    assert user.check_password("s3cret-pass")


@pytest.mark.parametrize("method", ["pbkdf2:sha256:1", "scrypt:1024:8:1", "pbkdf2:md5:1000000"])
def test_production_refuses_to_start_with_a_weak_method(monkeypatch, tmp_path, method):
    with pytest.raises(ConfigError, match="too weak for production"):
        _app(monkeypatch, tmp_path, "production", method)
    assert _app(monkeypatch, tmp_path, "development", method)


@pytest.mark.parametrize("method", ["scrypt", "scrypt:65536:8:1", "pbkdf2:sha256:600000"])
def test_production_accepts_a_strong_method(monkeypatch, tmp_path, method):
    assert _app(monkeypatch, tmp_path, "production", method)


@pytest.mark.parametrize("method", ["md5", "scrypt:1000:8:1", "pbkdf2:nohash:5", "pbkdf2:sha256:x"])
def test_an_unknown_method_is_refused_everywhere(monkeypatch, tmp_path, method):
    with pytest.raises(ConfigError, match="not a password hash method"):
        _app(monkeypatch, tmp_path, "development", method)


def test_the_method_can_come_from_the_environment():
    found = from_environment({"EVENTSYS_PASSWORD_HASH": "scrypt:65536:8:1"})
    assert found["EVENTSYS_PASSWORD_HASH"] == "scrypt:65536:8:1"
