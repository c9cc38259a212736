"""The staff event screens: the list (upcoming first, past on its own tab, one filter
form) and the event form that asks only for what the chosen kind uses."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from test_api_support import auth

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Campaign, Event, Series
from eventsys.services.events import to_local


def _local(value) -> str:
    return to_local(value).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def form(make_venue) -> dict:
    venue = make_venue(capacity=100)
    start = utcnow().replace(second=0, microsecond=0) + timedelta(days=9)
    return {
        "kind": "lecture",
        "title": "昆曲六百年",
        "venue_id": str(venue.id),
        "starts_at": _local(start),
        "ends_at": _local(start + timedelta(hours=2)),
        "audience": "all",
        "capacity": "80",
        "max_party_size": "2",
        "speaker_name": "陈老师",
    }


def _names(html: str) -> set[str]:
    return set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([\w-]+)"', html))


def test_a_new_event_starts_by_choosing_its_kind(client_as):
    html = client_as("staff").get("/staff/events/new").text
    assert 'name="title"' not in html
    assert 'type="radio"' in html and 'value="exhibition"' in html


def test_a_lecture_form_has_no_exhibition_fields_and_an_exhibition_form_no_seats(client_as):
    staff = client_as("staff")
    lecture = _names(staff.get("/staff/events/new?kind=lecture").text)
    assert {"capacity", "max_party_size", "speaker_name", "title_en"} <= lecture
    assert not lecture & {"curator", "hours_mon", "parent_id"}
    exhibition = _names(staff.get("/staff/events/new?kind=exhibition").text)
    assert {"curator", "hours_mon", "title_en"} <= exhibition
    assert not exhibition & {"capacity", "max_party_size", "speaker_name", "parent_id"}
    tour = _names(staff.get("/staff/events/new?kind=guided_tour").text)
    assert "parent_id" in tour and "curator" not in tour


def test_the_form_is_grouped_in_sections(client_as):
    html = client_as("staff").get("/staff/events/new?kind=lecture").text
    legends = re.findall(r"<legend>([^<]+)</legend>", html)
    assert legends == ["What", "When", "Where", "Registration", "Speaker", "English version"]


def test_showing_another_kind_keeps_what_was_typed_and_saves_nothing(client_as, form):
    response = client_as("staff").post(
        "/staff/events/new", data={**form, "kind": "exhibition", "show_kind": "1"}
    )
    assert response.status_code == 200
    assert 'name="curator"' in response.text and 'name="capacity"' not in response.text
    assert 'value="昆曲六百年"' in response.text
    assert "There is a problem" not in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_fields_a_kind_does_not_use_are_saved_empty(client_as, form):
    data = {**form, "kind": "exhibition", "hours_mon": "09:00-17:00", "curator": "李老师"}
    assert client_as("staff").post("/staff/events/new", data=data).status_code == 302
    event = db.session.scalar(sa.select(Event))
    assert event.kind == "exhibition" and event.exhibition.curator == "李老师"
    assert event.capacity is None and event.speaker_name == "" and event.max_party_size == 1


def test_editing_a_film_keeps_the_guest_speaker_the_form_does_not_show(client_as, make_event, form):
    event = make_event(kind="film", speaker_name="导演 王女士", capacity=50)
    data = {
        **form,
        "kind": "film",
        "title": "《城南旧事》放映",
        "starts_at": _local(event.starts_at),
        "ends_at": _local(event.ends_at),
        "venue_id": str(event.venue_id),
    }
    data.pop("speaker_name")
    response = client_as("staff").post(f"/staff/events/{event.id}/edit", data=data)
    assert response.status_code == 302, response.text
    db.session.expire_all()
    edited = db.session.get(Event, event.id)
    assert edited.title == "《城南旧事》放映" and edited.speaker_name == "导演 王女士"


def test_bad_input_in_an_unused_field_is_ignored(client_as, form):
    data = {**form, "hours_mon": "whenever", "parent_id": "987654"}
    assert client_as("staff").post("/staff/events/new", data=data).status_code == 302
    assert db.session.scalar(sa.select(Event)).parent_id is None


def test_an_event_with_seats_taken_cannot_become_an_exhibition(client_as, make_event, form):
    event = make_event(capacity=10, seats_taken=2)
    data = {
        **form,
        "kind": "exhibition",
        "title": event.title,
        "starts_at": _local(event.starts_at),
        "ends_at": _local(event.ends_at),
        "venue_id": str(event.venue_id),
    }
    response = client_as("staff").post(f"/staff/events/{event.id}/edit", data=data)
    assert response.status_code == 400
    assert "Readers hold seats for this event" in response.text
    db.session.expire_all()
    assert db.session.get(Event, event.id).kind == "lecture"


def test_english_title_is_saved_and_shown_on_the_english_page(client_as, client, form):
    staff = client_as("staff")
    data = {**form, "title_en": "Six Centuries of Kunqu", "description_en": "On Kunqu opera."}
    response = staff.post("/staff/events/new", data=data)
    assert response.status_code == 302
    event = db.session.scalar(sa.select(Event))
    assert event.title_en == "Six Centuries of Kunqu"
    assert staff.post(f"/staff/events/{event.id}/publish").status_code == 302
    page = client.get(f"/lectures/{event.id}").text
    assert "Six Centuries of Kunqu" in page and "On Kunqu opera." in page
    client.post("/language", data={"locale": "zh_Hans"})
    page = client.get(f"/lectures/{event.id}").text
    assert "昆曲六百年" in page and "Six Centuries of Kunqu" not in page
    edit = staff.get(f"/staff/events/{event.id}/edit").text
    assert 'value="Six Centuries of Kunqu"' in edit


def test_series_and_campaign_keep_their_english_titles(client_as):
    staff = client_as("staff")
    series = {"slug": "kunqu", "title": "昆曲系列", "brand": "", "title_en": "Kunqu series"}
    assert staff.post("/staff/series/new", data=series).status_code == 302
    campaign = {"slug": "c", "title": "活动", "year": "2026", "title_en": "Reading month"}
    assert staff.post("/staff/campaigns/new", data=campaign).status_code == 302
    assert db.session.scalar(sa.select(Series.title_en)) == "Kunqu series"
    assert db.session.scalar(sa.select(Campaign.title_en)) == "Reading month"
    assert "Kunqu series" in staff.get("/staff/series").text


def test_a_new_session_of_a_series_starts_in_that_series(client_as, make_event):
    series = Series(slug="kunqu", title="昆曲系列")
    db.session.add(series)
    db.session.commit()
    event = make_event(series_id=series.id)
    staff = client_as("staff")
    edit = staff.get(f"/staff/events/{event.id}/edit").text
    link = f"/staff/events/new?kind=lecture&amp;series_id={series.id}"
    assert link in edit
    new = staff.get(link.replace("&amp;", "&")).text
    assert f'<option selected value="{series.id}">' in new


def test_the_list_shows_upcoming_events_soonest_first_and_past_ones_apart(client_as, make_event):
    now = utcnow().replace(microsecond=0)
    make_event(title="下月讲座", starts_at=now + timedelta(days=30))
    make_event(title="明日讲座", starts_at=now + timedelta(days=1))
    make_event(title="上月讲座", starts_at=now - timedelta(days=30))
    make_event(title="昨日讲座", starts_at=now - timedelta(days=1))
    staff = client_as("staff")
    upcoming = staff.get("/staff/events").text
    assert upcoming.index("明日讲座") < upcoming.index("下月讲座")
    assert "昨日讲座" not in upcoming and "上月讲座" not in upcoming
    past = staff.get("/staff/events?tab=past").text
    assert past.index("昨日讲座") < past.index("上月讲座")
    assert "明日讲座" not in past
    assert 'href="/staff/events?tab=past" aria-current="page"' in past


def test_one_filter_form_filters_by_kind_status_branch_and_text(client_as, make_event):
    make_event(title="草稿讲座", status="draft")
    make_event(title="展览", kind="exhibition", capacity=None)
    staff = client_as("staff")
    html = staff.get("/staff/events").text
    assert html.count('role="search"') == 1
    for name in ("q", "kind", "status", "branch"):
        assert f'name="{name}"' in html
    assert "展览" not in staff.get("/staff/events?kind=lecture").text
    assert "展览" not in staff.get("/staff/events?status=draft").text
    found = staff.get("/staff/events?q=草稿").text
    assert "草稿讲座" in found and "展览" not in found


def test_the_api_takes_and_gives_the_english_title(client, make_user, make_venue):
    headers = auth(client, make_user("staff"))
    body = {
        "kind": "lecture",
        "title": "园林",
        "title_en": "Gardens",
        "description_en": "Suzhou's classical gardens.",
        "venue_id": make_venue().id,
        "starts_at": "2031-05-01T19:00:00+08:00",
        "ends_at": "2031-05-01T21:00:00+08:00",
    }
    created = client.post("/api/v1/events", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["title_en"] == "Gardens"
    event_id = created.get_json()["id"]
    changed = client.patch(
        f"/api/v1/events/{event_id}", json={"title_en": "Classical gardens"}, headers=headers
    )
    assert changed.status_code == 200, changed.get_json()
    assert db.session.get(Event, event_id).title_en == "Classical gardens"


def test_the_edit_page_links_to_the_poster_page_once_it_exists(app, client_as, make_event):
    event = make_event()
    if "staff.event_poster" not in app.view_functions:
        app.add_url_rule(
            "/staff/events/<int:event_id>/poster",
            endpoint="staff.event_poster",
            view_func=lambda event_id: "",
        )
    html = client_as("staff").get(f"/staff/events/{event.id}/edit").text
    assert f'href="/staff/events/{event.id}/poster"' in html
