"""The staff export form as staff fill it: dates already set to the next three months in the
library's time zone, date pickers without a format to guess, checkboxes instead of lists
that need Ctrl or Cmd, and every problem shown at once, each naming its field."""

import re
from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from eventsys.calendar import forms
from eventsys.db_types import utcnow

STAFF = {"locale": "en"}


@pytest.fixture
def app_config():
    return {"BABEL_DEFAULT_LOCALE": "en"}


def _input(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert match, name
    return match.group(0)


def _inputs(page: str, name: str) -> list[str]:
    return re.findall(rf'<input[^>]*name="{name}"[^>]*>', page)


def test_dates_start_on_today_and_the_next_90_days_in_the_librarys_time_zone(
    client_as, monkeypatch
):
    # 17:30 UTC is already the next day in Suzhou.
    monkeypatch.setattr(forms, "utcnow", lambda: datetime(2026, 3, 1, 17, 30, tzinfo=UTC))
    page = client_as("staff", **STAFF).get("/calendar/export").text
    first, last = _input(page, "first_day"), _input(page, "last_day")
    assert 'type="date"' in first and 'type="date"' in last
    assert 'value="2026-03-02"' in first
    assert 'value="2026-05-31"' in last


def test_the_form_has_no_format_to_guess_and_no_ctrl_or_cmd_lists(client_as):
    page = client_as("staff", **STAFF).get("/calendar/export").text
    assert "YYYY-MM-DD" not in page
    assert "Ctrl" not in page and "Cmd" not in page
    assert "<select multiple" not in page and " multiple" not in page
    kinds = _inputs(page, "kind")
    assert len(kinds) >= 3 and all('type="checkbox"' in box for box in kinds)
    assert all('type="checkbox"' in box for box in _inputs(page, "audience"))
    branches = _inputs(page, "branch")
    assert all('type="radio"' in box for box in branches)
    everywhere = next(box for box in branches if 'value=""' in box)
    assert "checked" in everywhere


def test_every_problem_is_shown_at_once_naming_its_field(client_as):
    response = client_as("staff", **STAFF).post(
        "/calendar/export",
        data={"first_day": "", "last_day": "2026-05-01", "kind": "party", "branch": "nowhere"},
    )
    page = response.text
    assert response.headers["Content-Type"].startswith("text/html")
    start = page.index('class="form-errors')
    summary = page[start : page.index("</ul>", start)]
    assert "From: Choose the first day of the export." in summary
    assert "Kinds of event: " in summary and "party" in summary
    assert "Centre or branch: " in summary
    assert page.startswith("<!doctype html>") and "<title>Error:" in page


def test_a_reversed_range_is_reported_with_the_other_problems(client_as):
    page = (
        client_as("staff", **STAFF)
        .post(
            "/calendar/export",
            data={"first_day": "2026-05-10", "last_day": "2026-05-01", "kind": "party"},
        )
        .text
    )
    assert "Until (inclusive): The end date is before the start date." in page
    assert "Kinds of event: " in page


def test_what_staff_chose_is_kept_when_the_form_comes_back(client_as):
    page = (
        client_as("staff", **STAFF)
        .post(
            "/calendar/export",
            data={
                "first_day": "2026-05-10",
                "last_day": "2026-05-01",
                "kind": ["lecture", "exhibition"],
                "audience": "children",
            },
        )
        .text
    )
    checked = {box for box in _inputs(page, "kind") if "checked" in box}
    assert {re.search(r'value="(\w+)"', box).group(1) for box in checked} == {
        "lecture",
        "exhibition",
    }
    assert 'value="2026-05-10"' in _input(page, "first_day")
    assert any("checked" in box and 'value="children"' in box for box in _inputs(page, "audience"))


def test_several_ticked_kinds_export_those_kinds_only(client_as, make_event):
    lecture = make_event(kind="lecture", title="讲座")
    exhibition = make_event(kind="exhibition", title="展览")
    workshop = make_event(kind="workshop", title="手工")
    today = (utcnow() + timedelta(hours=8)).date()
    response = client_as("staff", **STAFF).post(
        "/calendar/export",
        data={
            "first_day": today.isoformat(),
            "last_day": (today + timedelta(days=30)).isoformat(),
            "kind": ["lecture", "exhibition"],
            "branch": "",
        },
    )
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    uids = {str(e["UID"]) for e in icalendar.Calendar.from_ical(response.data).walk("VEVENT")}
    assert lecture.uid in uids and exhibition.uid in uids
    assert workshop.uid not in uids
