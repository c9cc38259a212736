"""Refuse input that no view can use, in one place, before any view runs (400).

- NUL characters, in the query string, a form or a JSON body: PostgreSQL cannot store NUL
  in text, and no person types one.
- JSON bodies that are not UTF-8, nest deeper than ``MAX_JSON_DEPTH`` (a parser would
  run out of stack) or carry a lone UTF-16 surrogate (``"\\ud800"``: valid JSON, but no
  character, so it cannot be stored or sent).
- Files, on every route but those marked with ``accepts_files``: a file sent for a text
  field would reach the form as an object no text rule expects.
"""

import json

from flask import Flask, abort, current_app, request
from flask_babel import gettext as _

_JSON_NUL = (b"\\u0000", b"\\U0000")
# The API's bodies nest two levels; this leaves room and stays far from any stack limit.
MAX_JSON_DEPTH = 32


def _carries_nul() -> bool:
    if b"\x00" in request.query_string or b"%00" in request.query_string:
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "accepts_files", False):
        # A file's bytes may hold NUL, its text fields may not; an upload may be larger.
        request.max_content_length = getattr(view, "upload_limit", request.max_content_length)
        return any("\x00" in value for values in request.form.listvalues() for value in values)
    body = request.get_data(cache=True)
    return b"\x00" in body or b"%00" in body or any(mark in body for mark in _JSON_NUL)


def refuse_nul_characters() -> None:
    if _carries_nul():
        abort(400, _("The request contains a NUL character, which no text may contain."))


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _too_deep() -> str:
    return _("The JSON body nests deeper than %(depth)s levels.", depth=MAX_JSON_DEPTH)


def _json_problem(body: bytes) -> str | None:
    """Why this JSON body cannot be used, or None. Malformed JSON is left to the views."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _("The body is not UTF-8.")
    try:
        document = json.loads(text)
    except RecursionError:
        return _too_deep()
    except ValueError:
        return None
    # Walk without recursion: every value with its depth.
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                return _too_deep()
            children = value.items() if isinstance(value, dict) else enumerate(value)
            for key, child in children:
                if isinstance(key, str) and _has_lone_surrogate(key):
                    return _("The JSON body contains a lone UTF-16 surrogate (\\ud800–\\udfff).")
                pending.append((child, depth + 1))
        elif isinstance(value, str) and _has_lone_surrogate(value):
            return _("The JSON body contains a lone UTF-16 surrogate (\\ud800–\\udfff).")
    return None


def refuse_unusable_json() -> None:
    if request.method in ("GET", "HEAD", "OPTIONS") or not request.is_json:
        return
    body = request.get_data(cache=True)
    if body:
        reason = _json_problem(body)
        if reason:
            abort(400, reason)


def accepts_files(view):
    """Mark a view that takes uploaded files; every other view refuses them."""
    view.accepts_files = True
    return view


def refuse_unexpected_files() -> None:
    if request.method in ("GET", "HEAD", "OPTIONS") or not request.mimetype.startswith(
        "multipart/"
    ):
        return
    view = current_app.view_functions.get(request.endpoint)
    if request.files and not getattr(view, "accepts_files", False):
        abort(400, _("This form takes no files. Type the text into the field instead."))


def init_app(app: Flask) -> None:
    hooks = app.before_request_funcs.setdefault(None, [])
    hooks[0:0] = [refuse_nul_characters, refuse_unusable_json, refuse_unexpected_files]
