"""What each worker keeps in its own memory in front of the shared cache.

The calendar feeds (``feed_cache``) and the pages kept for visitors (``page_cache``) live in
the shared cache (EVENTSYS_CACHE_URL: Redis or the instance folder) under keys that name
their content: a feed's key holds its fingerprint, a page's the catalogue's generation and
the minute. A copy under the same key is therefore the same bytes wherever it is kept, so
each worker also keeps the ones it answered last, up to ``BYTES`` (least recently used
first out), and answers them again without a Redis round trip or a file read. No copy
outlives what the shared cache keeps a feed (EVENTSYS_FEED_CACHE_SECONDS): a feed's
fingerprint can miss an event that only left its window as the days went by, and the
shared entry's age bounds that. A cache each worker keeps alone (``memory://``)
or none needs no copies.
"""

import threading
from collections.abc import Callable

from cachetools import TTLCache
from flask import Flask, current_app

from eventsys.extensions import cache

# Per worker, feeds and pages together (a 5,000-event feed is about 4.4 MB, a page 30 KB;
# a page's size is counted in characters).
BYTES = 16 * 1024 * 1024
_EXTENSION = "eventsys_worker_copies"
Value = bytes | str
# Flask-Caching's kinds of cache that every worker reads.
_SHARED = ("RedisCache", "FileSystemCache")


class _WorkerCopies:
    """Values by key, within ``BYTES``, each for ``seconds``; safe for gunicorn's threaded
    workers too."""

    def __init__(self, seconds: int) -> None:
        self._copies: TTLCache = TTLCache(maxsize=BYTES, ttl=seconds, getsizeof=len)
        self._lock = threading.Lock()

    def get(self, key: str) -> Value | None:
        with self._lock:
            return self._copies.get(key)

    def keep(self, key: str, value: Value) -> None:
        if len(value) <= self._copies.maxsize:
            with self._lock:
                self._copies[key] = value

    def clear(self) -> None:
        with self._lock:
            self._copies.clear()


def cache_is_shared(app: Flask) -> bool:
    """Whether the cache (set up already) is one that every worker reads."""
    return type(app.extensions["cache"][cache]).__name__ in _SHARED


def init_app(app: Flask) -> None:
    """Copies for this worker when its cache is shared with the others."""
    seconds = app.config["EVENTSYS_FEED_CACHE_SECONDS"]
    app.extensions[_EXTENSION] = _WorkerCopies(seconds) if cache_is_shared(app) else None


def _of_worker() -> _WorkerCopies | None:
    """This worker's copies, or None when it keeps none."""
    return current_app.extensions.get(_EXTENSION)


def kept(key: str, fetch: Callable[[], Value | None]) -> Value | None:
    """This worker's copy under ``key``; else what ``fetch`` finds, kept from now on."""
    copies = _of_worker()
    if copies is None:
        return fetch()
    value = copies.get(key)
    if value is None:
        value = fetch()
        if value is not None:
            copies.keep(key, value)
    return value


def keep(key: str, value: Value) -> None:
    """A copy of what was just put in the shared cache under ``key``."""
    copies = _of_worker()
    if copies is not None:
        copies.keep(key, value)


def drop() -> None:
    """This worker's copies gone; the shared cache keeps what it has."""
    copies = _of_worker()
    if copies is not None:
        copies.clear()
