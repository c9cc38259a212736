"""Template filters and globals: times shown in the library's zone, in the reader's language."""

from datetime import date, datetime

from flask import Flask, current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from eventsys.i18n import LANGUAGE_NAMES, current_locale, in_english
from eventsys.local_time import date_text, datetime_text, pattern_text, range_text, time_text
from eventsys.services import links
from eventsys.text import has_chinese

# Every named length prints the language's one format; anything else is a CLDR pattern.
_NAMED_FORMATS = ("short", "medium", "long", "full")


def local_datetime(value: datetime | None, format: str = "medium") -> str:
    if not value:
        return ""
    return datetime_text(value) if format in _NAMED_FORMATS else pattern_text(value, format)


def local_date(value: date | datetime | None, format: str = "medium") -> str:
    # A datetime is first turned into the library's zone; a plain date is shown as it is.
    if not value:
        return ""
    return date_text(value) if format in _NAMED_FORMATS else pattern_text(value, format)


def local_time(value: datetime | None, format: str = "short") -> str:
    if not value:
        return ""
    return time_text(value) if format in _NAMED_FORMATS else pattern_text(value, format)


def time_range(starts_at: datetime | None, ends_at: datetime | None) -> str:
    """``{{ event.starts_at|timerange(event.ends_at) }}``: start to end, the day once."""
    if not starts_at:
        return ""
    return range_text(starts_at, ends_at) if ends_at else datetime_text(starts_at)


def url_with(**changes) -> str:
    """The current URL with some query arguments changed (pagination, filters)."""
    args = request.args.to_dict()
    args.update({k: v for k, v in changes.items() if v is not None})
    return url_for(request.endpoint, **(request.view_args or {}), **args)


# Public areas in the order of the main navigation; an area appears once its blueprint exists.
PUBLIC_AREAS = (
    ("events.list", _l("All events")),
    ("lectures.list", _l("Lectures")),
    ("exhibitions.list", _l("Exhibitions")),
    ("red_culture.index", _l("Centenary")),
    ("volunteers.index", _l("Volunteers")),
    ("calendar.index", _l("Calendars")),
)


def main_navigation() -> list[tuple[str, str]]:
    return _existing(PUBLIC_AREAS)


def account_navigation() -> list[tuple[str, str]]:
    links = [
        ("registrations.mine", _l("My registrations")),
        ("volunteers.mine", _l("My shifts")),
        ("auth.account", _l("My account")),
    ]
    if current_user.is_staff:
        links.append(("staff.index", _l("Staff")))
    if current_user.is_admin:
        links.append(("admin.index", _l("Admin")))
    if not current_user.is_volunteer:
        links = [link for link in links if link[0] != "volunteers.mine"]
    return _existing(links)


STAFF_LINKS = (
    ("staff.events", _l("Events")),
    ("staff.branches", _l("Branches and venues")),
    ("volunteers.staff_shifts", _l("Volunteer shifts")),
    ("volunteers.staff_applications", _l("Volunteer applications")),
    ("calendar.export", _l("Calendar export")),
    ("indicators.dashboard", _l("Indicators")),
)
ADMIN_LINKS = (
    ("admin.users", _l("Users and roles")),
    ("admin.policies", _l("Policies")),
    ("admin.audit", _l("Audit log")),
    ("admin.outbox", _l("Mails not sent")),
    ("indicators.values", _l("Indicator values and peers")),
)


def _existing(links) -> list[tuple[str, str]]:
    return [(ep, label) for ep, label in links if ep in current_app.view_functions]


def staff_links() -> list[tuple[str, str]]:
    return _existing(STAFF_LINKS)


def admin_links() -> list[tuple[str, str]]:
    return _existing(ADMIN_LINKS)


def account_sections() -> list[str]:
    """Partials other areas add to the account page (calendar feed, volunteering)."""
    return [
        f"{area}/_account.html"
        for area in ("calendar", "volunteers")
        if area in current_app.blueprints
    ]


def lang_marked(text):
    """Text people entered in Chinese that has no English version (a speaker's title, an
    address, a name), marked as Chinese on an English page: screen readers then read it
    in Chinese, and translation tools leave it alone. Anything else is left as it is."""
    if in_english() and has_chinese(text):
        return Markup('<span lang="zh-Hans">{}</span>').format(text)
    return text


def init_app(app: Flask) -> None:
    app.add_template_filter(local_datetime, "datetime")
    app.add_template_filter(local_date, "date")
    app.add_template_filter(local_time, "time")
    app.add_template_filter(time_range, "timerange")
    app.add_template_filter(lang_marked)
    app.add_template_global(url_with)
    app.add_template_global(links.external_url)
    app.add_template_global(current_locale, "get_locale")
    app.add_template_global(LANGUAGE_NAMES, "language_names")
    app.add_template_global(main_navigation)
    app.add_template_global(account_navigation)
    app.add_template_global(account_sections)
    app.add_template_global(staff_links)
    app.add_template_global(admin_links)
