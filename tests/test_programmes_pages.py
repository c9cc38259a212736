"""The public catalogue: lists, filters, search, pagination, detail pages and the home page."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import event as sa_event

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Campaign, Event, ExhibitionDetails, Series
from eventsys.services import catalogue


def test_readers_see_no_drafts(client, make_event):
    make_event(title="公开讲座")
    draft = make_event(title="尚未发布的讲座", status="draft")
    for url in ("/lectures/", "/events/", "/"):
        page = client.get(url).text
        assert "尚未发布的讲座" not in page
    assert "公开讲座" in client.get("/lectures/").text
    assert client.get(f"/lectures/{draft.id}").status_code == 404


def test_staff_can_preview_a_draft(client_as, make_event):
    draft = make_event(title="草稿讲座", status="draft")
    response = client_as("staff").get(f"/lectures/{draft.id}")
    assert response.status_code == 200
    assert "草稿讲座" in response.text


def test_cancelled_event_is_listed_and_shows_its_reason(client, make_event):
    event = make_event(
        title="因故取消的讲座", status="cancelled", cancel_reason="主讲人因病无法到场"
    )
    listing = client.get("/lectures/").text
    assert "因故取消的讲座" in listing and "Cancelled" in listing
    detail = client.get(f"/lectures/{event.id}").text
    assert "This event is cancelled" in detail
    assert "主讲人因病无法到场" in detail


def test_detail_page_shows_time_place_speaker_and_seats(client, make_venue, make_event):
    venue = make_venue(name="学术报告厅", address="苏州市姑苏区人民路858号")
    start = utcnow().replace(microsecond=0, second=0) + timedelta(days=3)
    start = start.replace(hour=6, minute=30)  # 14:30 in Suzhou
    event = make_event(
        venue=venue,
        starts_at=start,
        capacity=100,
        seats_taken=40,
        speaker_name="王教授",
        speaker_title="苏州大学教授",
        speaker_bio="研究吴地文化。",
        online=True,
        online_url="https://live.example.org/1",
        audience="seniors",
    )
    text = client.get(f"/lectures/{event.id}").text
    assert "14:30" in text
    assert "人民路858号" in text and "学术报告厅" in text
    assert "王教授" in text and "苏州大学教授" in text and "研究吴地文化。" in text
    assert "https://live.example.org/1" in text
    assert "60 of 100 seats left" in text
    assert "Seniors" in text


def test_event_has_one_address_whatever_the_area(client, make_event):
    tour = make_event(kind="guided_tour", title="导览")
    response = client.get(f"/lectures/{tour.id}")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/events/{tour.id}")
    assert client.get(f"/events/{tour.id}").status_code == 200


def test_unknown_event_is_404(client):
    assert client.get("/events/999999").status_code == 404
    assert client.get("/lectures/series/no-such-series").status_code == 404


def test_filters_by_branch_audience_kind_and_dates(client, make_venue, make_event):
    second = make_venue(name="报告厅")
    other = make_venue(name="活动室")
    soon = utcnow() + timedelta(days=8)
    make_event(title="银龄讲座", venue=second, audience="seniors", starts_at=soon)
    make_event(title="少儿故事会", venue=other, audience="children", kind="reading", starts_at=soon)
    make_event(
        title="远期讲座", venue=second, audience="seniors", starts_at=soon + timedelta(days=60)
    )
    args = f"branch={second.branch_id}&audience=seniors"
    text = client.get(f"/events/?{args}").text
    assert "银龄讲座" in text and "少儿故事会" not in text
    text = client.get("/events/?kind=reading").text
    assert "少儿故事会" in text and "银龄讲座" not in text
    day = (soon + timedelta(hours=8)).date().isoformat()
    text = client.get(f"/events/?date_from={day}&date_to={day}").text
    assert "银龄讲座" in text and "远期讲座" not in text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from=2021-13-40", "YYYY-MM-DD"),
        ("date_from=2021-06-30&date_to=2021-06-01", "before its start"),
        ("q=" + "江" * 101, "at most 100 characters"),
        ("audience=martians", "audience"),
        ("branch=abc", "Choose from the list"),
    ],
)
def test_bad_filters_get_a_clear_message(client, make_event, query, message):
    make_event()
    response = client.get(f"/events/?{query}")
    assert response.status_code == 400
    assert message in response.text


def test_search_matches_title_speaker_and_description_case_insensitively(client, make_event):
    make_event(title="Garden Lecture", speaker_name="王教授")
    make_event(title="另一讲", description="关于 KunQu opera 的介绍")
    make_event(title="无关活动")
    assert "Garden Lecture" in client.get("/events/?q=garden").text
    text = client.get("/events/?q=王教授").text
    assert "Garden Lecture" in text and "无关活动" not in text
    assert "另一讲" in client.get("/events/?q=kunqu").text
    assert "No events match" in client.get("/events/?q=100%25_").text


def test_page_past_the_end_shows_the_last_page(client, make_venue, make_event):
    venue = make_venue()
    for n in range(25):
        make_event(
            title=f"讲座{n:02d}", venue=venue, starts_at=utcnow() + timedelta(days=1, hours=n)
        )
    response = client.get("/events/?page=999")
    assert response.status_code == 200
    assert "讲座24" in response.text and "Page 2 of 2" in response.text
    assert client.get("/events/?page=-3").status_code == 200
    assert client.get("/events/?page=abc").status_code == 200


def test_series_page_lists_its_sessions_past_and_future(client, make_event):
    series = Series(
        slug="jiangnan-2021-spring", title="江南文化大讲堂 · 2021 春季", brand="jiangnan"
    )
    db.session.add(series)
    db.session.commit()
    from datetime import UTC, datetime

    make_event(
        title="吴文化的源与流", series=series, starts_at=datetime(2021, 3, 6, 6, 30, tzinfo=UTC)
    )
    text = client.get("/lectures/series/jiangnan-2021-spring").text
    assert "江南文化大讲堂 · 2021 春季" in text and "吴文化的源与流" in text


def test_red_culture_page_shows_campaign_activities(client, make_event):
    campaign = Campaign(slug="party-centenary-2021", title="建党100周年红色文化活动", year=2021)
    db.session.add(campaign)
    db.session.commit()
    from datetime import UTC, datetime

    film = make_event(
        kind="film",
        title="红色电影展映",
        campaign=campaign,
        starts_at=datetime(2021, 6, 12, 6, tzinfo=UTC),
    )
    text = client.get("/red-culture/").text
    assert "建党100周年红色文化活动" in text and "2021" in text and "红色电影展映" in text
    assert client.get(f"/red-culture/{film.id}").status_code == 200


def test_exhibition_page_shows_hours_curator_and_tours(client, make_venue, make_event):
    gallery = make_venue(kind="gallery", name="一楼展厅")
    start = utcnow() - timedelta(days=5)
    exhibition = make_event(
        kind="exhibition",
        title="吴门画派特展",
        venue=gallery,
        capacity=None,
        starts_at=start,
        ends_at=start + timedelta(days=60),
    )
    db.session.add(
        ExhibitionDetails(event=exhibition, curator="李老师", opening_hours={"tue": "09:00-17:00"})
    )
    db.session.commit()
    make_event(kind="guided_tour", title="特展导览", parent=exhibition, venue=gallery)
    make_event(kind="guided_tour", title="草稿导览", parent=exhibition, status="draft")
    text = client.get(f"/exhibitions/{exhibition.id}").text
    assert "李老师" in text and "09:00-17:00" in text and "Tuesday" in text
    assert "特展导览" in text and "草稿导览" not in text
    listing = client.get("/exhibitions/").text
    assert "吴门画派特展" in listing and "Now on" in listing


def test_home_page_shows_whats_on(client, make_venue, make_event):
    series = Series(slug="jiangnan-2026", title="江南文化大讲堂", brand="jiangnan")
    db.session.add(series)
    db.session.commit()
    make_event(title="下周江南讲座", series=series, starts_at=utcnow() + timedelta(days=3))
    start = utcnow() - timedelta(days=1)
    make_event(
        kind="exhibition", title="正在展出", starts_at=start, ends_at=start + timedelta(days=30)
    )
    text = client.get("/").text
    assert "下周江南讲座" in text and "正在展出" in text


def test_detail_pages_include_partials_when_present(client, make_event):
    # The partials belong to other areas; the page works with or without them.
    event = make_event()
    assert client.get(f"/lectures/{event.id}").status_code == 200


def _count_statements(app, fn) -> int:
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", before)
    return len(statements)


def test_a_page_takes_the_same_number_of_statements_whatever_its_length(
    app, client, make_venue, make_event
):
    series = Series(slug="s", title="系列", brand="jiangnan")
    campaign = Campaign(slug="c", title="活动", year=2026)
    db.session.add_all([series, campaign])
    db.session.commit()
    venues = [make_venue() for _ in range(5)]
    for n in range(50):
        make_event(
            title=f"活动{n}",
            venue=venues[n % 5],
            series=series if n % 2 else None,
            campaign=campaign if n % 3 == 0 else None,
            starts_at=utcnow() + timedelta(days=1, hours=n),
        )
    db.session.expire_all()

    def page(size):
        def run():
            result = catalogue.search(catalogue.Filters(), per_page=size)
            assert len(result.items) == size
            for e in result.items:  # what the list template touches
                _ = (e.venue.branch.name, e.series and e.series.title, e.campaign)

        return run

    five = _count_statements(app, page(5))
    db.session.expire_all()
    fifty = _count_statements(app, page(50))
    assert five == fifty


def test_list_page_statements_do_not_grow_with_its_events(app, client, make_venue, make_event):
    def add(count):
        venues = [make_venue() for _ in range(count)]
        for n in range(count):
            make_event(venue=venues[n], starts_at=utcnow() + timedelta(days=1, hours=n))
        db.session.expire_all()

    def render():
        assert client.get("/events/").status_code == 200

    add(5)
    with_five = _count_statements(app, render)
    add(45)
    assert _count_statements(app, render) == with_five


def test_filtered_columns_are_indexed(app):
    indexed = {col.name for index in Event.__table__.indexes for col in index.columns}
    assert {
        "starts_at",
        "ends_at",
        "status",
        "kind",
        "audience",
        "venue_id",
        "series_id",
        "campaign_id",
    } <= indexed
    assert sa.inspect(db.engine).get_indexes("events")
