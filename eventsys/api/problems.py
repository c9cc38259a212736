"""RFC 9457 problem details for the JSON API: one stable ``type`` URI per kind of refusal.

Every refusal the API gives is decided here: the services' machine-readable codes, HTTP
errors raised by Flask, webargs and Flask-Limiter, and the API's own checks all map onto
the table below, so a client can rely on ``type`` alone.
"""

from http import HTTPStatus

from flask import current_app, jsonify
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from eventsys import rate_limits

BASE = "https://eventsys.dev/problems/"
CONTENT_TYPE = "application/problem+json"

# slug -> (HTTP status, title)
TYPES = {
    "bad-request": (400, _l("Bad request")),
    "unauthorized": (401, _l("Authentication required")),
    "forbidden": (403, _l("Not allowed")),
    "suspended": (403, _l("Registration suspended")),
    "not-found": (404, _l("Not found")),
    "method-not-allowed": (405, _l("Method not allowed")),
    "not-acceptable": (406, _l("Not acceptable")),
    "full": (409, _l("Fully booked")),
    "window-closed": (409, _l("Registration window closed")),
    "not-open": (409, _l("Not open yet")),
    "duplicate": (409, _l("Already registered")),
    "clash": (409, _l("Overlapping shift")),
    "final-sign-up": (409, _l("Sign-up cannot be withdrawn")),
    "daily-cap": (409, _l("Daily limit reached")),
    "event-cancelled": (409, _l("Event cancelled")),
    "past": (409, _l("Too late")),
    "conflict": (409, _l("Conflict")),
    "too-large": (413, _l("Request too large")),
    "unsupported-media-type": (415, _l("Unsupported media type")),
    "validation": (422, _l("Invalid input")),
    "rate-limited": (429, _l("Too many requests")),
    "server-error": (500, _l("Server error")),
    "busy": (503, _l("Busy")),
}

# The services' ``code`` attributes (RegistrationError, ShiftError) -> problem slug.
SERVICE_CODES = {
    # eventsys.services.registrations
    "full": "full",
    "window_closed": "window-closed",
    "not_open": "not-open",
    "duplicate": "duplicate",
    "suspended": "suspended",
    "cancelled": "event-cancelled",
    "draft": "not-found",  # a draft is not public: it does not exist for readers
    "past": "past",
    "party_size": "validation",
    "capacity": "validation",
    "bad_input": "validation",
    "not_found": "not-found",
    "not_started": "conflict",
    "checked_in": "conflict",
    # eventsys.services.shifts
    "not_volunteer": "forbidden",
    "closed": "event-cancelled",
    "not_open_yet": "not-open",
    "clash": "clash",
    "daily_cap": "daily-cap",
    "not_signed_up": "conflict",
    "too_late": "window-closed",
    "no_withdrawal": "final-sign-up",
    "invalid": "validation",
}

# Which request field a service's validation code is about, for per-field errors.
CODE_FIELDS = {"party_size": "party_size", "capacity": "capacity", "bad_input": "needs"}

_STATUS_SLUGS = {status: slug for slug, (status, _title) in reversed(TYPES.items())}


def problem(status: int, title: str, detail: str = "", type_: str = "about:blank", **extra):
    """A problem document response (RFC 9457)."""
    body = {"type": type_, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = CONTENT_TYPE
    return response


def type_uri(slug: str) -> str:
    return BASE + slug


def slug_for_status(status: int) -> str:
    if status in _STATUS_SLUGS:
        return _STATUS_SLUGS[status]
    return "server-error" if status >= 500 else "bad-request"


class ApiProblem(Exception):
    """Raised by API views; rendered as a problem document by ``render``."""

    def __init__(
        self,
        slug: str,
        detail: str = "",
        *,
        errors: dict | None = None,
        code: str | None = None,
        headers: dict | None = None,
    ):
        super().__init__(detail or slug)
        self.slug = slug
        self.detail = detail
        self.errors = errors
        self.code = code
        self.headers = headers or {}


def render(error: ApiProblem):
    status, title = TYPES[error.slug]
    extra = {}
    if error.code:
        extra["code"] = error.code
    if error.errors:
        extra["errors"] = error.errors
    response = problem(status, str(title), error.detail, type_=type_uri(error.slug), **extra)
    for key, value in error.headers.items():
        response.headers[key] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="eventsys"'
    return response


def from_service(error) -> ApiProblem:
    """A RegistrationError or ShiftError (anything with ``code`` and ``message``)."""
    code = getattr(error, "code", "") or ""
    message = getattr(error, "message", "") or str(error)
    slug = SERVICE_CODES.get(code, "conflict")
    errors = None
    if slug == "validation":
        errors = {CODE_FIELDS.get(code, "_schema"): [message]}
    return ApiProblem(slug, message, errors=errors, code=code)


def from_event_error(error) -> ApiProblem:
    """eventsys.services.events.EventError: per-field messages in ``errors``."""
    fields = getattr(error, "errors", None) or {"_schema": error.message}
    return ApiProblem(
        "validation",
        error.message,
        errors={name: [str(message)] for name, message in fields.items()},
        code="capacity_needs_confirmation"
        if type(error).__name__ == "CapacityNeedsConfirmation"
        else "invalid",
    )


def validation(detail: str, errors: dict) -> ApiProblem:
    return ApiProblem("validation", detail, errors=errors)


def not_found() -> ApiProblem:
    return ApiProblem("not-found", _("There is nothing with this number, or it is not yours."))


def _flatten(messages) -> dict:
    """webargs nests messages by location ({"json": {"field": [...]}}); clients want fields."""
    if not isinstance(messages, dict):
        return {"_schema": [str(messages)]}
    flat: dict = {}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            for name, value in fields.items():
                flat[name] = value if isinstance(value, list | dict) else [str(value)]
        else:
            flat[location] = fields if isinstance(fields, list) else [str(fields)]
    return flat


def from_http(error: HTTPException):
    """An HTTP error raised inside the API (webargs, Flask-Limiter, abort, too large...)."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if status == 400 and messages is not None:
        return render(ApiProblem("bad-request", _("The body is not valid JSON.")))
    if status == 422:
        return render(
            validation(
                _("Some of what you sent is missing or not valid; see errors."),
                _flatten(messages or {}),
            )
        )
    slug = slug_for_status(status)
    detail = {
        401: _("Send a valid token as Authorization: Bearer <token>."),
        404: _("There is nothing at this address."),
        405: _("This address does not accept that method."),
        413: _(
            "What you sent is larger than the %(limit)s bytes accepted.",
            limit=current_app.config.get("MAX_CONTENT_LENGTH"),
        ),
        415: _("Send the body as application/json."),
        429: _("Too many requests. Wait as long as Retry-After says and try again."),
    }.get(status, "")
    if not detail and error.description != type(error).description:
        detail = error.description  # a reason given to abort(), e.g. by eventsys.input_guard
    if not detail:
        try:
            detail = HTTPStatus(status).description
        except ValueError:
            detail = ""
    headers = {}
    if status == 429:
        headers["Retry-After"] = rate_limits.retry_after()
    if status == 405 and error.get_response().headers.get("Allow"):
        headers["Allow"] = error.get_response().headers["Allow"]
    return render(ApiProblem(slug, detail, headers=headers))
