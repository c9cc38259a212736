"""Language selection: the account's preference, else the browser's, else the default."""

from flask import Flask, current_app, request, session
from flask_login import current_user

from eventsys.extensions import babel

LANGUAGE_NAMES = {"zh_Hans": "中文", "en": "English"}


def select_locale() -> str:
    languages = current_app.config["EVENTSYS_LANGUAGES"]
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    # Browsers send zh-CN / zh-Hans; Babel's matcher understands both spellings.
    best = request.accept_languages.best_match(["zh-Hans", "zh-CN", "zh", "en"])
    if best is None:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    return "en" if best == "en" else "zh_Hans"


def select_timezone() -> str:
    return current_app.config["EVENTSYS_TIMEZONE"]


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
