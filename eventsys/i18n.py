"""Language selection: the reader's choice, else the account's preference, else the browser's,
else the default. Outside a request (CLI, cron, mail senders) the default, unless a service
forces the recipient's language with ``flask_babel.force_locale``."""

import logging

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale, refresh
from flask_login import current_user

from eventsys.extensions import babel

logger = logging.getLogger(__name__)

LANGUAGE_NAMES = {"zh_Hans": "中文", "en": "English"}

# Session key for a language chosen while logged out; logging in saves it to the account.
LANGUAGE_CHOSEN = "locale_chosen"

# Tags a browser may send, best first; zh-CN / zh-SG / zh-Hans all mean Simplified Chinese.
_BROWSER_TAGS = {"zh-Hans": "zh_Hans", "zh-CN": "zh_Hans", "zh-SG": "zh_Hans", "zh": "zh_Hans"}


def select_locale() -> str:
    config = current_app.config
    languages = config["EVENTSYS_LANGUAGES"]
    default = config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if current_user and current_user.is_authenticated and user_locale in languages:
        return user_locale
    return _browser_locale(languages) or default


def in_english() -> bool:
    """Whether the text being made now is in English (a page, or a mail under
    ``force_locale``); False outside any application context."""
    try:
        locale = get_locale()
    except RuntimeError:  # no application context at all
        return False
    return locale is not None and locale.language == "en"


def localized(chinese: str, english: str | None) -> str:
    """The English form of a name in English when one is stored, else the Chinese one."""
    if english and in_english():
        return english
    return chinese


def _browser_locale(languages) -> str | None:
    """The best language the ``Accept-Language`` header asks for; None when it asks for
    nothing we have or cannot be read."""
    try:
        best = request.accept_languages.best_match([*_BROWSER_TAGS, "en"])
    except (ValueError, TypeError):  # a header werkzeug cannot parse is simply ignored
        logger.debug("unreadable Accept-Language header ignored")
        return None
    if best is None:
        return None
    locale = _BROWSER_TAGS.get(best, best)
    return locale if locale in languages else None


def select_timezone() -> str:
    return current_app.config["EVENTSYS_TIMEZONE"]


def _choose_again() -> None:
    # Flask-Babel keeps the chosen locale on ``g``; when an application context outlives a
    # request (tests, CLI commands that render pages) the next request must choose afresh.
    refresh()


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.before_request(_choose_again)
