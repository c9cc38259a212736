"""One structured log line per request, with its timing, through ``eventsys.requests``.

Each line is a JSON object: method, path, status, duration_ms, remote_addr, user_id (when
logged in, or calling the API with a token), request_id. The request id is the incoming
``X-Request-ID`` when it looks like one (so a proxy's id follows the request) or a new
one; it is returned in the response's ``X-Request-ID`` header and kept in
``g.request_id`` for other log lines. Static files are not logged.
``EVENTSYS_REQUEST_LOG = False`` turns the lines off (the header stays).
"""

import json
import logging
import re
import time
import uuid

from flask import Flask, Response, current_app, g, request, session

log = logging.getLogger("eventsys.requests")

HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")


def _start() -> None:
    g.request_started = time.perf_counter()
    incoming = request.headers.get(HEADER, "")
    g.request_id = incoming if _VALID_ID.fullmatch(incoming) else uuid.uuid4().hex


def _user_id():
    """The logged-in user's id without loading the user just for the log line."""
    api_token = g.get("api_token")  # (secret, record) of an API call's bearer token
    if api_token is not None:
        return api_token[1].user_id
    user = g.get("_login_user")
    if user is not None:
        return getattr(user, "id", None) if user.is_authenticated else None
    # Not loaded by the view: the signed session names the user ("<id>:<version>").
    user_id = str(session.get("_user_id") or "").partition(":")[0]
    return int(user_id) if user_id.isdigit() else None


def fields(response: Response) -> dict:
    started = g.get("request_started", time.perf_counter())
    return {
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        "remote_addr": request.remote_addr,
        "user_id": _user_id(),
        "request_id": g.get("request_id"),
    }


def _finish(response: Response) -> Response:
    if "request_id" not in g:  # a request that failed before our before_request ran
        _start()
    response.headers[HEADER] = g.request_id
    if _is_logged():
        entry = fields(response)
        level = logging.ERROR if entry["status"] >= 500 else logging.INFO
        log.log(level, json.dumps(entry, ensure_ascii=False), extra={"request_fields": entry})
    return response


def _is_logged() -> bool:
    if not current_app.config["EVENTSYS_REQUEST_LOG"]:
        return False
    static = current_app.static_url_path or "/static"
    return not (request.path == static or request.path.startswith(static + "/"))


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
