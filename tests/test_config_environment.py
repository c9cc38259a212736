"""Every setting the README documents can be set from the environment, in its type, and a
value of the wrong type stops start-up with an error naming the variable.

The names come from README.md itself, so the README and eventsys/config.py cannot drift
apart: a new `EVENTSYS_*` name in the README that the environment cannot set fails here.
"""

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from eventsys import create_app
from eventsys.cli import main
from eventsys.config import DEFAULTS, ENV_SETTINGS, ConfigError, from_environment

README = Path(__file__).resolve().parents[1] / "README.md"
SETTINGS = {setting.name: setting for setting in ENV_SETTINGS}
# Read by create_app itself (the instance folder comes before any configuration).
INSTANCE_PATH = "EVENTSYS_INSTANCE_PATH"

# A value different from the default for each text setting; numbers and yes/no values are
# derived from the default.
TEXT_SAMPLES = {
    "EVENTSYS_ENV": "production",
    "EVENTSYS_TIMEZONE": "Europe/Berlin",
    "EVENTSYS_BASE_URL": "https://events.example.org",
    "EVENTSYS_LIBRARY_NAME": "金陵图书馆",
    "EVENTSYS_LIBRARY_NAME_EN": "Jinling Library",
    "EVENTSYS_LIBRARY_SHORT_NAME": "金图",
    "EVENTSYS_LIBRARY_SHORT_NAME_EN": "Jinling",
    "EVENTSYS_LIBRARY_PHONE": "025-84211234",
    "EVENTSYS_LIBRARY_EMAIL": "events@library.example.org",
    "EVENTSYS_DEFAULT_LOCALE": "en",
    "EVENTSYS_CORS_ORIGINS": "https://app.example.org",
    "EVENTSYS_PASSWORD_HASH": "pbkdf2:sha256:1",
    "EVENTSYS_CACHE_URL": "memory://",
    "SECRET_KEY": "a-secret-from-the-environment",
    "MAIL_BACKEND": "smtp",
    "MAIL_SERVER": "smtp.example.org",
    "MAIL_USERNAME": "mailer",
    "MAIL_PASSWORD": "mail-secret",
    "MAIL_DEFAULT_SENDER": "events@example.org",
    "RATELIMIT_STORAGE_URI": "memory://?from=environment",
    "RATELIMIT_DEFAULT": "300 per minute",
    "RATELIMIT_AUTH": "5 per minute",
    "RATELIMIT_REGISTRATION": "20 per minute",
    "RATELIMIT_TOKENS": "7 per minute",
}


def _readme_eventsys_names() -> set[str]:
    return set(re.findall(r"\bEVENTSYS_[A-Z][A-Z0-9_]*", README.read_text(encoding="utf-8")))


def _configuration_table_names() -> set[str]:
    """The names in the first column of the README's Configuration table."""
    section = README.read_text(encoding="utf-8").split("\n## Configuration\n", 1)[1]
    section = section.split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names.update(re.findall(r"`([A-Z][A-Z0-9_]*)`", first_cell))
    return names


DOCUMENTED = sorted(_readme_eventsys_names() | _configuration_table_names())


def _sample(name: str, tmp_path: Path) -> str:
    if name == "DATABASE_URL":
        return f"sqlite:///{tmp_path / 'from-environment.db'}"
    setting = SETTINGS[name]
    if setting.kind is int:
        return str(DEFAULTS.get(setting.key, 0) + 7)
    if setting.kind is bool:
        return "false" if DEFAULTS.get(setting.key) else "true"
    assert name in TEXT_SAMPLES, f"add a value for {name} to TEXT_SAMPLES"
    return TEXT_SAMPLES[name]


def _expected(name: str, raw: str):
    setting = SETTINGS[name]
    if setting.kind is int:
        return int(raw)
    if setting.kind is bool:
        return raw == "true"
    return raw


@pytest.fixture
def clean_environment(monkeypatch, tmp_path):
    """No setting leaks in from the shell that runs the tests."""
    for name in [*SETTINGS, INSTANCE_PATH]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(INSTANCE_PATH, str(tmp_path / "instance"))
    return monkeypatch


