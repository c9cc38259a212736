"""The main journeys walked in a real browser as a person would: clicking links and buttons,
filling forms, in Chinese on a phone and in English on a desktop. Every page on the way is
audited with axe-core and each journey leaves a screenshot in test-artifacts/screenshots/."""

import csv
import io
from datetime import time, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Event, Venue
from eventsys.models.volunteers import Shift, VolunteerRole
from eventsys.services.shifts import local_day, local_instant

# Each journey runs once per language: Chinese on a phone, English on a desktop.
RUNS = [
    pytest.param("zh_Hans", "phone", id="zh_Hans-phone"),
    pytest.param("en", "desktop", id="en-desktop"),
]
LECTURE_TITLE = "评弹与苏州方言：听得见的江南"
LECTURE_TITLE_EN = "Pingtan and the Suzhou Dialect"
NEW_EVENT_TITLE = "古琴雅集：《梅花三弄》赏析"


def _demo_venue() -> Venue:
    return db.session.scalars(sa.select(Venue).order_by(Venue.id)).first()


@pytest.fixture
def lecture(demo_site) -> Event:
    """A lecture of its own, so the reader's search finds exactly one session."""
    starts_at = local_instant(local_day(utcnow()) + timedelta(days=9), time(14, 30))
    event = Event(
        kind="lecture",
        title=LECTURE_TITLE,
        title_en=LECTURE_TITLE_EN,
        description="苏州评弹艺人讲述吴语说唱的韵味。",
        speaker_name="沈老师",
        speaker_title="苏州评弹学校教师",
        audience="adults",
        venue=_demo_venue(),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        status="published",
        capacity=40,
        max_party_size=4,
    )
    db.session.add(event)
    db.session.commit()
    return event


@pytest.fixture
def clashing_shifts(demo_site) -> tuple[Shift, Shift]:
    """Two evening shifts overlapping by an hour, after the demo plan's busy weeks."""
    day = local_day(utcnow()) + timedelta(days=25)
    role = db.session.scalars(sa.select(VolunteerRole).order_by(VolunteerRole.id)).first()
    venue = _demo_venue()
    first = Shift(
        role=role,
        venue=venue,
        starts_at=local_instant(day, time(18, 0)),
        ends_at=local_instant(day, time(20, 0)),
        slots=3,
        notes="夜间阅读活动引导（第一班）",
    )
    second = Shift(
        role=role,
        venue=venue,
        starts_at=local_instant(day, time(19, 0)),
        ends_at=local_instant(day, time(21, 0)),
        slots=3,
        notes="夜间阅读活动收尾（第二班）",
    )
    db.session.add_all([first, second])
    db.session.commit()
    return first, second


@pytest.mark.parametrize(("lang", "width"), RUNS)
def test_reader_finds_a_lecture_registers_sees_the_qr_code_and_cancels(
    open_walker, lecture, lang, width
):
    reader = open_walker("reader", lang, width)
    page = reader.page
    reader.goto("/")
    reader.choose_language()
    reader.log_in("reader@demo.eventsys")

    reader.header_link(".main-nav a[href='/lectures/']").click()
    reader.seen()
    page.fill("#f-q", "评弹")
    page.click("form.filters details.more-filters summary")  # the filters are folded
    page.select_option("#f-audience", "adults")
    page.click("form.filters button[type=submit]")
    reader.seen()
    assert page.locator(".event-card").count() == 1
    title = LECTURE_TITLE_EN if lang == "en" else LECTURE_TITLE
    page.click(f".event-card a:text('{title}')")
    reader.seen()
    assert page.locator("h1").inner_text() == title

    page.fill("input[name=party_size]", "2")
    page.locator("input[name=needs]").first.check()
    page.click(".register-form button[type=submit]")
    reader.seen()
    assert page.locator(".qr svg").is_visible()
    code = page.locator(".checkin-code code").inner_text().strip()
    assert len(code) >= 8
    reader.shot()

    reader.header_link(".account-nav a[href='/my/registrations']").click()
    reader.seen()
    assert page.locator(f"main a:text('{title}')").count() >= 1
    page.go_back()
    reader.seen()
    page.click("main a[href$='/cancel']")  # cancelling asks first
    reader.seen()
    page.click("main form[action$='/cancel'] button")
    reader.seen()
    assert page.locator(".flash-success").count() == 1

    page.goto(reader.base_url + f"/lectures/{lecture.id}")
    reader.seen()
    assert page.locator(".register-form").is_visible(), "a cancelled reader can register again"
    reader.shot("after-cancel")
    reader.assert_accessible()


