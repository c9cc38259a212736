"""Public calendar feeds: content, two independent parsers, RFC 5545 shape, caching, bad input."""

import re
from datetime import date, timedelta

import icalendar
import pytest
import vobject
from flask import render_template

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Branch, Campaign, ExhibitionDetails, Series
from eventsys.services import events as event_service
from eventsys.services import ical

LONG_CHINESE = "江南文化源远流长，园林、昆曲、评弹与书画共同构成了苏州的文化图景。" * 4
SHANGHAI = timedelta(hours=8)


@pytest.fixture
def app_config():
    # English, so the assertions hold once the Chinese catalogue exists.
    return {"BABEL_DEFAULT_LOCALE": "en"}


# --- helpers shared by the calendar tests ---------------------------------------------------


def parse_both(body: bytes) -> dict:
    """Events seen by icalendar and by vobject; both must agree on every field."""
    by_icalendar = {}
    for ve in icalendar.Calendar.from_ical(body).walk("VEVENT"):
        by_icalendar[str(ve["UID"])] = (
            ve.decoded("DTSTART"),
            ve.decoded("DTEND"),
            str(ve["SUMMARY"]),
            str(ve["STATUS"]),
            int(ve.get("SEQUENCE", 0)),
        )
    by_vobject = {}
    vcal = vobject.readOne(body.decode("utf-8"), validate=True)
    for ve in vcal.contents.get("vevent", []):
        by_vobject[ve.uid.value] = (
            ve.dtstart.value,
            ve.dtend.value,
            ve.summary.value,
            ve.status.value,
            int(ve.sequence.value),
        )
    assert by_icalendar == by_vobject
    return by_icalendar