def _start(tmp_path: Path, leave_out: str = ""):
    """An app with only what it needs to start, leaving ``leave_out`` to the environment."""
    config = {
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}",
    }
    config.pop(leave_out, None)
    return create_app(config)


def test_readme_documents_settings():
    assert "EVENTSYS_FEED_PAST_DAYS" in DOCUMENTED and "MAIL_PORT" in DOCUMENTED


def test_every_setting_in_the_readme_is_read_from_the_environment():
    missing = set(DOCUMENTED) - set(SETTINGS) - {INSTANCE_PATH}
    assert not missing, f"add a row to config.ENV_SETTINGS for {sorted(missing)}"


@pytest.mark.parametrize("name", DOCUMENTED)
def test_documented_setting_can_be_set_from_the_environment(name, clean_environment, tmp_path):
    if name == INSTANCE_PATH:
        folder = tmp_path / "elsewhere"
        clean_environment.setenv(name, str(folder))
        assert Path(_start(tmp_path).instance_path) == folder
        return
    assert name in SETTINGS, f"{name} is in README.md but not in config.ENV_SETTINGS"
    setting = SETTINGS[name]
    raw = _sample(name, tmp_path)
    assert _expected(name, raw) != DEFAULTS.get(setting.key), "the sample must differ"
    clean_environment.setenv(name, raw)
    app = _start(tmp_path, leave_out=setting.key)
    assert app.config[setting.key] == _expected(name, raw)


def test_every_setting_the_environment_reads_is_in_the_configuration_table():
    missing = set(SETTINGS) - _configuration_table_names()
    assert not missing, f"add a row to README.md's Configuration table for {sorted(missing)}"


@pytest.mark.parametrize(
    ("name", "raw", "complaint"),
    [
        ("EVENTSYS_FEED_PAST_DAYS", "abc", "is not a whole number"),
        ("EVENTSYS_EXPORT_MAX_DAYS", "2 years", "is not a whole number"),
        ("MAIL_PORT", "25.5", "is not a whole number"),
        ("EVENTSYS_API_TOKEN_HOURS", "0", "must be at least 1"),
        ("EVENTSYS_FEED_FUTURE_DAYS", "-1", "must be at least 0"),
        ("MAIL_USE_TLS", "maybe", "is not a yes/no value"),
        ("RATELIMIT_ENABLED", "enabled", "is not a yes/no value"),
    ],
)
def test_wrong_type_stops_start_up_naming_the_variable(
    name, raw, complaint, clean_environment, tmp_path
):
    clean_environment.setenv(name, raw)
    with pytest.raises(ConfigError, match=f"^{name}='{re.escape(raw)}' {complaint}"):
        _start(tmp_path)


def test_the_command_line_names_the_variable_without_a_traceback(clean_environment):
    clean_environment.setenv("EVENTSYS_FEED_PAST_DAYS", "abc")
    result = CliRunner().invoke(main, ["routes"])
    assert result.exit_code == 1
    assert "Error: EVENTSYS_FEED_PAST_DAYS='abc' is not a whole number" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("name", [s.name for s in ENV_SETTINGS if s.kind is not str], ids=str)
def test_every_number_and_yes_no_setting_refuses_words(name, clean_environment, tmp_path):
    clean_environment.setenv(name, "abc")
    with pytest.raises(ConfigError, match=name):
        _start(tmp_path)


@pytest.mark.parametrize(
    ("raw", "value"), [("1", True), ("Yes", True), ("off", False), ("0", False)]
)
def test_yes_no_values_read_in_any_usual_spelling(raw, value):
    assert from_environment({"MAIL_USE_SSL": raw}) == {"MAIL_USE_SSL": value}


def test_an_empty_variable_counts_as_unset():
    assert from_environment({"EVENTSYS_FEED_PAST_DAYS": "", "MAIL_SERVER": ""}) == {}


def test_plain_postgresql_urls_use_psycopg_3():
    found = from_environment({"DATABASE_URL": "postgres://u:p@db:5432/eventsys"})
    assert found == {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u:p@db:5432/eventsys"}
