"""The indicator dashboard as people read it: the year it opens on, numbers and units in
their language, each peer's year and source, our rank and gaps, and the peer figure form."""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.models import IndicatorValue
from eventsys.services import indicators
from eventsys.services.indicators import Comparison, standing


def _enter(app, *rows):
    """rows: (year, code, library, value[, source[, url]]), entered as an admin would."""
    with app.test_request_context():
        for year, code, library, value, *rest in rows:
            source = rest[0] if rest else "年报"
            url = rest[1] if len(rest) > 1 else ""
            indicators.set_value(year, code, library, value, source=source, source_url=url)
        db.session.commit()


def _text(html: str) -> str:
    body = html.split("<main", 1)[1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


# ---------------------------------------------------------------- the year it opens on


def test_dashboard_opens_on_the_last_year_with_figures(app, client_as):
    _enter(app, (2020, "visits", "suzhou", 500), (2021, "visits", "suzhou", 780))
    page = client_as("staff").get("/indicators/").text
    assert 'name="year" type="number" min="1900" max="2200" value="2021"' in page
    assert "Core indicators 2021" in page


def test_peer_figures_alone_do_not_move_the_default_year(app, client_as):
    _enter(app, (2021, "visits", "suzhou", 780), (2023, "visits", "shanghai", 1600))
    with app.test_request_context():
        assert indicators.latest_year_with_data(date(2026, 11, 28)) == 2021


def test_figures_of_future_years_are_not_the_default(app):
    _enter(app, (2021, "visits", "suzhou", 780), (2030, "visits", "suzhou", 900))
    with app.test_request_context():
        assert indicators.latest_year_with_data(date(2026, 11, 28)) == 2021


def test_without_any_figures_there_is_no_year_with_data(app, client_as):
    with app.test_request_context():
        assert indicators.latest_year_with_data() is None
    assert client_as("staff").get("/indicators/").status_code == 200


# ---------------------------------------------------------------- numbers and units


@pytest.fixture
def big_figures(app):
    _enter(
        app,
        (2021, "total_collection", "suzhou", 10_900_000),
        (2021, "total_collection", "shanghai", 58_000_000),
        (2021, "fiscal_appropriation", "suzhou", "23800.5"),
    )


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_numbers_have_thousands_separators(client_as, big_figures, locale):
    text = _text(client_as("staff", locale=locale).get("/indicators/?year=2021").text)
    assert "10,900,000" in text and "58,000,000" in text and "23,800.5" in text
    assert "10900000" not in text and "10900000.00" not in text


def test_english_pages_show_units_in_english(client_as, big_figures):
    text = _text(client_as("staff", locale="en").get("/indicators/?year=2021").text)
    assert "万元" not in text and "万" not in text
    assert "(10,000 yuan)" in text and "(items)" in text and "(10,000 visits)" in text


def test_chinese_pages_show_units_in_chinese(client_as, big_figures):
    text = _text(client_as("staff", locale="zh_Hans").get("/indicators/?year=2021").text)
    assert "（万元）" in text and "（册/件）" in text
    assert "10,000 yuan" not in text


def test_a_unit_typed_by_an_admin_is_shown_as_typed(app, client_as):
    with app.test_request_context():
        indicators.set_value(2021, "visits", "suzhou", 5, unit="thousand", source="x")
        db.session.commit()
    assert "(thousand)" in client_as("staff").get("/indicators/?year=2021").text


def test_chart_text_is_at_least_twelve_pixels(client_as, big_figures):
    page = client_as("staff").get("/indicators/?year=2021").text
    sizes = [int(s) for s in re.findall(r'<text[^>]*font-size="(\d+)"', page)]
    assert sizes and min(sizes) >= 12
    assert "viewBox" not in page  # a scaled drawing would shrink its text on a phone
    assert 'href="/static/indicators.css' in page


def test_chart_stylesheet_keeps_text_readable(app):
    css = (Path(app.static_folder) / "indicators.css").read_text(encoding="utf-8")
    sizes = [int(s) for s in re.findall(r"font-size:\s*(\d+)px", css)]
    assert sizes and min(sizes) >= 12


# ---------------------------------------------------------------- rank and gap


def _peer(library: str, value) -> Comparison:
    value = None if value is None else Decimal(value)
    return Comparison(library, library.title(), value, None, None)


def test_rank_and_gaps_on_a_small_set():
    peers = [_peer("a", 50), _peer("b", 120), _peer("c", 300), _peer("d", None)]
    result = standing(Decimal(100), peers)
    assert (result.rank, result.of) == (2 + 1, 4)  # b and c above; d has no figure
    assert result.next_up.library == "b" and result.gap_to_next == 20
    assert result.best.library == "c" and result.gap_to_best == 200


def test_first_place_has_no_gap():
    result = standing(Decimal(500), [_peer("a", 50), _peer("b", 500)])
    assert (result.rank, result.of) == (1, 3)
    assert result.next_up is None and result.gap_to_best is None


def test_no_own_figure_means_no_rank():
    assert standing(None, [_peer("a", 50)]) is None


def test_dashboard_shows_rank_and_gaps(app, client_as):
    _enter(
        app,
        (2021, "visits", "suzhou", 780),
        (2021, "visits", "hangzhou", 760),
        (2021, "visits", "shenzhen", 880),
        (2021, "visits", "shanghai", 1600),
    )
    text = _text(client_as("staff").get("/indicators/?year=2021").text)
    assert "No. 3 of 4" in text
    assert "100 behind Shenzhen Library, the next one up" in text
    assert "820 behind the best, Shanghai Library" in text


# ---------------------------------------------------------------- peers: year and source


def test_each_peer_figure_shows_its_year_and_linked_source(app, client_as):
    _enter(
        app,
        (2021, "visits", "suzhou", 780),
        (2021, "visits", "shanghai", 1600, "上海图书馆年报", "https://example.org/report-2021"),
        (2020, "visits", "hangzhou", 700, "杭州统计年鉴"),
    )
    page = client_as("staff").get("/indicators/?year=2021").text
    assert (
        '<a href="https://example.org/report-2021" rel="noopener noreferrer">上海图书馆年报</a>'
        in page
    )
    text = _text(page)
    assert "2021 figure 上海图书馆年报" in text
    assert "2020 figure 杭州统计年鉴" in text  # the latest the peer has published


def test_peer_figures_older_than_two_years_are_not_used(app):
    _enter(app, (2018, "visits", "hangzhou", 700))
    with app.test_request_context():
        row = next(r for r in indicators.dashboard(2021) if r.code == "visits")
    assert next(p for p in row.peers if p.library == "hangzhou").value is None


def test_demo_peer_figures_are_marked_as_samples(app, client_as):
    from eventsys.demo import indicators as demo_indicators

    with app.test_request_context():
        demo_indicators.load()
        db.session.commit()
    english = _text(client_as("staff", locale="en").get("/indicators/?year=2021").text)
    assert english.count("sample figure") >= 8 * 4  # every peer figure of every indicator
    assert "示例数据" not in english
    chinese = _text(client_as("staff", locale="zh_Hans").get("/indicators/?year=2021").text)
    assert chinese.count("示例数据") >= 8 * 4


# ---------------------------------------------------------------- the peer figure form

PEER = {
    "year": "2021",
    "code": "visits",
    "library": "shanghai",
    "value": "1,600",
    "unit": "",
    "source": "上海图书馆2021年报",
    "source_url": "https://example.org/annual-2021",
}


def test_admin_enters_a_published_peer_figure(client_as):
    admin = client_as("admin")
    assert admin.post("/indicators/values", data=PEER).status_code == 302
    row = db.session.scalar(sa.select(IndicatorValue))
    assert (row.year, row.library, row.value) == (2021, "shanghai", Decimal("1600.00"))
    assert (row.source, row.source_url, row.is_sample) == (
        "上海图书馆2021年报",
        "https://example.org/annual-2021",
        False,
    )
    listing = admin.get("/indicators/values?year=2021").text
    assert 'href="https://example.org/annual-2021"' in listing


@pytest.mark.parametrize(
    "change, message",
    [
        ({"source_url": "javascript:alert(1)"}, "must be a web address starting with http://"),
        ({"source_url": "ftp://example.org/x"}, "must be a web address starting with http://"),
        ({"source_url": "example.org/report"}, "must be a web address starting with http://"),
        ({"source": ""}, "Name the source, such as the library’s annual report."),
        ({"value": ""}, "Enter a number, such as 1234.5."),
        ({"value": "lots"}, "Enter a number, such as 1234.5."),
        ({"value": "-5"}, "An indicator value cannot be negative."),
        ({"year": "1800"}, "Enter a year between 1900 and 2200."),
    ],
)
def test_peer_form_refusals_are_clear_and_keep_what_was_typed(client_as, change, message):
    response = client_as("admin").post("/indicators/values", data=PEER | change)
    assert response.status_code == 400
    assert message in response.text
    assert 'value="上海图书馆2021年报"' in response.text or change.get("source") == ""
    assert db.session.scalar(sa.select(sa.func.count(IndicatorValue.id))) == 0


def test_service_refuses_a_link_that_is_not_a_web_address(app):
    with app.test_request_context(), pytest.raises(indicators.SourceLinkError):
        indicators.set_value(2021, "visits", "shanghai", 1, source="x", source_url="file:///etc")
