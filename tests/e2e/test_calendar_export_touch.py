"""The staff calendar export filled with a finger on a 375px phone in Chinese: the dates are
already there, kinds are ticked by tapping, and the .ics file downloads."""

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import sqlalchemy as sa

from eventsys import demo
from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Event
from tests.e2e.conftest import ACCEPT_LANGUAGE, SCREENSHOTS, TIMEOUT_MS, VIEWPORTS, Walker

SHANGHAI = ZoneInfo("Asia/Shanghai")
TICKED = ("lecture", "exhibition")
MIN_TARGET_PX = 24


def _phone(browser, base_url: str, axe_source: str) -> Walker:
    context = browser.new_context(
        viewport=VIEWPORTS["phone"],
        has_touch=True,
        is_mobile=True,
        locale="zh-CN",
        extra_http_headers={"Accept-Language": ACCEPT_LANGUAGE["zh_Hans"]},
        accept_downloads=True,
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(TIMEOUT_MS)
    return Walker(context.new_page(), base_url, "calendar-export", "zh_Hans", "phone", axe_source)


def _expected_uids(first_day, last_day) -> set[str]:
    starts = datetime.combine(first_day, time.min, SHANGHAI).astimezone(UTC)
    ends = datetime.combine(last_day + timedelta(days=1), time.min, SHANGHAI).astimezone(UTC)
    return set(
        db.session.scalars(
            sa.select(Event.uid).where(
                Event.kind.in_(TICKED),
                Event.status.in_(("published", "cancelled")),
                Event.ends_at > starts,
                Event.starts_at < ends,
            )
        )
    )


def test_staff_export_a_calendar_by_touch_on_a_phone(browser, axe_source, demo_site):
    walker = _phone(browser, demo_site, axe_source)
    page = walker.page
    try:
        walker.goto("/auth/login?next=/calendar/export")
        page.fill("input[name=email]", "staff@demo.eventsys")
        page.fill("input[name=password]", demo.DEMO_PASSWORD)
        with page.expect_navigation():
            page.locator("form button[type=submit]").last.tap()
        if "/calendar/export" not in page.url:
            walker.goto("/calendar/export")
        walker.seen()

        today = utcnow().astimezone(SHANGHAI).date()
        assert page.input_value("#first_day") == today.isoformat()
        assert page.input_value("#last_day") == (today + timedelta(days=90)).isoformat()
        assert page.get_attribute("#first_day", "type") == "date"

        for box in page.locator("input[type=checkbox], input[type=radio]").all():
            size = box.bounding_box()
            assert size["width"] >= MIN_TARGET_PX and size["height"] >= MIN_TARGET_PX, size
        for kind in TICKED:
            page.locator(f"label[for='{page.get_attribute(f'input[value={kind}]', 'id')}']").tap()
            assert page.is_checked(f"input[name=kind][value={kind}]")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "calendar-export-zh-375.png"), full_page=True)

        with page.expect_download() as download:
            page.locator("form.form button[type=submit]").tap()
        assert download.value.suggested_filename.endswith(".ics")
        body = Path(download.value.path()).read_bytes()
        uids = {str(e["UID"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}
        expected = _expected_uids(today, today + timedelta(days=90))
        assert expected, "the demo has lectures and exhibitions in the next three months"
        assert uids == expected
        walker.assert_accessible()
    finally:
        page.context.close()
