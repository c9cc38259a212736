"""The home page and the event lists, as a reader on a phone meets them."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Campaign, Series

ENGLISH = {"Accept-Language": "en"}


def soon(hours: float) -> datetime:
    return utcnow().replace(microsecond=0) + timedelta(hours=hours)


def end_of_today_in_shanghai() -> datetime:
    local = utcnow().astimezone(ZoneInfo("Asia/Shanghai"))
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time())
    return midnight.replace(tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)


def test_home_opens_with_a_search_box_then_the_next_events(client, make_event):
    left_today = end_of_today_in_shanghai() - utcnow()
    if left_today > timedelta(minutes=20):
        make_event(title="今天的讲座", starts_at=utcnow() + left_today / 2)
    make_event(title="这周的读书会", starts_at=end_of_today_in_shanghai() + timedelta(days=2))
    text = client.get("/").text
    search = re.search(r'<form[^>]*action="/events/"[^>]*role="search"', text)
    assert search and 'name="q"' in text
    week = text.index("这周的读书会")
    assert search.start() < text.index('id="today-heading"') < week
    if left_today > timedelta(minutes=20):
        assert search.start() < text.index("今天的讲座") < week
    assert 'href="/events/"' in text and 'href="/events/calendar"' in text


def test_home_filters_are_one_folded_form_not_a_wall_of_buttons(client, make_venue):
    make_venue()
    text = client.get("/").text
    first_screen = text[: text.index('id="today-heading"')]
    assert "<details" in first_screen
    assert 'name="audience"' in first_screen and 'name="branch"' in first_screen
    assert first_screen.count('class="button"') == 0
    assert first_screen.count("<form") - first_screen.count('class="language-switch"') <= 3


def test_quiet_week_still_shows_what_comes_next(client, make_event):
    make_event(title="下个月的讲座", starts_at=utcnow() + timedelta(days=20))
    text = client.get("/").text
    assert "Coming next" in text and "下个月的讲座" in text


def test_search_finds_an_event_by_its_english_title_in_english(client, make_event):
    make_event(title="江南园林与文人生活", title_en="Gardens and Scholars of Jiangnan")
    make_event(title="评弹欣赏", description_en="An evening of Suzhou pingtan storytelling.")
    make_event(title="无关活动")
    text = client.get("/events/?q=gardens", headers=ENGLISH).text
    assert "Gardens and Scholars of Jiangnan" in text and "无关活动" not in text
    text = client.get("/events/?q=PINGTAN", headers=ENGLISH).text
    assert "评弹欣赏" in text and "无关活动" not in text


def test_cards_show_state_weekday_place_and_audience(client, make_venue, make_event):
    hall = make_venue(name="学术报告厅", name_en="Lecture Hall")
    # Friday 11 December 2026, 19:00 in Suzhou.
    starts = datetime(2026, 12, 11, 11, 0, tzinfo=UTC)
    make_event(title="周五讲座", venue=hall, audience="seniors", starts_at=starts)
    text = client.get("/events/?date_from=2026-12-11&date_to=2026-12-11", headers=ENGLISH).text
    card = text[text.index("周五讲座") :]
    card = card[: card.index("</li>")]
    assert "Fri" in card and "11 Dec 2026" in card and "19:00" in card
    assert "Lecture Hall" in card and "Seniors" in card
    assert 'class="state state-open"' in card and "Open · 50 seats left" in card


@pytest.mark.parametrize("path", ["/events/", "/lectures/", "/exhibitions/", "/red-culture/"])
def test_each_list_has_one_filter_form_and_says_when_nothing_matches(client, path):
    text = client.get(f"{path}?q=没有这样的活动").text
    assert text.count('role="search"') == 1
    assert "No events match" in text
    assert f'<a class="button" href="{path}">Clear the filters</a>' in text


def test_lists_of_every_area_show_state_badges(client, make_event):
    series = Series(slug="jiangnan", title="江南文化大讲堂", brand="jiangnan")
    campaign = Campaign(slug="c100", title="建党100周年", year=2026)
    db.session.add_all([series, campaign])
    db.session.commit()
    make_event(title="系列讲座", series=series, capacity=10, seats_taken=10)
    make_event(title="百年活动", kind="film", campaign=campaign, capacity=None)
    start = utcnow() - timedelta(days=2)
    make_event(
        kind="exhibition", title="正在展出", capacity=None, starts_at=start, ends_at=soon(24 * 30)
    )
    assert "Full · waiting list open" in client.get("/lectures/").text
    assert "Full · waiting list open" in client.get("/lectures/series/jiangnan").text
    assert "No booking needed" in client.get("/red-culture/").text
    assert "Now on · no booking needed" in client.get("/exhibitions/").text


def test_filter_form_keeps_the_campaign_it_was_opened_with(client, make_event):
    campaign = Campaign(slug="c100", title="建党100周年", year=2026)
    db.session.add(campaign)
    db.session.commit()
    text = client.get(f"/red-culture/?campaign={campaign.id}").text
    assert f'<input type="hidden" name="campaign" value="{campaign.id}">' in text


def test_poster_thumbnail_with_its_alt_text_when_the_event_has_one(client, make_event):
    event = make_event(title="有海报的讲座", poster="abc123", poster_alt="一位老人在园林中读书")
    make_event(title="没有海报的讲座")
    text = client.get("/events/", headers={"Accept-Language": "zh-CN"}).text
    assert f'<img class="card-poster" src="/events/posters/{event.id}-abc123-card.webp"' in text
    assert 'alt="一位老人在园林中读书"' in text
    assert text.count('class="card-poster"') == 1


def test_cards_keep_the_site_prefix_and_the_language_of_each_request(client, make_event):
    """Card addresses and dates are worked out once per worker; a site served under a
    prefix, and the other language, still get their own."""
    event = make_event(title="一场讲座", starts_at=soon(30))
    chinese = {"Accept-Language": "zh-CN"}
    link = f'href="/lectures/{event.id}"'
    day = event.starts_at.astimezone(ZoneInfo("Asia/Shanghai"))
    in_chinese = f"{day.year}年{day.month}月{day.day}日"
    in_english = f"{day.day} {day.strftime('%b')} {day.year}"

    plain = client.get("/events/", headers=chinese).text
    prefixed = client.get(
        "/events/", headers=ENGLISH, environ_overrides={"SCRIPT_NAME": "/library"}
    ).text
    again = client.get("/events/", headers=chinese).text

    assert link in plain and in_chinese in plain and in_english not in plain
    assert 'href="/library/lectures/' in prefixed and link not in prefixed
    assert in_english in prefixed and in_chinese not in prefixed
    assert link in again and in_chinese in again
