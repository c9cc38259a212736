"""Configuration in layers: defaults, then the instance file, then the environment.

The app factory applies a test mapping last. Secrets never live in the repository:
production refuses to start without ``SECRET_KEY``; development generates one and keeps
it in the instance folder so sessions survive restarts.
"""

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import click
from werkzeug.security import DEFAULT_PBKDF2_ITERATIONS


@dataclass(frozen=True)
class EnvSetting:
    """One setting the environment may give: the variable, the config key it fills, its
    type, and for numbers the smallest value that makes sense."""

    name: str
    key: str
    kind: type = str
    minimum: int = 0


# Every setting the environment may give, in one table; the README's Configuration table
# lists the same names (tests/test_config_environment.py keeps them together). An empty
# variable counts as unset, except EVENTSYS_ENV.
ENV_SETTINGS: tuple[EnvSetting, ...] = (
    EnvSetting("EVENTSYS_ENV", "EVENTSYS_ENV"),
    EnvSetting("DATABASE_URL", "SQLALCHEMY_DATABASE_URI"),
    EnvSetting("SECRET_KEY", "SECRET_KEY"),
    EnvSetting("EVENTSYS_TIMEZONE", "EVENTSYS_TIMEZONE"),
    EnvSetting("EVENTSYS_CHECKIN_OPENS_MINUTES", "EVENTSYS_CHECKIN_OPENS_MINUTES", int),
    EnvSetting("EVENTSYS_BASE_URL", "EVENTSYS_BASE_URL"),
    EnvSetting("EVENTSYS_LIBRARY_NAME", "EVENTSYS_LIBRARY_NAME"),
    EnvSetting("EVENTSYS_LIBRARY_NAME_EN", "EVENTSYS_LIBRARY_NAME_EN"),
    EnvSetting("EVENTSYS_LIBRARY_SHORT_NAME", "EVENTSYS_LIBRARY_SHORT_NAME"),
    EnvSetting("EVENTSYS_LIBRARY_SHORT_NAME_EN", "EVENTSYS_LIBRARY_SHORT_NAME_EN"),
    EnvSetting("EVENTSYS_LIBRARY_PHONE", "EVENTSYS_LIBRARY_PHONE"),
    EnvSetting("EVENTSYS_LIBRARY_EMAIL", "EVENTSYS_LIBRARY_EMAIL"),
    EnvSetting("EVENTSYS_DEFAULT_LOCALE", "BABEL_DEFAULT_LOCALE"),
    EnvSetting("EVENTSYS_CORS_ORIGINS", "EVENTSYS_CORS_ORIGINS"),
    EnvSetting("EVENTSYS_MAX_CONTENT_LENGTH", "MAX_CONTENT_LENGTH", int, 1),
    EnvSetting("EVENTSYS_PASSWORD_HASH", "EVENTSYS_PASSWORD_HASH"),
    EnvSetting("EVENTSYS_API_TOKEN_HOURS", "EVENTSYS_API_TOKEN_HOURS", int, 1),
    EnvSetting("EVENTSYS_FEED_PAST_DAYS", "EVENTSYS_FEED_PAST_DAYS", int),
    EnvSetting("EVENTSYS_FEED_FUTURE_DAYS", "EVENTSYS_FEED_FUTURE_DAYS", int),
    EnvSetting("EVENTSYS_FEED_CANCELLED_DAYS", "EVENTSYS_FEED_CANCELLED_DAYS", int),
    EnvSetting("EVENTSYS_FEED_REFRESH_MINUTES", "EVENTSYS_FEED_REFRESH_MINUTES", int, 1),
    EnvSetting("EVENTSYS_EXPORT_MAX_DAYS", "EVENTSYS_EXPORT_MAX_DAYS", int, 1),
    EnvSetting("EVENTSYS_CACHE_URL", "EVENTSYS_CACHE_URL"),
    EnvSetting("EVENTSYS_FEED_CACHE_SECONDS", "EVENTSYS_FEED_CACHE_SECONDS", int, 1),
    EnvSetting("EVENTSYS_FEED_CACHE_ENTRIES", "EVENTSYS_FEED_CACHE_ENTRIES", int, 1),
    EnvSetting("EVENTSYS_PAGE_CACHE", "EVENTSYS_PAGE_CACHE", bool),
    EnvSetting("EVENTSYS_PROXY_FIX", "EVENTSYS_PROXY_FIX", int),
    EnvSetting("EVENTSYS_REQUEST_LOG", "EVENTSYS_REQUEST_LOG", bool),
    EnvSetting("MAIL_BACKEND", "MAIL_BACKEND"),
    EnvSetting("MAIL_SERVER", "MAIL_SERVER"),
    EnvSetting("MAIL_PORT", "MAIL_PORT", int, 1),
    EnvSetting("MAIL_USE_TLS", "MAIL_USE_TLS", bool),
    EnvSetting("MAIL_USE_SSL", "MAIL_USE_SSL", bool),
    EnvSetting("MAIL_USERNAME", "MAIL_USERNAME"),
    EnvSetting("MAIL_PASSWORD", "MAIL_PASSWORD"),
    EnvSetting("MAIL_DEFAULT_SENDER", "MAIL_DEFAULT_SENDER"),
    EnvSetting("OUTBOX_MAX_ATTEMPTS", "OUTBOX_MAX_ATTEMPTS", int, 1),
    EnvSetting("OUTBOX_LEASE_SECONDS", "OUTBOX_LEASE_SECONDS", int, 1),
    EnvSetting("RATELIMIT_ENABLED", "RATELIMIT_ENABLED", bool),
    EnvSetting("RATELIMIT_STORAGE_URI", "RATELIMIT_STORAGE_URI"),
    EnvSetting("RATELIMIT_DEFAULT", "RATELIMIT_DEFAULT"),
    EnvSetting("RATELIMIT_AUTH", "RATELIMIT_AUTH"),
    EnvSetting("RATELIMIT_REGISTRATION", "RATELIMIT_REGISTRATION"),
    EnvSetting("RATELIMIT_TOKENS", "RATELIMIT_TOKENS"),
    EnvSetting("SESSION_COOKIE_SECURE", "SESSION_COOKIE_SECURE", bool),
    EnvSetting("REMEMBER_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE", bool),
)


