"""Error pages: HTML for people, RFC 9457 problem details under /api/. Never a stack trace."""

import logging
import sqlite3

import psycopg
from flask import Flask, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, InternalServerError

from eventsys import rate_limits
from eventsys.api import problems
from eventsys.extensions import db

log = logging.getLogger(__name__)

PAGE_STATUSES = (400, 403, 404, 405, 413, 429, 500, 503)
# Seconds a client is asked to wait when the database is too busy to answer in time.
BUSY_RETRY_AFTER = "5"


def wants_problem_json() -> bool:
    return request.path.startswith("/api/")


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (
            _("Bad request"),
            _("The request could not be understood. Please check what you sent."),
        ),
        403: (_("Not allowed"), _("Your account does not have access to this page.")),
        404: (
            _("Page not found"),
            _("There is nothing at this address. It may have moved or never existed."),
        ),
        405: (_("Method not allowed"), _("This address does not accept that kind of request.")),
        413: (_("Too large"), _("What you sent is larger than the library accepts.")),
        429: (
            _("Too many requests"),
            _("You have tried too often. Please wait a moment and try again."),
        ),
        500: (
            _("Something went wrong"),
            _("The library's system hit an error. It has been logged; please try again later."),
        ),
        503: (
            _("Very busy"),
            _(
                "Too many people are using the library's system at this moment. Nothing was "
                "changed; please try again in a few seconds."
            ),
        ),
    }


def _render(status: int, detail: str | None = None, headers=None):
    title, default_detail = _messages().get(status, (str(status), ""))
    if wants_problem_json():
        slug = problems.slug_for_status(status)
        response = problems.problem(
            status, title, detail or default_detail, type_=problems.type_uri(slug)
        )
    else:
        page = render_template(
            "errors/error.html", status=status, title=title, detail=detail or default_detail
        )
        response = make_response(page, status)
    for key, value in headers or ():
        if key.lower() in ("retry-after", "allow"):
            response.headers[key] = value
    return response


def handle_http_error(error: HTTPException):
    if wants_problem_json():
        return problems.from_http(error)  # the API's one table of problem types
    status = error.code or 500
    if status not in PAGE_STATUSES and status < 500:
        return _render(status, error.description)
    # A description given to abort() explains the refusal better than the generic text.
    detail = error.description if error.description != type(error).description else None
    if status == 429:
        detail = None  # the limiter's description ("10 per 1 minute") means little to people
    if isinstance(error, CSRFError):
        detail = _(
            "The form expired or was sent from elsewhere. Please reload the page and try again."
        )
    # 429 says when to come back, 405 which methods the address takes (Allow).
    headers = None
    if status == 429:
        headers = [("Retry-After", rate_limits.retry_after())]
    elif status == 405:
        headers = error.get_response().headers.items()
    return _render(status, detail, headers)


def _is_overload(error: Exception) -> bool:
    """No database connection free in time, a lock not granted in time, or a connection
    the database server dropped (SQLAlchemy renews the pool: trying again works)."""
    if isinstance(error, sa_exc.TimeoutError):  # the connection pool stayed empty
        return True
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    original = getattr(error, "orig", None)
    if isinstance(original, sqlite3.OperationalError):
        return "locked" in str(original) or "busy" in str(original)
    return isinstance(original, psycopg.errors.LockNotAvailable | psycopg.errors.QueryCanceled)


def handle_database_error(error: sa_exc.SQLAlchemyError):
    """Overload sheds with 503 and Retry-After; the transaction is rolled back, so nothing
    half-done stays. Any other database error is unexpected (500)."""
    if not _is_overload(error):
        return handle_unexpected(error)
    log.warning("database busy on %s %s: %s", request.method, request.path, error)
    db.session.rollback()
    return _render(503, headers=[("Retry-After", BUSY_RETRY_AFTER)])


def handle_unexpected(error: Exception):
    log.exception("unhandled error on %s %s", request.method, request.path)
    try:
        return _render(InternalServerError.code)
    except Exception:  # the error page itself failed: answer in plain text
        log.exception("error page failed")
        return "500 Internal Server Error", 500, {"Content-Type": "text/plain; charset=utf-8"}


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(sa_exc.SQLAlchemyError, handle_database_error)
    app.register_error_handler(Exception, handle_unexpected)
