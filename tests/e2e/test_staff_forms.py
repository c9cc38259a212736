"""The staff event form in a real browser: a submission with two mistakes shows both at
once, the focus lands on the summary of errors, and every bad input is marked for eyes
(a red border) and for screen readers (aria-invalid)."""

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from eventsys.db_types import utcnow
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(
    bool(PG_URL),
    reason="the refused form is shown by the browser and saves nothing, the same on either"
    " database: it is checked on SQLite only",
)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
BORDER = "el => getComputedStyle(el).borderTopColor + ' ' + getComputedStyle(el).borderTopWidth"

RUNS = [
    pytest.param("en", "desktop", "en-1280", id="en-desktop"),
    pytest.param("zh_Hans", "phone", "zh-375", id="zh_Hans-phone"),
]


def _border(page, selector: str) -> str:
    return page.eval_on_selector(selector, BORDER)


@pytest.mark.parametrize(("lang", "width", "shot"), RUNS)
def test_two_mistakes_are_shown_at_once_and_the_summary_takes_the_focus(
    open_walker, lang, width, shot
):
    staff = open_walker("staff-forms", lang, width)
    page = staff.page
    staff.goto("/")
    staff.log_in("staff@demo.eventsys")
    staff.goto("/staff/events/new")
    page.check("#kind-lecture")
    page.click("main form button[type=submit]")
    staff.seen()

    starts = (utcnow() + timedelta(days=10)).astimezone(ZoneInfo("Asia/Shanghai"))
    starts = starts.replace(hour=14, minute=0, second=0, microsecond=0)
    page.fill("#starts_at", starts.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#ends_at", (starts - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#venue_id", index=1)
    page.click("form.form > button[type=submit]")
    page.wait_for_selector(".error-summary")
    assert staff.bad_pages == [f"400 {page.url}"]  # refused with 400, the form shown again
    staff.bad_pages.clear()
    staff.seen()

    links = page.locator(".error-summary a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        "#title",
        "#ends_at",
    ]
    assert "14:00" in page.inner_text("#ends_at-error")
    assert page.evaluate("() => document.activeElement.classList.contains('error-summary')")
    for selector in ("#title", "#ends_at"):
        assert page.get_attribute(selector, "aria-invalid") == "true"
        assert _border(page, selector) != _border(page, "#starts_at")
    assert page.get_attribute("#starts_at", "aria-invalid") is None

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"staff-event-form-errors-{shot}.png"), full_page=False)

    page.click(".error-summary a[href='#ends_at']")
    assert page.evaluate("() => document.activeElement.id") == "ends_at"
    staff.assert_accessible()