REMEMBER_MAX = timedelta(days=30)

DEFAULTS = {
    "EVENTSYS_ENV": "development",
    "EVENTSYS_TIMEZONE": "Asia/Shanghai",
    "EVENTSYS_BASE_URL": "http://127.0.0.1:5000",
    # The library running eventsys (eventsys/library.py): Suzhou Library's by default.
    "EVENTSYS_LIBRARY_NAME": "苏州图书馆",
    "EVENTSYS_LIBRARY_NAME_EN": "Suzhou Library",
    "EVENTSYS_LIBRARY_SHORT_NAME": "苏州图书馆",
    "EVENTSYS_LIBRARY_SHORT_NAME_EN": "Suzhou Library",
    "EVENTSYS_LIBRARY_PHONE": "",
    "EVENTSYS_LIBRARY_EMAIL": "",
    "EVENTSYS_CORS_ORIGINS": "",
    "BABEL_DEFAULT_LOCALE": "zh_Hans",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "EVENTSYS_LANGUAGES": ("zh_Hans", "en"),
    # Pooled connections are pinged only after lying idle (eventsys/database.py).
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # "Keep me logged in" lasts at most 30 days (Flask-Login's default is a year).
    "REMEMBER_COOKIE_DURATION": timedelta(days=30),
    # None: secure cookies exactly when EVENTSYS_BASE_URL is https (see cookie_settings).
    "SESSION_COOKIE_SECURE": None,
    "REMEMBER_COOKIE_SECURE": None,
    # Mail: "console" logs mails instead of sending (development); "smtp" sends.
    "MAIL_BACKEND": "console",
    "MAIL_SERVER": "localhost",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_DEFAULT_SENDER": "eventsys@localhost",
    "OUTBOX_MAX_ATTEMPTS": 8,
    # A sender holds the mails it claimed this long; a dead sender's mails are due again after.
    "OUTBOX_LEASE_SECONDS": 300,
    # One JSON line per request through the "eventsys.requests" logger.
    "EVENTSYS_REQUEST_LOG": True,
    # Number of reverse proxies whose X-Forwarded-* headers to trust (0: none).
    "EVENTSYS_PROXY_FIX": 0,
    # Flask-Limiter reads RATELIMIT_* itself; the two below are ours.
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    # Off: they cost two Redis round trips per counted request (eventsys/rate_limits.py).
    "RATELIMIT_HEADERS_ENABLED": False,
    "RATELIMIT_AUTH": "10 per minute",
    "RATELIMIT_REGISTRATION": "30 per minute",
    "RATELIMIT_TOKENS": "10 per minute",
    # JSON API: how long a bearer token lives.
    "EVENTSYS_API_TOKEN_HOURS": 720,
    "PASSWORD_RESET_MAX_AGE": 3600,
    # The door opens this long before an event starts; it closes at the end of the
    # event's last day in EVENTSYS_TIMEZONE.
    "EVENTSYS_CHECKIN_OPENS_MINUTES": 120,
    # How new password hashes are made (werkzeug's method string). Production refuses
    # anything weaker than scrypt's defaults; the tests use a cheap one to run fast.
    "EVENTSYS_PASSWORD_HASH": "scrypt",
    # Calendar feeds: the window they cover, how long a cancelled event stays in them so
    # subscribers see the cancellation, the refresh hint, and the longest staff export.
    "EVENTSYS_FEED_PAST_DAYS": 90,
    "EVENTSYS_FEED_FUTURE_DAYS": 365,
    "EVENTSYS_FEED_CANCELLED_DAYS": 30,
    "EVENTSYS_FEED_REFRESH_MINUTES": 60,
    "EVENTSYS_EXPORT_MAX_DAYS": 731,
    # Built calendar feeds: where they are kept (empty: the rate limiter's Redis when it has
    # one, else the instance folder; see eventsys/feed_cache.py), how long, and how many
    # at most outside Redis.
    "EVENTSYS_CACHE_URL": "",
    "EVENTSYS_FEED_CACHE_SECONDS": 3600,
    "EVENTSYS_FEED_CACHE_ENTRIES": 1000,
    # Public pages kept for visitors who are not logged in (eventsys/page_cache.py).
    "EVENTSYS_PAGE_CACHE": True,
}


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class ConfigError(click.ClickException, RuntimeError):
    """The configuration cannot run the application safely.

    A ClickException, so that the ``eventsys`` command prints the message alone
    ("Error: ...") instead of a traceback."""


