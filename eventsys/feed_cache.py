"""Built calendar feeds kept in a cache shared by the workers (Flask-Caching).

Calendar apps poll feeds without conditional headers, so an unchanged feed would be
rebuilt on every poll. A built feed is kept under a key made of the feed's kind, filter,
language and fingerprint (count and latest change of its events, FORMAT_VERSION) and the
settings that shape the file: any change to an event in the feed, or a new format, gives a
new key, and the old entry ages out (EVENTSYS_FEED_CACHE_SECONDS).

Where the cache lives (EVENTSYS_CACHE_URL): ``redis://…`` for Redis, shared by every
worker on every server; ``filesystem://`` for files in the instance folder (or
``filesystem:///a/folder``), shared by the workers of one machine; ``memory://`` for each
worker's own memory; ``none`` to build every feed afresh. Unset: the rate limiter's Redis
when RATELIMIT_STORAGE_URI is one, the instance folder otherwise.

In front of a shared cache each worker keeps the feeds it answered last in its own memory
(``worker_copies``): a key names the feed's content, so the same poll needs no Redis round
trip or file read.

A cache that fails (Redis down, disk full) is logged and the feed is built as if it were
not there: a feed never fails because of its cache.
"""

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

from flask import Flask, current_app

from eventsys import worker_copies
from eventsys.config import ConfigError
from eventsys.extensions import cache

log = logging.getLogger(__name__)

KEY_PREFIX = "eventsys:feed:"
_REDIS = ("redis://", "rediss://")
_FILESYSTEM = "filesystem://"
# Settings that change what a feed file says without changing its events.
_SHAPING_SETTINGS = (
    "EVENTSYS_BASE_URL",
    "EVENTSYS_TIMEZONE",
    "EVENTSYS_FEED_PAST_DAYS",
    "EVENTSYS_FEED_FUTURE_DAYS",
    "EVENTSYS_FEED_CANCELLED_DAYS",
    "EVENTSYS_FEED_REFRESH_MINUTES",
)


def cache_url(config) -> str:
    """The configured cache, or the default one (see the module's docstring)."""
    url = config["EVENTSYS_CACHE_URL"].strip()
    if url:
        return url
    if config["RATELIMIT_STORAGE_URI"].startswith(_REDIS):
        return config["RATELIMIT_STORAGE_URI"]
    return _FILESYSTEM


def cache_config(app: Flask) -> dict:
    """Flask-Caching's settings for EVENTSYS_CACHE_URL."""
    url = cache_url(app.config)
    settings = {
        "CACHE_DEFAULT_TIMEOUT": app.config["EVENTSYS_FEED_CACHE_SECONDS"],
        "CACHE_THRESHOLD": app.config["EVENTSYS_FEED_CACHE_ENTRIES"],
        "CACHE_KEY_PREFIX": KEY_PREFIX,
    }
    if url.startswith(_REDIS):
        return {**settings, "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url}
    if url.startswith(_FILESYSTEM):
        folder = url.removeprefix(_FILESYSTEM) or str(Path(app.instance_path) / "feed-cache")
        return {**settings, "CACHE_TYPE": "FileSystemCache", "CACHE_DIR": folder}
    if url == "memory://":
        return {**settings, "CACHE_TYPE": "SimpleCache"}
    if url == "none":
        return {**settings, "CACHE_TYPE": "NullCache", "CACHE_NO_NULL_WARNING": True}
    raise ConfigError(
        f"EVENTSYS_CACHE_URL={url!r} is not a cache: use redis://host:6379/1, "
        "filesystem://, filesystem:///a/folder, memory:// or none"
    )


def init_app(app: Flask) -> None:
    cache.init_app(app, config=cache_config(app))


def _key(parts: tuple) -> str:
    config = current_app.config
    shaping = "|".join(str(config[name]) for name in _SHAPING_SETTINGS)
    settings = hashlib.sha256(shaping.encode()).hexdigest()[:16]
    return "/".join(str(part) for part in (*parts, settings))


def cached(parts: tuple, build: Callable[[], bytes]) -> Callable[[], bytes]:
    """``build`` answered from the cache when a feed with the same key was built before.

    ``parts`` must name everything the file depends on: kind, filter, language and the
    fingerprint of its events."""
    key = _key(parts)
    return lambda: worker_copies.kept(key, lambda: _shared(key, build))


def _shared(key: str, build: Callable[[], bytes]) -> bytes:
    """The feed from the shared cache, or built and put there."""
    try:
        body = cache.get(key)
    except Exception:
        log.warning("feed cache unreadable; building %s", key, exc_info=True)
        return build()
    if body is None:
        body = build()
        try:
            cache.set(key, body)
        except Exception:
            log.warning("feed cache unwritable; %s not kept", key, exc_info=True)
    return body


def clear() -> None:
    """Everything kept gone: the shared cache emptied and this worker's copies dropped."""
    cache.clear()
    worker_copies.drop()