@pytest.mark.parametrize(("lang", "width"), RUNS)
def test_volunteer_signs_up_for_a_shift_and_is_refused_a_clashing_one(
    open_walker, clashing_shifts, lang, width
):
    first, second = clashing_shifts
    volunteer = open_walker("volunteer", lang, width)
    page = volunteer.page
    volunteer.goto("/")
    volunteer.log_in("volunteer@demo.eventsys")

    volunteer.header_link(".main-nav a[href='/volunteers/']").click()
    volunteer.seen()
    page.locator("tr", has_text=first.notes).locator("button[type=submit]").click()
    volunteer.seen()
    assert page.url.endswith("/volunteers/mine")
    assert page.locator(".flash-success").count() == 1

    volunteer.header_link(".main-nav a[href='/volunteers/']").click()
    volunteer.seen()
    page.locator("tr", has_text=second.notes).locator("button[type=submit]").click()
    volunteer.seen()
    refusal = page.locator(".flash-error").inner_text()
    # The message names the shift it clashes with: its role, place and time, in the
    # page's language.
    assert (first.role.name_en if lang == "en" else first.role.name) in refusal
    # The place in the page's language: the venue's Chinese name, or its English one.
    venue = first.venue
    assert (venue.name_en if lang == "en" and venue.name_en else venue.name) in refusal
    assert "18:00" in refusal or "6:00" in refusal
    assert page.locator("tr", has_text=second.notes).locator("button[type=submit]").count() == 1
    # The refusal at the top of a long list of shifts, as the volunteer sees it.
    volunteer.shot(full_page=False)
    page.locator("tr", has_text=second.notes).scroll_into_view_if_needed()
    volunteer.shot("clashing-row", full_page=False)
    volunteer.assert_accessible()


@pytest.mark.parametrize(("lang", "width"), RUNS)
def test_staff_publish_an_event_check_a_reader_in_export_and_read_the_indicators(
    open_walker, lang, width
):
    staff = open_walker("staff", lang, width)
    page = staff.page
    staff.goto("/")
    staff.log_in("staff@demo.eventsys")

    # Create and publish a lecture.
    staff.header_link(".account-nav a[href='/staff/']").click()
    staff.seen()
    page.click("main a[href='/staff/events']")
    staff.seen()
    page.click("main a[href='/staff/events/new?kind=lecture']")
    staff.seen()
    # Within the hour, so that the door is open when the reader comes to it below.
    starts = (utcnow() + timedelta(hours=1)).astimezone(_shanghai())
    starts = starts.replace(second=0, microsecond=0)
    page.fill("#title", NEW_EVENT_TITLE)
    page.fill("#description", "琴人现场演奏并讲解古琴名曲。")
    page.select_option("#audience", "adults")
    page.fill("#starts_at", starts.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#ends_at", (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#venue_id", index=1)
    page.fill("#capacity", "30")
    page.fill("#max_party_size", "2")
    page.fill("#speaker_name", "吴老师")
    page.click("form.form > button[type=submit]")
    staff.seen()
    assert page.locator(".flash-success").count() == 1
    page.click(".actions form[action$='/publish'] button")
    staff.seen()
    assert page.locator(".badge-ok").count() == 1
    public_path = page.locator("main a[href^='/lectures/']").first.get_attribute("href")

    # A reader registers on the public page (another browser) and brings the code.
    reader = staff.__class__(
        staff.page.context.browser.new_context(
            viewport=page.viewport_size, extra_http_headers={"Accept-Language": "zh-CN"}
        ).new_page(),
        staff.base_url,
        "staff-reader",
        lang,
        staff.width,
        staff.axe_source,
    )
    try:
        reader.goto(public_path)
        reader.log_in("reader@demo.eventsys")
        reader.goto(public_path)
        reader.page.click(".register-form button[type=submit]")
        reader.seen()
        code = reader.page.locator(".checkin-code code").inner_text().strip()
    finally:
        reader.page.context.close()

    # At the door: the check-in page, the code typed like a scanner does (code + Enter).
    page.click(".staff-event-nav a[href$='/checkin']")
    staff.seen()
    page.locator("#code").type(code)
    page.keyboard.press("Enter")
    page.wait_for_selector(".checkin-big")
    staff.seen()
    assert page.locator(".checkin-ok").is_visible()
    assert page.locator("#code").input_value() == ""
    staff.shot()

    # The calendar export downloads an .ics file with the new event.
    staff.header_link(".account-nav a[href='/staff/']").click()
    staff.seen()
    page.click("main a[href='/calendar/export']")
    staff.seen()
    today = utcnow().astimezone(_shanghai()).date()
    page.fill("#first_day", today.isoformat())
    page.fill("#last_day", (today + timedelta(days=30)).isoformat())
    with page.expect_download() as ics_download:
        page.click("form.form button[type=submit]")
    download = ics_download.value
    assert download.suggested_filename.endswith(".ics")
    ics = Path(download.path()).read_text(encoding="utf-8")
    assert ics.startswith("BEGIN:VCALENDAR")
    assert NEW_EVENT_TITLE in ics.replace("\r\n ", "")

    # The volunteer roster for the coming weeks, as CSV.
    staff.header_link(".account-nav a[href='/staff/']").click()
    staff.seen()
    page.click("main a[href='/volunteers/staff/shifts']")
    staff.seen()
    page.click("main a[href='/volunteers/staff/roster']")
    staff.seen()
    page.fill("#r-to", (today + timedelta(days=20)).isoformat())
    page.click("form.filters button[type=submit]")
    staff.seen()
    with page.expect_download() as roster_download:
        page.click("main a[href*='format=csv']")
    download = roster_download.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows) > 1, "the roster lists the demo volunteers"

    # The indicators dashboard.
    staff.header_link(".account-nav a[href='/staff/']").click()
    staff.seen()
    page.click("main a[href='/indicators/']")
    staff.seen()
    assert page.locator("h1").is_visible()
    staff.shot("indicators")
    staff.assert_accessible()
    reader.assert_accessible()


def _shanghai():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")
