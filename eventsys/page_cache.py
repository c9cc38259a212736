"""Public pages kept for visitors who are not logged in.

The home page, the lists and the event pages look the same to every visitor who is not
logged in, and most of a library's visitors are not. Such a page, once built, is kept in
the shared cache (EVENTSYS_CACHE_URL) under a key made of the page's address (only
addresses without a query: searches and filters are built each time), its
language, the current minute (states such as "registration opens" change at minute
boundaries) and the catalogue's *generation*: a random value that every committed change
to what these pages show (events, registrations, places, series, settings) replaces.
A kept page is therefore never older than the last change nor than the minute, and a
worker answers the pages it kept from its own copy (``worker_copies``) after reading the
generation.

Each visitor's copy gets its own CSRF token (the language switch is a form): the token of
the request that built the page is stored as a marker and replaced when the page is served.
Logged-in readers (their bookings show on the pages), answers with flashed messages and
anything but a 200 are built as before. A cache each worker keeps for itself
(``memory://``) or none at all (``none``) keeps no pages: a change made in one worker
would not reach the others.
"""

import hashlib
import logging
import secrets
from collections.abc import Callable
from functools import wraps
from importlib.metadata import version
from itertools import chain

from flask import Flask, Response, current_app, make_response, request, session
from flask_babel import get_locale
from flask_sqlalchemy.session import Session
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.sql.elements import TextClause

from eventsys import worker_copies
from eventsys.db_types import utcnow
from eventsys.extensions import cache

log = logging.getLogger(__name__)

# Tables whose rows the kept pages show; a committed change to any of them starts a new
# generation. Accounts, tokens, volunteering, indicators, mails and the audit log do not.
WATCHED_TABLES = frozenset(
    {
        "events",
        "exhibition_details",
        "visitor_counts",
        "registrations",
        "series",
        "campaigns",
        "venues",
        "branches",
        "settings",
    }
)
GENERATION_KEY = "page/generation"
# Past its minute a kept page is never asked for again; this only frees the space.
PAGE_SECONDS = 120
_MARKER = "\x00csrf-token\x00"
_CHANGED = "eventsys_public_change"  # Session.info: a watched table changed


def init_app(app: Flask) -> None:
    # The release is in the keys: pages of a new version's templates are built afresh.
    keeps = app.config["EVENTSYS_PAGE_CACHE"] and worker_copies.cache_is_shared(app)
    app.extensions["eventsys_page_cache"] = f"page/{version('eventsys')}" if keeps else None
    for name, listener in (
        ("after_flush", _note_flushed_changes),
        ("do_orm_execute", _note_statement),
        ("after_commit", _new_generation_if_changed),
        ("after_rollback", _forget_changes),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def for_visitors(view: Callable) -> Callable:
    """``view`` answered from the cache for visitors who are not logged in."""

    @wraps(view)
    def answer(*args, **kwargs):
        if not _may_keep():
            return view(*args, **kwargs)
        try:
            key = _key()
            kept = worker_copies.kept(key, lambda: cache.get(key))
        except Exception:
            log.warning("page cache unreadable; building %s", request.path, exc_info=True)
            return view(*args, **kwargs)
        if kept is not None:
            return _served(kept)
        response = make_response(view(*args, **kwargs))
        if _keepable(response):
            body = response.get_data(as_text=True).replace(generate_csrf(), _MARKER)
            try:
                cache.set(key, body, timeout=PAGE_SECONDS)
            except Exception:
                log.warning("page cache unwritable; %s not kept", request.path, exc_info=True)
            else:
                worker_copies.keep(key, body)
        return response

    return answer


def _may_keep() -> bool:
    """A visitor for whom the page is the same as for anyone who is not logged in."""
    if not current_app.extensions["eventsys_page_cache"] or request.method != "GET":
        return False
    # Searches, filters and later pages are built each time: anyone can invent addresses
    # with a query without end, and each would take a place in the cache.
    if request.query_string:
        return False
    remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    return (
        "_user_id" not in session
        and "_flashes" not in session
        and remember not in request.cookies
        and "Authorization" not in request.headers
    )


def _keepable(response: Response) -> bool:
    # Building the page may have flashed a message or logged someone in: not for others.
    return (
        response.status_code == 200
        and response.mimetype == "text/html"
        and not response.direct_passthrough
        and "_user_id" not in session
        and "_flashes" not in session
    )


def _served(kept: str) -> Response:
    response = make_response(kept.replace(_MARKER, generate_csrf()))
    response.headers["X-Page-Cache"] = "hit"
    return response


def _key() -> str:
    address = hashlib.sha256(f"{request.script_root}|{request.path}".encode()).hexdigest()
    minute = utcnow().strftime("%Y%m%d%H%M")
    prefix = current_app.extensions["eventsys_page_cache"]
    return f"{prefix}/{generation()}/{get_locale()}/{minute}/{address[:32]}"


def generation() -> str:
    """The catalogue's current generation; a new one when the cache has lost it (a lost
    generation must never come back, or pages kept under it would too)."""
    current = cache.get(GENERATION_KEY)
    if current is None:
        cache.add(GENERATION_KEY, secrets.token_hex(8), timeout=0)
        current = cache.get(GENERATION_KEY)
    return current


def new_generation() -> None:
    """Every kept page is out of date from now on."""
    try:
        cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=0)
    except Exception:
        # Kept pages can then be up to a minute old; the change itself is committed.
        log.error("page cache unwritable; kept pages not renewed", exc_info=True)


# --- what a transaction changed --------------------------------------------------------


def _note_flushed_changes(session, _flush_context) -> None:
    for instance in chain(session.new, session.dirty, session.deleted):
        if getattr(instance, "__tablename__", None) in WATCHED_TABLES:
            session.info[_CHANGED] = True
            return


def _note_statement(state: ORMExecuteState) -> None:
    """UPDATE, INSERT and DELETE statements sent past the unit of work (seats taken, bulk
    changes); a written statement in plain SQL counts as a change to everything."""
    statement = state.statement
    if isinstance(statement, TextClause):
        if statement.text.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            state.session.info[_CHANGED] = True
        return
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(statement, "table", None)
        if getattr(table, "name", None) in WATCHED_TABLES:
            state.session.info[_CHANGED] = True


def _new_generation_if_changed(session) -> None:
    if session.info.pop(_CHANGED, False) and current_app.extensions.get("eventsys_page_cache"):
        new_generation()


def _forget_changes(session) -> None:
    session.info.pop(_CHANGED, None)
