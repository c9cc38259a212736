"""The language of commands: outside a request there is no browser or account to choose
one, and messages from services are translated."""

import functools

from flask import current_app
from flask_babel import force_locale


def default_locale(command):
    """Run ``command`` in the installation's default language."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            return command(*args, **kwargs)

    return wrapper
