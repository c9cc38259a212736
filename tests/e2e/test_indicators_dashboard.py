"""The indicator dashboard on the demo data in a real browser, in English on a desktop and
in Chinese on a phone: it opens on 2021, figures carry thousands separators and units in
the page's language, chart text stays readable. Screenshots go to
test-artifacts/screenshots/."""

import pytest

from tests.e2e.conftest import SCREENSHOTS


@pytest.fixture
def app_config():
    return {"DEMO_YEAR_SCALE": 1.0}  # the whole demo year, as a library would see it


@pytest.mark.parametrize(
    "lang, width, shot",
    [
        ("en", "desktop", "indicators-dashboard-en-1280.png"),
        ("zh_Hans", "phone", "indicators-dashboard-zh-375.png"),
    ],
)
def test_dashboard_on_the_demo_year(open_walker, lang, width, shot):
    staff = open_walker("indicators", lang, width)
    staff.goto("/")
    staff.choose_language()
    staff.log_in("staff@demo.eventsys")
    staff.goto("/indicators/")
    assert staff.page.input_value("input[name=year]") == "2021"
    text = staff.page.inner_text("main")
    assert "10,900,000" in text  # Suzhou's collection, with separators
    sessions = staff.page.inner_text("table.indicators tbody tr:nth-child(6) td:nth-of-type(1)")
    assert int(sessions.replace(",", "")) >= 1000, sessions  # reader activities of 2021
    if lang == "en":
        assert "万" not in text and "(10,000 yuan)" in text and "sample figure" in text
    else:
        assert "（万元）" in text and "示例数据" in text
    smallest = staff.page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('.indicator-chart text')]
              .map(t => parseFloat(getComputedStyle(t).fontSize)
                        * (t.ownerSVGElement.getScreenCTM()?.a || 1)))"""
    )
    assert smallest >= 12
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    staff.page.screenshot(path=str(SCREENSHOTS / shot), full_page=True)
    staff.assert_accessible()
