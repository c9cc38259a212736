"""Staff pages: create, publish, edit, duplicate, cancel, visitor counts, series, campaigns."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import (
    AuditEntry,
    Campaign,
    Event,
    ExhibitionDetails,
    OutboxMessage,
    Registration,
    Series,
    VisitorCount,
)
from eventsys.services.events import to_local


def _local(value) -> str:
    return to_local(value).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def form(make_venue):
    venue = make_venue(capacity=100)
    start = utcnow().replace(second=0, microsecond=0) + timedelta(days=9)
    return {
        "kind": "lecture",
        "title": "昆曲六百年",
        "description": "讲述昆曲的历史。",
        "venue_id": str(venue.id),
        "series_id": "0",
        "campaign_id": "0",
        "parent_id": "0",
        "starts_at": _local(start),
        "ends_at": _local(start + timedelta(hours=2)),
        "audience": "seniors",
        "capacity": "80",
        "max_party_size": "2",
        "waitlist_enabled": "y",
        "speaker_name": "陈老师",
        "speaker_title": "苏州市非遗保护中心研究员",
    }


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _audited(action: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
    )


def _edit_data(event: Event, form: dict) -> dict:
    """The edit form as posted for ``event`` unchanged."""
    return {
        **form,
        "title": event.title,
        "starts_at": _local(event.starts_at),
        "ends_at": _local(event.ends_at),
        "venue_id": str(event.venue_id),
        "capacity": str(event.capacity) if event.capacity is not None else "",
    }


def test_staff_create_publish_and_see_it_listed(client_as, client, form):
    staff = client_as("staff")
    response = staff.post("/staff/events/new", data=form)
    assert response.status_code == 302
    event = db.session.scalar(sa.select(Event))
    assert event.status == "draft" and event.title == "昆曲六百年"
    assert to_local(event.starts_at).strftime("%Y-%m-%dT%H:%M") == form["starts_at"]
    assert "昆曲六百年" not in client.get("/lectures/").text

    assert staff.post(f"/staff/events/{event.id}/publish").status_code == 302
    assert "昆曲六百年" in client.get("/lectures/").text
    assert "昆曲六百年" in staff.get("/staff/events").text


def test_staff_list_shows_every_status_and_filters(client_as, make_event):
    make_event(title="草稿", status="draft")
    make_event(title="已取消", status="cancelled", cancel_reason="x")
    staff = client_as("staff")
    text = staff.get("/staff/events").text
    assert "草稿" in text and "已取消" in text
    text = staff.get("/staff/events?status=draft").text
    assert "草稿" in text and "已取消" not in text
    assert staff.get("/staff/events?status=bogus").status_code == 400


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ends_at": "start"}, "must end after it starts"),
        ({"capacity": "-5"}, "cannot be negative"),
        ({"max_party_size": "0"}, "Between 1 and 50"),
        ({"venue_id": "987654"}, "venue does not exist"),
        ({"registration_closes_at": "after"}, "Registration must close before"),
        ({"starts_at": "not a date"}, 'id="starts_at-error"'),
        ({"title": ""}, "Give the event a title."),
        ({"capacity": "many"}, "Write the capacity as a whole number"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(client_as, form, change, message):
    data = dict(form)
    for key, value in change.items():
        if value == "start":
            value = form["starts_at"]
        elif value == "after":
            value = form["ends_at"]
        data[key] = value
    response = client_as("staff").post("/staff/events/new", data=data)
    assert response.status_code == 400
    assert message in response.text
    assert _count(Event) == 0
    assert _audited("event.create") == 0


def test_capacity_above_the_venue_needs_the_checkbox(client_as, form):
    staff = client_as("staff")
    response = staff.post("/staff/events/new", data={**form, "capacity": "150"})
    assert response.status_code == 400
    assert "Tick the confirmation" in response.text
    assert _count(Event) == 0
    response = staff.post(
        "/staff/events/new", data={**form, "capacity": "150", "confirm_capacity": "y"}
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Event)).capacity == 150


@pytest.mark.parametrize("role", ["reader", "volunteer"])
def test_readers_and_volunteers_get_403_on_staff_forms(client_as, make_event, form, role):
    event = make_event(status="draft")
    other = client_as(role)
    for url in (
        "/staff/events/new",
        f"/staff/events/{event.id}/edit",
        f"/staff/events/{event.id}/publish",
        f"/staff/events/{event.id}/cancel",
        f"/staff/events/{event.id}/duplicate",
        f"/staff/events/{event.id}/visitors",
        "/staff/series/new",
        "/staff/campaigns/new",
    ):
        assert other.post(url, data=form).status_code == 403, url
    assert other.get("/staff/events").status_code == 403
    assert db.session.get(Event, event.id).status == "draft"
    assert _count(Event) == 1


def test_anonymous_users_are_sent_to_login(client):
    response = client.get("/staff/events")
    assert response.status_code in (302, 401)


def test_edit_moves_the_time_raises_sequence_and_audits(client_as, make_event, form):
    event = make_event(title="旧标题")
    staff = client_as("staff")
    assert staff.get(f"/staff/events/{event.id}/edit").status_code == 200
    data = {
        **form,
        "title": "新标题",
        "starts_at": _local(event.starts_at + timedelta(hours=1)),
        "ends_at": _local(event.ends_at + timedelta(hours=1)),
        "venue_id": str(event.venue_id),
        "capacity": "50",
    }
    assert staff.post(f"/staff/events/{event.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert event.title == "新标题" and event.sequence == 1
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "event.update"))
    assert entry.before["title"] == "旧标题" and entry.after["title"] == "新标题"
    assert "starts_at" in entry.after
    assert entry.actor_id == staff.user.id


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ends_at": "start"}, "must end after it starts"),
        ({"title": ""}, "Give the event a title."),
        ({"capacity": "many"}, "Write the capacity as a whole number"),
        ({"capacity": "-5"}, "cannot be negative"),
        ({"capacity": "150"}, "Tick the confirmation"),
        ({"venue_id": "987654"}, "venue does not exist"),
    ],
)
def test_bad_edit_is_explained_and_changes_nothing(client_as, make_event, form, change, message):
    event = make_event(title="旧标题")
    before = (event.title, event.starts_at, event.ends_at, event.capacity, event.sequence)
    data = {**_edit_data(event, form), "title": "新标题"}
    for key, value in change.items():
        data[key] = data["starts_at"] if value == "start" else value
    response = client_as("staff").post(f"/staff/events/{event.id}/edit", data=data)
    assert response.status_code == 400
    assert message in response.text
    assert "<h1>旧标题</h1>" in response.text
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert (event.title, event.starts_at, event.ends_at, event.capacity, event.sequence) == before
    assert _audited("event.update") == 0


def test_edit_of_a_missing_event_is_404(client_as, form):
    staff = client_as("staff")
    assert staff.get("/staff/events/987654/edit").status_code == 404
    assert staff.post("/staff/events/987654/edit", data=form).status_code == 404


def test_new_event_form_starts_with_the_kind_asked_for(client_as):
    staff = client_as("staff")
    chosen = '<option selected value="exhibition">'
    assert chosen in staff.get("/staff/events/new?kind=exhibition").text
    response = staff.get("/staff/events/new?kind=bogus")
    assert response.status_code == 200 and chosen not in response.text


def test_new_exhibition_keeps_curator_and_hours(client_as, form):
    staff = client_as("staff")
    data = {
        **form,
        "kind": "exhibition",
        "capacity": "",
        "curator": "李老师",
        "hours_tue": "09:00-17:00",
    }
    response = staff.post("/staff/events/new", data=data)
    assert response.status_code == 302
    event = db.session.scalar(sa.select(Event))
    assert response.headers["Location"].endswith(f"/staff/events/{event.id}/edit")
    assert event.kind == "exhibition" and event.exhibition.curator == "李老师"
    assert event.exhibition.opening_hours["tue"] == "09:00-17:00"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "event.create"))
    assert entry.entity_id == event.id and entry.actor_id == staff.user.id
    assert "Draft saved." in staff.get(response.headers["Location"]).text


def test_exhibition_edit_refuses_hours_that_end_before_they_start(client_as, make_event, form):
    exhibition = make_event(kind="exhibition", capacity=None)
    db.session.add(
        ExhibitionDetails(event=exhibition, curator="李老师", opening_hours={"tue": "09:00-17:00"})
    )
    db.session.commit()
    staff = client_as("staff")
    url = f"/staff/events/{exhibition.id}/edit"
    data = {
        **_edit_data(exhibition, form),
        "kind": "exhibition",
        "curator": "王老师",
        "hours_tue": "17:00-09:00",
    }
    response = staff.post(url, data=data)
    assert response.status_code == 400
    assert 'id="hours_tue-error"' in response.text
    db.session.expire_all()
    details = db.session.get(Event, exhibition.id).exhibition
    assert details.curator == "李老师" and details.opening_hours["tue"] == "09:00-17:00"

    response = staff.post(url, data={**data, "hours_tue": "10:00-16:00"})
    assert response.status_code == 302
    assert "Changes saved." in staff.get(url).text
    db.session.expire_all()
    details = db.session.get(Event, exhibition.id).exhibition
    assert details.curator == "王老师" and details.opening_hours["tue"] == "10:00-16:00"


def test_cancel_with_reason_notifies_and_shows_publicly(client_as, client, make_event, make_user):
    event = make_event(title="将取消的讲座")
    reader = make_user()
    db.session.add(Registration(event=event, user=reader, status="confirmed", party_size=1))
    db.session.commit()
    staff = client_as("staff")
    response = staff.post(f"/staff/events/{event.id}/cancel", data={"reason": ""})
    assert response.status_code == 400
    assert db.session.get(Event, event.id).status == "published"
    response = staff.post(f"/staff/events/{event.id}/cancel", data={"reason": "场馆临时维修"})
    assert response.status_code == 302
    mail = db.session.scalar(sa.select(OutboxMessage))
    assert mail.to_address == reader.email and "场馆临时维修" in mail.body
    text = client.get(f"/lectures/{event.id}").text
    assert "This event is cancelled" in text and "场馆临时维修" in text


def test_duplicate_makes_a_new_draft(client_as, make_event):
    event = make_event(title="系列讲座")
    response = client_as("staff").post(f"/staff/events/{event.id}/duplicate")
    assert response.status_code == 302
    copy = db.session.scalar(sa.select(Event).where(Event.id != event.id))
    assert copy.status == "draft" and copy.title == "系列讲座"
    assert copy.starts_at == event.starts_at + timedelta(days=7)


def test_visitor_counts_entry(client_as, make_venue, make_event):
    start = utcnow() - timedelta(days=2)
    exhibition = make_event(
        kind="exhibition",
        capacity=None,
        starts_at=start,
        ends_at=start + timedelta(days=20),
    )
    db.session.add(ExhibitionDetails(event=exhibition, curator="", opening_hours={}))
    db.session.commit()
    staff = client_as("staff")
    day = to_local(utcnow()).date().isoformat()
    url = f"/staff/events/{exhibition.id}/visitors"
    assert staff.post(url, data={"day": day, "visitors": "-1"}).status_code == 400
    assert staff.post(url, data={"day": "2001-01-01", "visitors": "5"}).status_code == 400
    assert staff.post(url, data={"day": "yesterday", "visitors": "5"}).status_code == 400
    assert _count(VisitorCount) == 0
    assert staff.post(url, data={"day": day, "visitors": "321"}).status_code == 302
    assert "321" in staff.get(url).text
    lecture = make_event()
    assert staff.get(f"/staff/events/{lecture.id}/visitors").status_code == 404


def test_series_and_campaign_create_and_edit(client_as):
    staff = client_as("staff")
    data = {
        "slug": "jiangnan-2021-autumn",
        "title": "江南文化大讲堂 · 2021 秋季",
        "brand": "jiangnan",
    }
    assert staff.post("/staff/series/new", data=data).status_code == 302
    series = db.session.scalar(sa.select(Series))
    response = staff.post("/staff/series/new", data=data)
    assert response.status_code == 400 and "taken already" in response.text
    edited = {**data, "title": "江南文化大讲堂 · 秋季"}
    assert staff.post(f"/staff/series/{series.id}/edit", data=edited).status_code == 302
    db.session.expire_all()
    assert db.session.get(Series, series.id).title == "江南文化大讲堂 · 秋季"

    campaign = {"slug": "party-centenary-2021", "title": "建党100周年", "year": "2021"}
    assert staff.post("/staff/campaigns/new", data=campaign).status_code == 302
    bad = {**campaign, "slug": "other", "year": "21"}
    assert staff.post("/staff/campaigns/new", data=bad).status_code == 400
    assert _count(Campaign) == 1
    assert "建党100周年" in staff.get("/staff/series").text
