"""Language selection: the reader's choice, else the account's preference, else the browser's,
else the default. Outside a request (CLI, cron, mail senders) the default, unless a service
forces the recipient's language with ``flask_babel.force_locale``."""

import logging

from babel import Locale
from flask import Flask, current_app, g, has_app_context, has_request_context, request, session
from flask_babel import get_locale, get_translations, refresh
from flask_login import current_user

from eventsys.extensions import babel

logger = logging.getLogger(__name__)

LANGUAGE_NAMES = {"zh_Hans": "中文", "en": "English"}

# Session key for a language chosen while logged out; logging in saves it to the account.
LANGUAGE_CHOSEN = "locale_chosen"

# Attribute of ``flask.g``: (locale, its translations), see ``translations``.
_TRANSLATIONS_KEPT = "_eventsys_translations"

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


def current_locale() -> Locale | None:
    """Flask-Babel's ``get_locale``, read straight from where it keeps the locale once
    chosen (also under ``force_locale``): a page asks for it hundreds of times, and each
    ``get_locale`` goes through the ``flask.g`` proxy three times. None outside any
    application context."""
    if not has_app_context():
        return None
    babel_state = getattr(g._get_current_object(), "_flask_babel", None)
    chosen = getattr(babel_state, "babel_locale", None)
    return chosen if chosen is not None else get_locale()


def translations():
    """Flask-Babel's ``get_translations``, kept per application context for the locale it
    is for (``force_locale`` changes the locale, so the translations follow): templates
    translate a hundred strings a page, each ``get_translations`` three trips through
    ``flask.g``."""
    locale = current_locale()
    if locale is None:
        return get_translations()
    state = g._get_current_object()
    kept = state.__dict__.get(_TRANSLATIONS_KEPT)
    if kept is None or kept[0] != locale:
        kept = (locale, get_translations())
        setattr(state, _TRANSLATIONS_KEPT, kept)
    return kept[1]


def in_english() -> bool:
    """Whether the text being made now is in English (a page, or a mail under
    ``force_locale``); False outside any application context."""
    locale = current_locale()
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
    # The template functions Flask-Babel installs, through the kept translations.
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: translations().ugettext(string),
        ngettext=lambda singular, plural, n: translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: translations().unpgettext(
            context, singular, plural, n
        ),
        newstyle=True,
    )
    app.before_request(_choose_again)
