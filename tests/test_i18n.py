"""Languages: Simplified Chinese by default, English on request; complete catalogues."""

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask_babel import force_locale, gettext

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.i18n import select_locale
from eventsys.models import Registration, User
from eventsys.services.reminders import registration_reminders

ROOT = Path(__file__).resolve().parents[1]
CATALOGUES = ROOT / "eventsys" / "translations"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
}
AREA_PAGES = ["/", "/lectures/", "/exhibitions/", "/red-culture/", "/volunteers/", "/calendar/"]


@pytest.fixture
def app_config():
    # The product's own default (the other test modules read pages in English).
    return {"BABEL_DEFAULT_LOCALE": "zh_Hans"}


def _is_chinese(page: str) -> bool:
    return '<html lang="zh-Hans">' in page and "跳到主要内容" in page and ">讲座</a>" in page


def _is_english(page: str) -> bool:
    return '<html lang="en">' in page and "Skip to content" in page and ">Lectures</a>" in page


def _source_messages() -> set[str]:
    """Every translatable string in the code and templates, extracted as babel.cfg says."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        found.update([message] if isinstance(message, str) else message[:1])
    return found


def _catalogue(locale: str):
    with (CATALOGUES / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=locale)


# ---------------------------------------------------------------- pages


@pytest.mark.parametrize("path", AREA_PAGES)
def test_pages_are_chinese_by_default_and_english_on_request(client, path):
    chinese = client.get(path)
    assert chinese.status_code == 200
    assert _is_chinese(chinese.text)
    assert "Skip to content" not in chinese.text

    english = client.get(path, headers={"Accept-Language": "en-US,en;q=0.9"})
    assert english.status_code == 200
    assert _is_english(english.text)
    assert "跳到主要内容" not in english.text


def test_home_page_shows_the_library_in_chinese(client):
    page = client.get("/").text
    assert "苏州图书馆" in page
    assert "页面时间均为北京时间" in page


@pytest.mark.parametrize(
    ("header", "chinese"),
    [
        ("en-US,en;q=0.9", False),
        ("en", False),
        ("de-DE, en-GB;q=0.5", False),
        ("zh-CN", True),
        ("zh-Hans-CN,zh;q=0.9,en;q=0.8", True),
        ("en;q=0.2, zh-CN;q=0.8", True),
        ("fr-FR", True),  # nothing we offer: the default
        ("", True),
        ("*", True),
        (";;;q=abc,,", True),
        ("zh-CN;q=nonsense, en;q=", None),  # any reading of it will do
        ("\u00ff\u00fe garbage", True),
    ],
)
def test_browser_language_decides_and_a_broken_header_is_harmless(client, header, chinese):
    response = client.get("/", headers={"Accept-Language": header})
    assert response.status_code == 200
    if chinese is None:
        assert _is_chinese(response.text) or _is_english(response.text)
    else:
        assert (_is_chinese if chinese else _is_english)(response.text)


def test_page_without_accept_language_header_gets_the_default(client):
    response = client.get("/", environ_overrides={"HTTP_ACCEPT_LANGUAGE": ""})
    assert response.status_code == 200 and _is_chinese(response.text)


def test_switch_persists_for_an_anonymous_reader(client):
    response = client.post("/language", data={"locale": "en", "next": "/lectures/"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/lectures/")
    assert _is_english(client.get("/").text)
    assert _is_english(client.get("/exhibitions/").text)
    # An explicit choice beats the browser.
    assert _is_english(client.get("/", headers={"Accept-Language": "zh-CN"}).text)

    client.post("/language", data={"locale": "zh_Hans"})
    assert _is_chinese(client.get("/", headers={"Accept-Language": "en"}).text)


def test_unknown_language_is_refused_without_error(client):
    assert client.post("/language", data={"locale": "klingon"}).status_code == 400
    assert _is_chinese(client.get("/").text)


def test_switch_is_kept_in_the_account_and_follows_the_reader(app, client_as, login):
    reader = client_as("reader", locale="zh_Hans")
    assert _is_chinese(reader.get("/").text)

    reader.post("/language", data={"locale": "en"})
    assert _is_english(reader.get("/").text)
    assert db.session.get(User, reader.user.id).locale == "en"

    # Another device, a Chinese browser: the account's preference wins.
    other_device = app.test_client()
    login(other_device, reader.user)
    assert _is_english(other_device.get("/", headers={"Accept-Language": "zh-CN"}).text)


def test_dates_and_times_follow_the_language_in_shanghai_time(client, make_event):
    start = (utcnow() + timedelta(days=3)).replace(hour=6, minute=30, second=0, microsecond=0)
    event = make_event(starts_at=start)  # 14:30 in Suzhou
    chinese = client.get(f"/lectures/{event.id}").text
    english = client.get(f"/lectures/{event.id}", headers={"Accept-Language": "en"}).text
    assert "14:30" in chinese and f"{start.year}年" in chinese
    assert "14:30" in english  # the library's 24-hour clock in both languages
    assert f"{start:%a} {start.day} {start:%b %Y}" in english

    listing = client.get("/lectures/").text
    weekday = "一二三四五六日"[start.weekday()]
    assert f"{start.month}月{start.day}日 周{weekday} 14:30" in listing
    assert "14:30:00" not in listing


# ---------------------------------------------------------------- outside a request


def test_outside_a_request_the_default_language_is_used(app):
    assert select_locale() == "zh_Hans"
    assert gettext("Lectures") == "讲座"
    with force_locale("en"):
        assert gettext("Lectures") == "Lectures"


def test_reminder_mails_from_cron_are_in_each_readers_language(app, make_user, make_event):
    # 09:00 the day after tomorrow, asked at 21:00 the evening before: "tomorrow" at any hour
    # the test runs.
    zone = ZoneInfo("Asia/Shanghai")
    day = datetime.now(zone).date() + timedelta(days=2)
    starts_at = datetime.combine(day, time(9), zone).astimezone(UTC)
    event = make_event(starts_at=starts_at, title="江南园林与文人生活")
    for locale in ("zh_Hans", "en"):
        db.session.add(Registration(event=event, user=make_user(locale=locale), status="confirmed"))
    db.session.commit()

    evening_before = starts_at - timedelta(hours=12)
    subjects = sorted(reminder.subject for reminder in registration_reminders(evening_before))
    assert subjects == ["Tomorrow: 江南园林与文人生活", "明日活动：江南园林与文人生活"]


def test_missing_translation_falls_back_to_english(client, app):
    absent = "A sentence the catalogue has never seen."
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        assert gettext(absent) == absent
        assert gettext("%(n)s seats", n=3) == "3 seats"


# ---------------------------------------------------------------- catalogues


def test_chinese_catalogue_translates_every_message():
    catalogue = _catalogue("zh_Hans")
    missing = sorted(
        message.id if isinstance(message.id, str) else message.id[0]
        for message in catalogue
        if message.id
        and (message.fuzzy or not all(message.string if message.pluralizable else [message.string]))
    )
    assert not missing, "Untranslated or fuzzy in zh_Hans:\n" + "\n".join(missing)


def test_catalogues_hold_every_string_of_the_code_and_templates():
    in_source = _source_messages()
    for locale in ("zh_Hans", "en"):
        catalogue = _catalogue(locale)
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue if m.id}
        missing = sorted(in_source - known)
        assert not missing, (
            f"Not in the {locale} catalogue (run scripts/update_translations.sh):\n"
            + "\n".join(missing)
        )


def test_translations_keep_their_placeholders():
    catalogue = _catalogue("zh_Hans")
    errors = [(message.id, errors) for message, errors in catalogue.check() if errors]
    assert not errors, errors


def test_compiled_catalogue_is_current():
    po = CATALOGUES / "zh_Hans" / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, (
        "Compile the catalogues: pip install -e . (or scripts/update_translations.sh)"
    )
