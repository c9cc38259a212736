"""Refuse NUL characters in any request input, in one place.

PostgreSQL cannot store NUL in text, and no person types one: a request carrying it
(in the query string, a form or a JSON body) is answered 400 before any view runs.
"""

from flask import Flask, abort, request
from flask_babel import gettext as _

_JSON_NUL = (b"\\u0000", b"\\U0000")


def _carries_nul() -> bool:
    if b"\x00" in request.query_string or b"%00" in request.query_string:
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    body = request.get_data(cache=True)
    return b"\x00" in body or b"%00" in body or any(mark in body for mark in _JSON_NUL)


def refuse_nul_characters() -> None:
    if _carries_nul():
        abort(400, _("The request contains a NUL character, which no text may contain."))


def init_app(app: Flask) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_nul_characters)
