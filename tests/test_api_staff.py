"""Role checks, staff event and shift management, volunteers and indicators through the API."""

from datetime import timedelta

import pytest
from test_api_support import assert_problem, auth

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import AuditEntry, Event, Registration, ShiftSignup, VolunteerRole


@pytest.fixture
def staff_headers(client, make_user):
    return auth(client, make_user("staff"))


@pytest.fixture
def make_shift(app, make_venue):
    def make(starts_in=timedelta(days=3), slots=2):
        from eventsys.models import Shift

        role = VolunteerRole(name=f"阅读指导 {utcnow().timestamp()}", name_en="Reading guide")
        db.session.add(role)
        start = utcnow().replace(microsecond=0) + starts_in
        shift = Shift(
            role=role,
            venue=make_venue(),
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            slots=slots,
        )
        db.session.add(shift)
        db.session.commit()
        return shift

    return make


STAFF_ONLY = [
    ("post", "/api/v1/events", {}),
    ("patch", "/api/v1/events/{event}", {}),
    ("get", "/api/v1/events/{event}/registrations", None),
    ("post", "/api/v1/shifts", {}),
    ("get", "/api/v1/indicators/reader-activities?year=2021", None),
]


@pytest.mark.parametrize("method, path, body", STAFF_ONLY)
@pytest.mark.parametrize("role", ["reader", "volunteer"])
def test_staff_operations_are_forbidden_to_other_tokens(
    client, make_user, make_event, method, path, body, role
):
    headers = auth(client, make_user(role))
    url = path.format(event=make_event().id)
    response = getattr(client, method)(url, headers=headers, json=body)
    assert_problem(response, 403, "forbidden")


@pytest.mark.parametrize("method, path, body", STAFF_ONLY)
def test_staff_operations_need_a_token(client, make_event, method, path, body):
    url = path.format(event=make_event().id)
    assert_problem(getattr(client, method)(url, json=body), 401, "unauthorized")


def test_staff_creates_and_publishes_an_event_with_offset_times(client, make_venue, staff_headers):
    venue = make_venue(capacity=100)
    response = client.post(
        "/api/v1/events",
        json={
            "kind": "lecture",
            "title": "江南文化大讲堂：园林",
            "venue_id": venue.id,
            "starts_at": "2031-05-01T19:00:00+08:00",
            "ends_at": "2031-05-01T21:00:00+08:00",
            "capacity": 80,
            "max_party_size": 2,
            "audience": "adults",
            "registration_closes_at": "2031-05-01T12:00:00+08:00",
            "status": "published",
        },
        headers=staff_headers,
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "published" and body["seats_left"] == 80
    assert body["starts_at"] == "2031-05-01T11:00:00+00:00"
    assert (
        db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "event.create"))
        is not None
    )


def test_capacity_above_the_venue_needs_confirmation(client, make_venue, staff_headers):
    venue = make_venue(capacity=10)
    body = {
        "kind": "lecture",
        "title": "大型讲座",
        "venue_id": venue.id,
        "capacity": 50,
        "starts_at": "2031-05-01T19:00:00+08:00",
        "ends_at": "2031-05-01T21:00:00+08:00",
    }
    problem = assert_problem(
        client.post("/api/v1/events", json=body, headers=staff_headers), 422, "validation"
    )
    assert problem["code"] == "capacity_needs_confirmation"
    body["confirm_capacity"] = True
    assert client.post("/api/v1/events", json=body, headers=staff_headers).status_code == 201


def test_raising_capacity_promotes_the_waitlist(client, make_user, make_event, staff_headers):
    event = make_event(capacity=1)
    url = f"/api/v1/events/{event.id}/registrations"
    client.post(url, json={}, headers=auth(client, make_user()))
    waiting = client.post(url, json={}, headers=auth(client, make_user())).get_json()
    assert waiting["status"] == "waitlisted"

    response = client.patch(
        f"/api/v1/events/{event.id}", json={"capacity": 2}, headers=staff_headers
    )
    assert response.status_code == 200 and response.get_json()["waitlist_length"] == 0
    assert db.session.get(Registration, waiting["id"]).status == "confirmed"

    response = client.patch(
        f"/api/v1/events/{event.id}", json={"capacity": 1}, headers=staff_headers
    )
    assert "capacity" in assert_problem(response, 422, "validation")["errors"]
    assert db.session.get(Event, event.id).capacity == 2

    listing = client.get(url, headers=staff_headers).get_json()["items"]
    assert [r["reader"]["email"] for r in listing]


