"""Another library runs eventsys by changing its settings: the name and contact readers see on
pages, in mails and in calendars are the configured ones, in each language, and the demo
library's name appears nowhere; left at the defaults, the demo library's name shows."""

import icalendar
import pytest
import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.models import OutboxMessage, Registration
from eventsys.services import events as event_service

TESTVILLE = {
    "EVENTSYS_LIBRARY_NAME": "测试城公共图书馆",
    "EVENTSYS_LIBRARY_NAME_EN": "Testville Public Library",
    "EVENTSYS_LIBRARY_SHORT_NAME": "测试城图书馆",
    "EVENTSYS_LIBRARY_SHORT_NAME_EN": "Testville Library",
    "EVENTSYS_LIBRARY_PHONE": "+1 555 0100",
    "EVENTSYS_LIBRARY_EMAIL": "events@testville.example",
}
# The product's own default language, Chinese; English on request.
CHINESE_FIRST = {"BABEL_DEFAULT_LOCALE": "zh_Hans"}
ENGLISH = {"Accept-Language": "en"}
DEMO_NAMES = ("Suzhou Library", "苏州图书馆")


@pytest.fixture
def app_config():
    return {**CHINESE_FIRST, **TESTVILLE}


def _no_demo_name(text: str) -> None:
    for name in DEMO_NAMES:
        assert name not in text


def _mails_to(address: str) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).where(OutboxMessage.to_address == address)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def test_pages_name_the_configured_library_in_each_language(client, make_event):
    event = make_event(title="园林讲座")
    pages = {
        "zh": [client.get(path).text for path in ("/", f"/lectures/{event.id}")],
        "en": [client.get(path, headers=ENGLISH).text for path in ("/", f"/lectures/{event.id}")],
    }
    for page in pages["zh"]:
        assert "测试城公共图书馆" in page
        assert "· 测试城图书馆</title>" in page
        assert "+1 555 0100 · events@testville.example" in page
        _no_demo_name(page)
    for page in pages["en"]:
        assert "Testville Public Library" in page
        assert "· Testville Library</title>" in page
        assert "+1 555 0100 · events@testville.example" in page
        _no_demo_name(page)
    assert "What's on at Testville Public Library" in pages["en"][0]
    assert 'property="og:site_name" content="Testville Public Library"' in pages["en"][1]


def test_mails_are_signed_with_the_configured_name_and_contact(client, make_user):
    english, chinese = make_user(locale="en"), make_user(locale="zh_Hans")
    for reader in (english, chinese):
        assert client.post("/auth/reset", data={"email": reader.email}).status_code == 302

    (mail,) = _mails_to(english.email)
    assert "Testville Public Library" in mail.subject
    assert mail.body.rstrip().endswith(
        "Testville Public Library\n+1 555 0100 · events@testville.example"
    )
    (mail,) = _mails_to(chinese.email)
    assert mail.body.rstrip().endswith("测试城公共图书馆\n+1 555 0100 · events@testville.example")
    for mail in _mails_to(english.email) + _mails_to(chinese.email):
        _no_demo_name(mail.subject + mail.body)


def test_the_indicator_pages_name_the_configured_library(client_as):
    staff = client_as("staff")
    dashboard = staff.get("/indicators/?year=2021", headers=ENGLISH).text
    assert "Testville Public Library" in dashboard
    _no_demo_name(dashboard)
    # The entry form lists the library among its peers.
    entry = client_as("admin", locale="en").get("/indicators/values").text
    assert "Testville Public Library" in entry
    _no_demo_name(entry)


def test_a_cancellation_mail_names_the_configured_library(app, make_event, make_user):
    reader = make_user(locale="en")
    event = make_event()
    db.session.add(Registration(event=event, user=reader, status="confirmed"))
    db.session.commit()

    event_service.cancel(event, "The speaker is ill", make_user("staff"))
    db.session.commit()

    (mail,) = _mails_to(reader.email)
    assert "The speaker is ill" in mail.body
    assert "Testville Public Library" in mail.body
    _no_demo_name(mail.subject + mail.body)


def test_calendar_feeds_are_named_after_the_configured_library(client, make_event):
    make_event()
    chinese = client.get("/calendar/events.ics")
    english = client.get("/calendar/events.ics?lang=en")
    for response, name in ((chinese, "测试城公共图书馆"), (english, "Testville Public Library")):
        assert response.status_code == 200
        calendar = icalendar.Calendar.from_ical(response.data)
        assert str(calendar["X-WR-CALNAME"]).startswith(name)
        assert name in str(calendar["X-WR-CALDESC"])
        _no_demo_name(response.data.decode())


@pytest.mark.parametrize("app_config", [CHINESE_FIRST])
def test_by_default_the_demo_library_shows(client, make_user):
    assert "苏州图书馆" in client.get("/").text
    assert "Suzhou Library" in client.get("/", headers=ENGLISH).text
    calendar = icalendar.Calendar.from_ical(client.get("/calendar/events.ics?lang=en").data)
    assert str(calendar["X-WR-CALNAME"]).startswith("Suzhou Library")

    reader = make_user(locale="en")
    client.post("/auth/reset", data={"email": reader.email})
    (mail,) = _mails_to(reader.email)
    assert mail.body.rstrip().endswith("Suzhou Library")
