"""The demo speaks English too: every series, campaign, branch, venue, volunteer role and
every event still to come has an English name, and an English page shows no Chinese title."""

import html
import re

import pytest
import sqlalchemy as sa

from eventsys import demo
from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Branch, Campaign, Event, Series, Venue, VolunteerRole

CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture
def loaded(app):
    demo.load()
    db.session.commit()


def _nameless(model, *fields) -> list[str]:
    rows = db.session.scalars(sa.select(model)).all()
    assert rows, f"the demo has no {model.__name__}"
    return [str(row.id) for row in rows if not all(getattr(row, f).strip() for f in fields)]


def test_every_demo_series_campaign_and_place_has_an_english_name(loaded):
    assert _nameless(Series, "title_en", "description_en") == []
    assert _nameless(Campaign, "title_en", "description_en") == []
    assert _nameless(Branch, "name_en") == []
    assert _nameless(Venue, "name_en") == []
    assert _nameless(VolunteerRole, "name_en") == []


def test_every_coming_demo_event_has_an_english_title_and_description(loaded):
    coming = db.session.scalars(sa.select(Event).where(Event.ends_at > utcnow())).all()
    assert len(coming) >= 30
    missing = [e.title for e in coming if not (e.title_en.strip() and e.description_en.strip())]
    assert missing == []
    assert [e.title_en for e in coming if CJK.search(e.title_en + e.description_en)] == []


def _heading(page: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
    assert match, "the page has no heading"
    return html.unescape(match.group(1))  # a title may hold an apostrophe


def test_english_event_page_of_a_demo_event_shows_no_chinese_title(loaded, client):
    for kind in ("lecture", "guided_tour", "exhibition", "workshop"):
        event = db.session.scalar(
            sa.select(Event)
            .where(Event.kind == kind, Event.ends_at > utcnow(), Event.status == "published")
            .order_by(Event.starts_at)
            .limit(1)
        )
        english = client.get(
            f"/events/{event.id}", headers={"Accept-Language": "en"}, follow_redirects=True
        ).text
        title = re.search(r"<title>(.*?)</title>", english, re.S).group(1)
        assert event.title_en in _heading(english)
        assert not CJK.search(_heading(english)) and not CJK.search(title)

        chinese = client.get(
            f"/events/{event.id}", headers={"Accept-Language": "zh-CN"}, follow_redirects=True
        ).text
        assert event.title in _heading(chinese) and event.title_en not in html.unescape(chinese)

        calendar = client.get(f"/calendar/event/{event.id}.ics", headers={"Accept-Language": "en"})
        unfolded = calendar.get_data(as_text=True).replace("\r\n ", "")
        assert f"SUMMARY:{event.title_en}" in unfolded and event.title not in unfolded


def test_volunteer_roles_are_named_in_one_language_at_a_time(loaded, client_as):
    def role_options(locale: str) -> list[str]:
        page = client_as("volunteer", locale=locale).get("/volunteers/").text
        select = re.search(r'<select id="f-role".*?</select>', page, re.S)
        assert select, "the shift filter has no role list"
        return re.findall(r'<option value="\d+"[^>]*>(.*?)</option>', select.group())

    english, chinese = role_options("en"), role_options("zh_Hans")
    assert "Shelving" in english and "图书整架" in chinese
    assert [name for name in english if CJK.search(name)] == []
    assert [name for name in chinese if re.search("[A-Za-z]", name)] == []