def _convert(setting: EnvSetting, raw: str):
    """The variable's value in its type; a ConfigError naming the variable otherwise."""
    if setting.kind is bool:
        word = raw.strip().lower()
        if word in _TRUE or word in _FALSE:
            return word in _TRUE
        raise ConfigError(
            f"{setting.name}={raw!r} is not a yes/no value: use true or false (1/0, yes/no, on/off)"
        )
    if setting.kind is int:
        try:
            number = int(raw.strip())
        except ValueError:
            raise ConfigError(f"{setting.name}={raw!r} is not a whole number") from None
        if number < setting.minimum:
            raise ConfigError(f"{setting.name}={raw!r} must be at least {setting.minimum}")
        return number
    return raw


def from_environment(environ=os.environ) -> dict:
    """The settings the environment gives, converted to their types (ENV_SETTINGS)."""
    found: dict = {}
    for setting in ENV_SETTINGS:
        raw = environ.get(setting.name)
        if raw is None or (raw == "" and setting.name != "EVENTSYS_ENV"):
            continue
        found[setting.key] = _convert(setting, raw)
    uri = found.get("SQLALCHEMY_DATABASE_URI", "")
    if uri.startswith(("postgres://", "postgresql://")):
        # psycopg 3 is the supported driver; plain URLs from hosting panels map onto it.
        found["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri.split("://", 1)[1]
    return found


def cookie_settings(config) -> None:
    """Cookies travel only over https when the site is served over https, unless a layer
    set SESSION_COOKIE_SECURE / REMEMBER_COOKIE_SECURE explicitly; a remember cookie never
    outlives REMEMBER_MAX."""
    if config.get("SESSION_COOKIE_SECURE") is None:
        config["SESSION_COOKIE_SECURE"] = config["EVENTSYS_BASE_URL"].startswith("https://")
    if config.get("REMEMBER_COOKIE_SECURE") is None:
        config["REMEMBER_COOKIE_SECURE"] = config["SESSION_COOKIE_SECURE"]
    duration = config["REMEMBER_COOKIE_DURATION"]
    if not isinstance(duration, timedelta):
        duration = timedelta(seconds=int(duration))  # Flask-Login also takes seconds
    config["REMEMBER_COOKIE_DURATION"] = min(duration, REMEMBER_MAX)


def development_secret_key(instance_path: str) -> str:
    """A secret kept in the instance folder, created on first use."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


# The weakest password hashes production accepts: werkzeug's scrypt defaults, and PBKDF2
# with the iterations OWASP asks for (2023).
SCRYPT_MIN = (2**15, 8, 1)
PBKDF2_HASHES = ("sha256", "sha512")
PBKDF2_MIN_ITERATIONS = 600_000


def check_password_hash_method(method: str, production: bool) -> None:
    """Refuse a password hash method werkzeug cannot use, and in production a weak one."""
    name, *args = method.split(":")
    try:
        if name == "scrypt" and len(args) in (0, 3):
            n, r, p = map(int, args) if args else SCRYPT_MIN
            if n < 2 or n & (n - 1) or r < 1 or p < 1:
                raise ValueError(method)  # scrypt's N is a power of two
            strong = n >= SCRYPT_MIN[0] and r >= SCRYPT_MIN[1] and p >= SCRYPT_MIN[2]
        elif name == "pbkdf2" and len(args) <= 2:
            hash_name = args[0] if args else "sha256"
            iterations = int(args[1]) if len(args) == 2 else DEFAULT_PBKDF2_ITERATIONS
            hashlib.new(hash_name)  # ValueError when unknown
            if iterations < 1:
                raise ValueError(method)
            strong = hash_name in PBKDF2_HASHES and iterations >= PBKDF2_MIN_ITERATIONS
        else:
            raise ValueError(method)
    except ValueError:
        raise ConfigError(
            f"EVENTSYS_PASSWORD_HASH={method!r} is not a password hash method: use scrypt, "
            "scrypt:N:r:p, pbkdf2:HASH or pbkdf2:HASH:ITERATIONS"
        ) from None
    if production and not strong:
        raise ConfigError(
            f"EVENTSYS_PASSWORD_HASH={method!r} is too weak for production: use scrypt "
            f"(at least scrypt:{':'.join(map(str, SCRYPT_MIN))}) or pbkdf2:sha256 with at "
            f"least {PBKDF2_MIN_ITERATIONS} iterations"
        )
