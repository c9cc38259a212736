"""The month view: a month of events on Monday-first weeks, in the library's time zone."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from eventsys.db_types import utcnow

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    """A Shanghai wall-clock time as the UTC instant stored."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).astimezone(UTC)


def days(html: str) -> dict[str, str]:
    """Each day cell's markup by its date."""
    parts = re.split(r'data-day="(\d{4}-\d{2}-\d{2})"', html)
    return {parts[i]: parts[i + 1].split("</li>\n      <li")[0] for i in range(1, len(parts), 2)}


def month(client, query: str):
    return client.get(f"/events/calendar?{query}")


def test_events_fall_on_their_local_day_even_just_after_midnight(client, make_event):
    make_event(title="午夜后的观星会", starts_at=at("2026-12-11T00:30"))
    make_event(title="十号晚上的读书会", starts_at=at("2026-12-10T19:00"))
    response = month(client, "month=2026-12")
    assert response.status_code == 200
    cells = days(response.text)
    assert "午夜后的观星会" in cells["2026-12-11"] and "00:30" in cells["2026-12-11"]
    assert "午夜后的观星会" not in cells["2026-12-10"]
    assert "十号晚上的读书会" in cells["2026-12-10"]


def test_first_minutes_of_a_month_belong_to_that_month(client, make_event):
    # 1 December 00:10 in Shanghai is still 30 November in UTC.
    make_event(title="月初第一场", starts_at=at("2026-12-01T00:10"))
    assert "月初第一场" in days(month(client, "month=2026-12").text)["2026-12-01"]
    assert "月初第一场" not in month(client, "month=2026-11").text


def test_weeks_start_on_monday(client):
    text = month(client, "month=2026-12").text
    cells = list(days(text))
    # 1 December 2026 is a Tuesday: the grid opens on Monday 30 November.
    assert cells[0] == "2026-11-30" and cells[-1] == "2027-01-03"
    assert len(cells) % 7 == 0
    assert text.index("Monday") < text.index("Tuesday") < text.index("Sunday")


def test_month_navigation_crosses_years(client):
    text = month(client, "month=2027-01").text
    assert 'rel="prev" href="/events/calendar?month=2026-12"' in text
    assert 'rel="next" href="/events/calendar?month=2027-02"' in text


def test_navigation_keeps_the_filters(client):
    text = month(client, "month=2026-12&audience=children").text
    assert re.search(r'rel="next" href="[^"]*month=2027-01[^"]*"', text)
    link = re.search(r'rel="next" href="([^"]*)"', text)[1]
    assert "audience=children" in link


def test_this_month_in_the_library_time_zone_by_default(client, make_event):
    now = utcnow().astimezone(SHANGHAI)
    make_event(title="本月的活动", starts_at=utcnow() + timedelta(minutes=30))
    response = client.get("/events/calendar")
    assert response.status_code == 200
    assert f'data-day="{now.date().isoformat()}"' in response.text
    assert 'aria-current="date"' in response.text
    if (utcnow() + timedelta(minutes=30)).astimezone(SHANGHAI).month == now.month:
        assert "本月的活动" in response.text


def test_filters_narrow_the_month_like_the_list(client, make_event):
    make_event(title="少儿故事会", audience="children", starts_at=at("2026-12-05T10:00"))
    make_event(title="银龄讲座", audience="seniors", starts_at=at("2026-12-05T14:00"))
    text = month(client, "month=2026-12&audience=children").text
    assert "少儿故事会" in text and "银龄讲座" not in text
    text = month(client, "month=2026-12&q=银龄").text
    assert "银龄讲座" in text and "少儿故事会" not in text


def test_drafts_never_show_and_cancelled_events_say_so(client, make_event):
    make_event(title="草稿活动", status="draft", starts_at=at("2026-12-08T10:00"))
    make_event(title="取消的活动", status="cancelled", starts_at=at("2026-12-09T10:00"))
    text = month(client, "month=2026-12").text
    assert "草稿活动" not in text
    cell = days(text)["2026-12-09"]
    assert "取消的活动" in cell and "Cancelled" in cell


def test_an_exhibition_is_listed_once_for_the_month_with_its_dates(client, make_event):
    make_event(
        kind="exhibition",
        title="吴门画派特展",
        capacity=None,
        starts_at=at("2026-11-20T09:00"),
        ends_at=at("2027-01-20T17:00"),
    )
    text = month(client, "month=2026-12").text
    assert text.count("吴门画派特展") == 1
    running = text[text.index("On during the month") : text.index('class="month-grid"')]
    assert "吴门画派特展" in running
    assert not any("吴门画派特展" in cell for cell in days(text).values())


def test_day_cells_show_time_title_and_state(client, make_event):
    make_event(title="名额将满", capacity=30, seats_taken=28, starts_at=at("2026-12-15T14:00"))
    cell = days(month(client, "month=2026-12").text)["2026-12-15"]
    assert "14:00" in cell and "名额将满" in cell
    assert "cal-few" in cell and "Few seats left · 2" in cell


@pytest.mark.parametrize("bad", ["2026-13", "2026-00", "12-2026", "abc", "0001-01", "2026-1"])
def test_a_bad_month_is_explained_and_this_month_shown(client, bad):
    response = month(client, f"month={bad}")
    assert response.status_code == 400
    assert "Choose a month as YYYY-MM" in response.text
    this_month = utcnow().astimezone(SHANGHAI).date().replace(day=1).isoformat()
    assert f'data-day="{this_month}"' in response.text


def test_lists_and_home_link_to_the_month_view(client):
    assert 'href="/events/calendar"' in client.get("/").text
    assert 'href="/events/calendar"' in client.get("/events/").text
    assert 'href="/events/calendar?kind=lecture"' in client.get("/lectures/").text