def assert_valid_rfc5545(body: bytes) -> None:
    """RFC 5545 checks: content lines, folding, required properties, time zones, values."""
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in body.replace(b"\r\n", b""), "bare LF or CR"
    for line in body.split(b"\r\n")[:-1]:
        assert len(line) <= 75, line
        line.decode("utf-8")  # folding never splits a multi-octet character
    cal = icalendar.Calendar.from_ical(body)
    cal.validate()
    assert str(cal["VERSION"]) == "2.0" and cal.get("PRODID")
    defined = {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
    for component in cal.walk():
        assert not component.errors, component.errors
    for ve in cal.walk("VEVENT"):
        for required in ("UID", "DTSTAMP", "DTSTART"):
            assert required in ve
        assert str(ve["STATUS"]) in {"TENTATIVE", "CONFIRMED", "CANCELLED"}
        start, end = ve["DTSTART"], ve["DTEND"]
        assert type(start.dt) is type(end.dt), "DTSTART and DTEND of one value type"
        assert end.dt > start.dt
        for prop in (start, end):
            if "TZID" in prop.params:
                assert prop.params["TZID"] in defined
    vobject.readOne(body.decode("utf-8"), validate=True)


def feed(client, url: str, status: int = 200, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == status, response.data[:500]
    if status == 200:
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
        assert_valid_rfc5545(response.data)
    return response


@pytest.fixture
def programme(app, make_event, make_venue):
    """A small programme: a series lecture, an exhibition, an online talk, a cancelled and a
    draft event, and events outside the feed window."""
    now = utcnow().replace(microsecond=0)
    centre = Branch(
        code="second-library", name="苏州第二图书馆", kind="centre", address="苏州市相城区"
    )
    series = Series(
        slug="jiangnan-2021-spring", title="江南文化大讲堂 · 2021 春季", brand="jiangnan"
    )
    campaign = Campaign(slug="centenary-2021", title="建党百年", year=2021)
    db.session.add_all([centre, series, campaign])
    hall = make_venue(branch=centre, name="报告厅", latitude=31.43, longitude=120.64)
    events = {
        "lecture": make_event(
            title="江南园林与文人生活",
            description=LONG_CHINESE,
            series=series,
            venue=hall,
            audience="adults",
            speaker_name="王老师",
            starts_at=now + timedelta(days=3, hours=2),
        ),
        "children": make_event(kind="reading", title="绘本故事会", audience="children", venue=hall),
        "red": make_event(kind="film", title="红色电影展映", campaign=campaign),
        "online": make_event(
            kind="study_session",
            title="线上读书会",
            venue=None,
            online=True,
            online_url="https://meeting.example.org/abc",
        ),
        "exhibition": make_event(
            kind="exhibition",
            title="苏州园林图片展",
            capacity=None,
            starts_at=now - timedelta(days=10),
            ends_at=now + timedelta(days=20),
        ),
        "cancelled": make_event(title="已取消的讲座", status="cancelled", cancel_reason="讲者生病"),
        "draft": make_event(title="草稿活动", status="draft"),
        "long_past": make_event(title="很久以前", starts_at=now - timedelta(days=200)),
        "far_future": make_event(title="很久以后", starts_at=now + timedelta(days=400)),
    }
    events["exhibition"].exhibition = ExhibitionDetails(
        opening_hours={"mon": "", "tue": "09:00-17:00", "sun": "09:00-12:00"}
    )
    db.session.commit()
    return events


def in_feed(programme, parsed) -> set[str]:
    uids = {event.uid: name for name, event in programme.items()}
    return {uids[uid] for uid in parsed if uid in uids}


# --- content --------------------------------------------------------------------------------


def test_full_feed_agrees_with_database_in_two_parsers(client, programme):
    parsed = parse_both(feed(client, "/calendar/events.ics").data)

    assert in_feed(programme, parsed) == {
        "lecture",
        "children",
        "red",
        "online",
        "exhibition",
        "cancelled",
    }
    for name in ("lecture", "children", "red", "online", "cancelled"):
        event = programme[name]
        start, end, _summary, _status, sequence = parsed[event.uid]
        assert start == event.starts_at and end == event.ends_at  # same instants
        assert start.utcoffset() == SHANGHAI  # written in library time
        assert sequence == event.sequence


def test_event_properties_are_complete_and_chinese_text_intact(client, programme):
    body = feed(client, "/calendar/events.ics").data
    cal = icalendar.Calendar.from_ical(body)
    lecture = programme["lecture"]
    ve = next(v for v in cal.walk("VEVENT") if str(v["UID"]) == lecture.uid)

    assert str(ve["SUMMARY"]) == "江南园林与文人生活"
    assert LONG_CHINESE in str(ve["DESCRIPTION"])
    assert "王老师" in str(ve["DESCRIPTION"])
    assert str(ve["LOCATION"]) == "苏州第二图书馆 · 报告厅, 苏州市相城区"
    assert (ve["GEO"].latitude, ve["GEO"].longitude) == (31.43, 120.64)
    assert str(ve["URL"]).endswith(f"/lectures/{lecture.id}")
    assert str(ve["STATUS"]) == "CONFIRMED"
    assert ve.decoded("CREATED") == lecture.created_at.replace(microsecond=0)
    assert ve.decoded("LAST-MODIFIED") == lecture.updated_at.replace(microsecond=0)
    assert "DTSTAMP" in ve
    categories = [str(c) for c in ve["CATEGORIES"].cats]
    assert categories == ["Lecture", "江南文化大讲堂 · 2021 春季", "Adults"]
    assert ve["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]


def test_feed_has_name_description_and_refresh_hints(client, programme):
    cal = icalendar.Calendar.from_ical(
        feed(client, "/calendar/series/jiangnan-2021-spring.ics").data
    )

    assert str(cal["X-WR-CALNAME"]) == "Suzhou Library · 江南文化大讲堂 · 2021 春季"
    assert "X-WR-CALDESC" in cal
    assert cal["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert cal.decoded("REFRESH-INTERVAL") == timedelta(hours=1)
    assert str(cal["X-PUBLISHED-TTL"]) == "PT1H"


def test_lines_end_in_crlf_and_fold_within_75_octets_with_chinese(client, programme):
    body = feed(client, "/calendar/events.ics").data
    lines = body.split(b"\r\n")
    assert any(line.startswith(b" ") for line in lines), "the long Chinese text is folded"
    assert max(len(line) for line in lines) <= 75
    assert LONG_CHINESE in body.decode("utf-8").replace("\r\n ", "")


def test_exhibition_is_all_day_range_with_exclusive_end_and_opening_hours(client, programme):
    exhibition = programme["exhibition"]
    parsed = parse_both(feed(client, "/calendar/kind/exhibition.ics").data)
    zone_first = (exhibition.starts_at + SHANGHAI).date()
    zone_last = (exhibition.ends_at + SHANGHAI).date()

    start, end, *_ = parsed[exhibition.uid]
    assert (start, end) == (zone_first, zone_last + timedelta(days=1))
    assert type(start) is date
    cal = icalendar.Calendar.from_ical(feed(client, "/calendar/kind/exhibition.ics").data)
    description = str(next(iter(cal.walk("VEVENT")))["DESCRIPTION"])
    assert "Tue: 09:00-17:00" in description
    assert "Mon: closed" in description


def test_online_event_carries_its_link(client, programme):
    cal = icalendar.Calendar.from_ical(feed(client, "/calendar/kind/study_session.ics").data)
    ve = next(iter(cal.walk("VEVENT")))
    assert str(ve["LOCATION"]) == "https://meeting.example.org/abc"
    assert "https://meeting.example.org/abc" in str(ve["DESCRIPTION"])


def test_cancelled_event_stays_in_feed_marked_cancelled(client, programme):
    parsed = parse_both(feed(client, "/calendar/events.ics").data)
    _start, _end, summary, status, _seq = parsed[programme["cancelled"].uid]
    assert status == "CANCELLED"
    assert "已取消的讲座" in summary


def test_long_cancelled_event_leaves_the_feed(app, client, programme):
    cancelled = programme["cancelled"]
    cancelled.updated_at = utcnow() - timedelta(days=app.config["EVENTSYS_FEED_CANCELLED_DAYS"] + 1)
    db.session.commit()
    parsed = parse_both(feed(client, "/calendar/events.ics").data)
    assert cancelled.uid not in parsed


def test_moved_event_shows_new_time_and_higher_sequence(app, client, programme, make_user):
    lecture = programme["lecture"]
    before = parse_both(feed(client, "/calendar/events.ics").data)[lecture.uid]
    new_start = lecture.starts_at + timedelta(days=1, hours=3)
    staff = make_user("staff")
    event_service.update_event(
        lecture, staff, {"starts_at": new_start, "ends_at": new_start + timedelta(hours=2)}
    )
    db.session.commit()

    after = parse_both(feed(client, "/calendar/events.ics").data)[lecture.uid]
    assert after[0] == new_start and after[1] == new_start + timedelta(hours=2)
    assert after[4] > before[4]


def test_event_cancelled_by_staff_shows_as_cancelled_with_higher_sequence(
    client, programme, make_user
):
    lecture = programme["lecture"]
    before = parse_both(feed(client, "/calendar/events.ics").data)[lecture.uid]
    event_service.cancel(lecture, "场馆维修", make_user("staff"))
    db.session.commit()

    after = parse_both(feed(client, "/calendar/events.ics").data)[lecture.uid]
    assert after[3] == "CANCELLED" and after[4] > before[4]
    assert after[0] == before[0]


# --- named feeds and filters ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/calendar/kind/lecture.ics", {"lecture", "cancelled"}),
        ("/calendar/series/jiangnan-2021-spring.ics", {"lecture"}),
        ("/calendar/campaign/centenary-2021.ics", {"red"}),
        ("/calendar/branch/second-library.ics", {"lecture", "children"}),
        ("/calendar/branch/second-library.ics?audience=children", {"children"}),
        ("/calendar/events.ics?kind=reading,film", {"children", "red"}),
        ("/calendar/events.ics?series=jiangnan-2021-spring&audience=adults", {"lecture"}),
        ("/calendar/events.ics?branch=second-library&kind=lecture", {"lecture"}),
    ],
)
def test_named_feeds_and_filters_select_the_right_events(client, programme, url, expected):
    assert in_feed(programme, parse_both(feed(client, url).data)) == expected


def test_audience_feed_includes_events_for_everyone(client, programme):
    parsed = parse_both(feed(client, "/calendar/events.ics?audience=children").data)
    assert {"children", "red", "online"} <= in_feed(programme, parsed)
    assert "lecture" not in in_feed(programme, parsed)  # for adults


def test_feed_language_follows_lang_parameter(client, programme):
    english = icalendar.Calendar.from_ical(feed(client, "/calendar/kind/lecture.ics?lang=en").data)
    chinese = icalendar.Calendar.from_ical(feed(client, "/calendar/kind/lecture.ics").data)
    assert str(english["X-WR-CALNAME"]).startswith("Suzhou Library")
    assert chinese.get("X-WR-CALNAME")


def test_empty_feed_is_still_a_valid_calendar(client, app):
    body = feed(client, "/calendar/events.ics").data
    assert parse_both(body) == {}


def test_one_event_download_is_an_attachment(client, programme):
    lecture = programme["lecture"]
    response = feed(client, f"/calendar/event/{lecture.id}.ics")
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="event-{lecture.id}.ics"'
    )
    assert list(parse_both(response.data)) == [lecture.uid]


def test_draft_download_is_hidden_from_readers_but_not_staff(client, client_as, programme):
    draft = programme["draft"]
    feed(client, f"/calendar/event/{draft.id}.ics", status=404)
    staff = client_as("staff")
    parsed = parse_both(feed(staff, f"/calendar/event/{draft.id}.ics").data)
    assert parsed[draft.uid][3] == "TENTATIVE"


def test_event_links_partial_offers_add_to_calendar_and_series(app, programme):
    lecture = programme["lecture"]
    with app.test_request_context("/"):
        html = render_template("calendar/_event_links.html", event=lecture)
    assert f'href="/calendar/event/{lecture.id}.ics"' in html
    assert 'href="webcal://127.0.0.1:5000/calendar/series/jiangnan-2021-spring.ics"' in html


def test_index_lists_every_feed_with_webcal_and_https(client, programme):
    page = client.get("/calendar/")
    assert page.status_code == 200
    text = page.data.decode()
    for path in (
        "/calendar/events.ics",
        "/calendar/kind/exhibition.ics",
        "/calendar/series/jiangnan-2021-spring.ics",
        "/calendar/campaign/centenary-2021.ics",
        "/calendar/branch/second-library.ics",
    ):
        assert f'href="webcal://127.0.0.1:5000{path}"' in text
        assert f'value="http://127.0.0.1:5000{path}"' in text
    filtered = client.get("/calendar/?audience=children").data.decode()
    assert "/calendar/branch/second-library.ics?audience=children" in filtered


def test_calendar_urls_work_outside_a_request(app, programme):
    app.config["EVENTSYS_BASE_URL"] = "https://events.example.org"
    body = ical.to_bytes(ical.event_calendar([programme["lecture"]], name="报名确认"))
    assert b"URL:https://events.example.org/lectures/" in body
    assert_valid_rfc5545(body)


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/calendar/events.ics?series=no-such-series", 404, "no series"),
        ("/calendar/series/no-such-series.ics", 404, "no series"),
        ("/calendar/branch/nowhere.ics", 404, "no branch"),
        ("/calendar/campaign/nothing.ics", 404, "no campaign"),
        ("/calendar/kind/party.ics", 404, "no calendar"),
        ("/calendar/events.ics?kind=party", 400, "not a kind"),
        ("/calendar/events.ics?audience=aliens", 400, "not an audience"),
        ("/calendar/events.ics?series=%3Cscript%3E", 400, "not a valid series"),
        ("/calendar/events.ics?branch=a&branch=b", 400, "only one"),
        ("/calendar/events.ics?lang=xx", 400, "not a language"),
        ("/calendar/?audience=aliens", 400, "not an audience"),
        ("/calendar/event/999999.ics", 404, ""),
    ],
)
def test_bad_feed_requests_get_clear_answers(client, programme, url, status, message):
    response = client.get(url)
    assert response.status_code == status
    assert message.lower() in response.data.decode().lower()