def test_cancel_needs_a_reason_and_tells_readers(client, make_user, make_event, staff_headers):
    event = make_event()
    client.post(
        f"/api/v1/events/{event.id}/registrations", json={}, headers=auth(client, make_user())
    )
    url = f"/api/v1/events/{event.id}"
    problem = assert_problem(
        client.patch(url, json={"status": "cancelled"}, headers=staff_headers), 422, "validation"
    )
    assert "reason" in problem["errors"]
    response = client.patch(
        url, json={"status": "cancelled", "cancel_reason": "场馆维修"}, headers=staff_headers
    )
    assert response.get_json()["status"] == "cancelled"
    assert response.get_json()["cancel_reason"] == "场馆维修"


def test_failed_patch_changes_nothing(client, make_event, staff_headers):
    event = make_event(status="draft", title="原标题")
    response = client.patch(
        f"/api/v1/events/{event.id}",
        json={"title": "新标题", "status": "cancelled", "cancel_reason": "x"},
        headers=staff_headers,
    )
    assert_problem(response, 422, "validation")
    db.session.expire_all()
    assert db.session.get(Event, event.id).title == "原标题"


def test_staff_sees_drafts_readers_do_not(client, make_event, staff_headers):
    draft = make_event(status="draft", title="内部草稿")
    assert client.get(f"/api/v1/events/{draft.id}", headers=staff_headers).status_code == 200
    staff_list = client.get("/api/v1/events?status=draft", headers=staff_headers).get_json()
    assert [e["title"] for e in staff_list["items"]] == ["内部草稿"]
    assert client.get("/api/v1/events?status=draft").get_json()["items"] == []


def test_volunteer_signs_up_withdraws_and_clash_is_named(client, make_user, make_shift):
    headers = auth(client, make_user("volunteer"))
    shift = make_shift()
    listed = client.get("/api/v1/shifts", headers=headers).get_json()["items"]
    assert [s["id"] for s in listed] == [shift.id] and listed[0]["slots_free"] == 2

    signup = client.post(f"/api/v1/shifts/{shift.id}/signups", headers=headers)
    assert signup.status_code == 201
    assert_problem(
        client.post(f"/api/v1/shifts/{shift.id}/signups", headers=headers), 409, "duplicate"
    )

    response = client.delete(f"/api/v1/signups/{signup.get_json()['id']}", headers=headers)
    assert response.status_code == 200 and response.get_json()["status"] == "withdrawn"
    assert db.session.get(ShiftSignup, signup.get_json()["id"]).status == "withdrawn"


def test_overlapping_shift_is_a_clash_and_readers_are_forbidden(
    client, make_user, make_shift, staff_headers
):
    first = make_shift()
    overlapping = client.post(
        "/api/v1/shifts",
        json={
            "role_id": first.role_id,
            "venue_id": first.venue_id,
            "slots": 3,
            "starts_at": (first.starts_at + timedelta(hours=1)).isoformat(),
            "ends_at": (first.ends_at + timedelta(hours=1)).isoformat(),
        },
        headers=staff_headers,
    )
    assert overlapping.status_code == 201, overlapping.get_json()
    volunteer = auth(client, make_user("volunteer"))
    client.post(f"/api/v1/shifts/{first.id}/signups", headers=volunteer)
    response = client.post(
        f"/api/v1/shifts/{overlapping.get_json()['id']}/signups", headers=volunteer
    )
    assert_problem(response, 409, "clash")
    reader = auth(client, make_user())
    assert_problem(
        client.post(f"/api/v1/shifts/{first.id}/signups", headers=reader), 403, "forbidden"
    )


def test_indicators_count_reader_activities_for_staff(client, make_event, staff_headers):
    start = utcnow().replace(microsecond=0) - timedelta(days=2)
    make_event(starts_at=start, ends_at=start + timedelta(hours=2))
    year = start.year
    body = client.get(
        f"/api/v1/indicators/reader-activities?year={year}&by=kind", headers=staff_headers
    ).get_json()
    assert body["sessions"] >= 1
    assert sum(row["sessions"] for row in body["rows"]) == body["sessions"]
    months = client.get(
        f"/api/v1/indicators/reader-activities?year={year}&by=month", headers=staff_headers
    ).get_json()
    assert len(months["rows"]) == 12


def test_venues_are_listed_with_their_branch(client, make_venue):
    venue = make_venue(name="古籍阅览室")
    items = client.get("/api/v1/venues").get_json()["items"]
    assert items[0]["name"] == "古籍阅览室" and items[0]["branch"]["id"] == venue.branch_id
