"""The library that runs eventsys: its names and how to reach it, from configuration.

Another library runs eventsys by changing the ``EVENTSYS_LIBRARY_*`` settings; the
defaults are Suzhou Library's, for which eventsys was first built. Every page, mail,
calendar and share card takes the name from here, in the language it is written in.
"""

from dataclasses import dataclass

from flask import Flask, current_app

from eventsys.i18n import in_english


@dataclass(frozen=True)
class Library:
    name: str
    short_name: str
    phone: str
    email: str

    @property
    def contact(self) -> str:
        """Phone and mail address on one line, as a signature gives them."""
        return " · ".join(part for part in (self.phone, self.email) if part)


def current_library() -> Library:
    """The library's names in the language being written now (a page, or a mail under
    ``force_locale``); an English name left empty falls back to the library's own."""
    config = current_app.config
    english = in_english()

    def pick(key: str) -> str:
        return (english and config.get(f"{key}_EN")) or config[key]

    return Library(
        name=pick("EVENTSYS_LIBRARY_NAME"),
        short_name=pick("EVENTSYS_LIBRARY_SHORT_NAME"),
        phone=config["EVENTSYS_LIBRARY_PHONE"],
        email=config["EVENTSYS_LIBRARY_EMAIL"],
    )


def init_app(app: Flask) -> None:
    """``library`` in every template: ``{{ library.name }}``."""
    app.context_processor(lambda: {"library": current_library()})