# --- HTTP caching ---------------------------------------------------------------------------


def test_feed_answers_304_to_if_none_match_without_serialising(client, programme, monkeypatch):
    first = feed(client, "/calendar/events.ics")
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    assert "max-age=" in first.headers["Cache-Control"]
    assert first.headers["Content-Disposition"].startswith("inline")

    def no_building(*args, **kwargs):
        raise AssertionError("a 304 must not build the calendar")

    monkeypatch.setattr(ical, "feed_calendar", no_building)
    again = client.get("/calendar/events.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]


def test_feed_answers_304_to_if_modified_since(client, programme):
    first = feed(client, "/calendar/events.ics")
    again = client.get(
        "/calendar/events.ics", headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert again.status_code == 304


def test_changed_event_changes_etag(client, programme):
    first = feed(client, "/calendar/events.ics")
    programme["children"].title = "绘本故事会（改期）"
    programme["children"].updated_at = utcnow() + timedelta(seconds=2)
    db.session.commit()
    again = client.get("/calendar/events.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert again.headers["ETag"] != first.headers["ETag"]
    assert "绘本故事会（改期）" in again.data.decode("utf-8").replace("\r\n ", "")


def test_same_data_gives_same_bytes(client, programme):
    first = feed(client, "/calendar/events.ics").data
    assert feed(client, "/calendar/events.ics").data == first
    assert re.search(rb"DTSTAMP:\d{8}T\d{6}Z", first)
