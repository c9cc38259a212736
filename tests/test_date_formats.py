"""One date format per language, always on the library's clock (Asia/Shanghai):
``2026年11月29日 周日 14:00`` in Chinese, ``Sun 29 Nov 2026, 14:00`` in English."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import render_template_string
from flask_babel import force_locale

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import OutboxMessage, Shift, VolunteerRole
from eventsys.services import registrations
from eventsys.services.shifts import describe_shift
from eventsys.templating import local_date, local_datetime, local_time, time_range

ZH_WEEKDAYS = "一二三四五六日"
EN_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# 06:00 UTC is 14:00 in Suzhou; 16:05 UTC on the 28th is already 00:05 on the 29th there.
AFTERNOON = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)
AFTER_MIDNIGHT = datetime(2026, 11, 28, 16, 5, tzinfo=UTC)


def _zh_day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日 周{ZH_WEEKDAYS[day.weekday()]}"


def _en_day(day: date) -> str:
    return f"{EN_WEEKDAYS[day.weekday()]} {day.day} {EN_MONTHS[day.month - 1]} {day.year}"


def _suzhou(instant: datetime) -> datetime:
    return instant + timedelta(hours=8)  # China has had no summer time since 1991


# ---------------------------------------------------------------- the filters themselves


@pytest.mark.parametrize("length", ["short", "medium", "long", "full"])
def test_every_named_length_prints_the_one_chinese_format(app, length):
    with force_locale("zh_Hans"):
        assert local_datetime(AFTERNOON, length) == "2026年11月29日 周日 14:00"
        assert local_date(AFTERNOON, length) == "2026年11月29日 周日"
        assert local_time(AFTERNOON, length) == "14:00"


@pytest.mark.parametrize("length", ["short", "medium", "long", "full"])
def test_every_named_length_prints_the_one_english_format(app, length):
    with force_locale("en"):
        assert local_datetime(AFTERNOON, length) == "Sun 29 Nov 2026, 14:00"
        assert local_date(AFTERNOON, length) == "Sun 29 Nov 2026"
        assert local_time(AFTERNOON, length) == "14:00"


def test_just_after_midnight_in_suzhou_is_already_the_next_day(app):
    with force_locale("zh_Hans"):
        assert local_datetime(AFTER_MIDNIGHT) == "2026年11月29日 周日 00:05"
        assert local_date(AFTER_MIDNIGHT) == "2026年11月29日 周日"
    with force_locale("en"):
        assert local_datetime(AFTER_MIDNIGHT) == "Sun 29 Nov 2026, 00:05"


def test_a_range_on_one_day_names_the_day_once(app):
    end = AFTERNOON + timedelta(hours=2)
    with force_locale("zh_Hans"):
        assert time_range(AFTERNOON, end) == "2026年11月29日 周日 14:00–16:00"
    with force_locale("en"):
        assert time_range(AFTERNOON, end) == "Sun 29 Nov 2026, 14:00–16:00"


def test_a_range_past_midnight_names_both_days(app):
    start, end = AFTER_MIDNIGHT - timedelta(hours=1), AFTER_MIDNIGHT
    with force_locale("en"):
        assert time_range(start, end) == "Sat 28 Nov 2026, 23:05 – Sun 29 Nov 2026, 00:05"


def test_a_plain_date_is_shown_as_it_is(app):
    with force_locale("zh_Hans"):
        assert local_date(date(2021, 7, 1)) == "2021年7月1日 周四"
    with force_locale("en"):
        assert local_date(date(2021, 7, 1)) == "Thu 1 Jul 2021"


def test_an_explicit_pattern_is_still_taken_as_given_in_suzhou_time(app):
    with force_locale("en"):
        assert local_datetime(AFTER_MIDNIGHT, "yyyy-MM-dd HH:mm") == "2026-11-29 00:05"


def test_templates_call_the_filters_by_their_old_names(app):
    source = (
        "{{ t|datetime('short') }}|{{ t|datetime }}|{{ t|date('long') }}|{{ t|time }}|"
        "{{ t|timerange(t + hours) }}|{{ none|datetime }}"
    )
    with app.test_request_context(), force_locale("en"):
        text = render_template_string(source, t=AFTERNOON, hours=timedelta(hours=2), none=None)
    assert text == (
        "Sun 29 Nov 2026, 14:00|Sun 29 Nov 2026, 14:00|Sun 29 Nov 2026|14:00|"
        "Sun 29 Nov 2026, 14:00–16:00|"
    )


# ---------------------------------------------------------------- pages and mails


def _next_afternoon() -> datetime:
    """Two days ahead at 06:30 UTC: 14:30 in Suzhou, on the same calendar day."""
    return (utcnow() + timedelta(days=2)).replace(hour=6, minute=30, second=0, microsecond=0)


def test_event_page_shows_the_languages_format(client, make_event):
    start = _next_afternoon()
    opens = start - timedelta(hours=20)  # 18:30 the day before, on the page as "opens …"
    event = make_event(starts_at=start, registration_opens_at=opens, registration_closes_at=start)
    day, opening = _suzhou(start).date(), _suzhou(opens)
    chinese = client.get(f"/lectures/{event.id}", headers={"Accept-Language": "zh-CN"}).text
    english = client.get(f"/lectures/{event.id}", headers={"Accept-Language": "en"}).text

    assert _zh_day(day) in chinese and "14:30" in chinese
    assert f"{_zh_day(opening.date())} 18:30" in chinese
    assert _en_day(day) in english and "14:30" in english
    assert f"{_en_day(opening.date())}, 18:30" in english


def test_event_page_after_midnight_shows_the_suzhou_day(client, make_event):
    start = (utcnow() + timedelta(days=2)).replace(hour=16, minute=5, second=0, microsecond=0)
    event = make_event(starts_at=start, ends_at=start + timedelta(hours=1))
    english = client.get(f"/lectures/{event.id}", headers={"Accept-Language": "en"}).text
    assert _en_day(_suzhou(start).date()) in english and "00:05" in english
    assert _en_day(start.date()) not in english  # the UTC day never shows


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("zh_Hans", lambda day: f"{_zh_day(day)} 14:30"),
        ("en", lambda day: f"{_en_day(day)}, 14:30"),
    ],
)
def test_confirmation_mail_writes_the_date_in_the_readers_language(
    app, make_user, make_event, locale, expected
):
    start = _next_afternoon()
    event = make_event(starts_at=start)
    reader = make_user(locale=locale)
    registrations.register(event, reader)
    body = db.session.scalars(
        sa.select(OutboxMessage.body).where(OutboxMessage.to_address == reader.email)
    ).one()
    assert expected(_suzhou(start).date()) in body
    assert f"{start:%Y-%m-%d}" not in body


def test_shift_in_a_mail_names_its_day_once(app, make_venue):
    role = VolunteerRole(name="图书整架", name_en="Shelving")
    start = AFTERNOON
    shift = Shift(
        role=role, venue=make_venue(), starts_at=start, ends_at=start + timedelta(hours=2), slots=2
    )
    db.session.add_all([role, shift])
    db.session.flush()
    with force_locale("en"):
        assert describe_shift(shift).startswith("Shelving · ")
        assert describe_shift(shift).endswith(" · Sun 29 Nov 2026, 14:00–16:00")
    with force_locale("zh_Hans"):
        assert describe_shift(shift).startswith("图书整架 · ")
        assert describe_shift(shift).endswith(" · 2026年11月29日 周日 14:00–16:00")
