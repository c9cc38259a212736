"""The one form pattern: every error at once, a summary linking to each field, invalid
inputs marked for assistive technology, specific messages."""

import re
from datetime import timedelta

import pytest

from eventsys.db_types import utcnow
from eventsys.services.events import to_local


def _local(value) -> str:
    return to_local(value).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def lecture(make_venue) -> dict:
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
        "max_party_size": "1",
    }


def _summary_links(html: str) -> list[str]:
    summary = re.search(r'<div class="form-errors error-summary".*?</div>', html, re.S)
    assert summary, "no error summary"
    return re.findall(r'href="#([\w-]+)"', summary.group(0))


def _input(html: str, field_id: str) -> str:
    match = re.search(rf'<(?:input|select|textarea)[^>]*\bid="{field_id}"[^>]*>', html)
    assert match, field_id
    return match.group(0)


def test_missing_title_and_end_before_start_are_shown_together(client_as, lecture):
    data = {**lecture, "title": "", "ends_at": lecture["starts_at"]}
    response = client_as("staff").post("/staff/events/new", data=data)
    assert response.status_code == 400
    html = response.text
    assert "There is a problem" in html
    assert "Give the event a title." in html
    start_time = lecture["starts_at"][-5:]
    assert f"The event must end after it starts ({start_time})" in html
    assert _summary_links(html) == ["title", "ends_at"]
    for field_id in ("title", "ends_at"):
        tag = _input(html, field_id)
        assert 'aria-invalid="true"' in tag
        assert f"{field_id}-error" in tag  # aria-describedby names the message
        assert f'id="{field_id}-error"' in html
    assert "aria-invalid" not in _input(html, "starts_at")
    assert "<title>Error:" in html


def test_rules_of_the_service_join_the_form_errors_in_one_pass(client_as, lecture):
    data = {**lecture, "capacity": "many", "venue_id": "987654", "title": ""}
    html = client_as("staff").post("/staff/events/new", data=data).text
    assert set(_summary_links(html)) == {"title", "capacity", "venue_id"}
    assert "Write the capacity as a whole number" in html
    assert "This venue does not exist" in html


def test_the_summary_takes_the_focus_and_the_star_sits_in_the_label(client_as, lecture):
    html = client_as("staff").post("/staff/events/new", data={**lecture, "title": ""}).text
    assert re.search(r'class="form-errors error-summary" tabindex="-1" autofocus', html)
    assert re.search(
        r'<label for="title">Title <span class="required"[^>]*>\*</span></label>', html
    )


def test_required_fields_have_specific_messages(client_as):
    staff = client_as("staff")
    html = staff.post("/staff/series/new", data={"slug": "", "title": "", "brand": ""}).text
    assert "Give a short name for the address" in html
    assert "Give the series a title." in html
    assert "This field is required." not in html
    html = staff.post("/staff/campaigns/new", data={"slug": "x", "title": "t", "year": "soon"}).text
    assert "Write the year with four digits" in html
    assert "Not a valid integer value." not in html


def test_a_registration_for_one_person_asks_no_party_size(client_as, make_event, make_user):
    reader = make_user(email="reader@example.org")
    staff = client_as("staff")
    single = make_event(capacity=10, max_party_size=1)
    html = staff.get(f"/staff/events/{single.id}/registrations/add?reader={reader.email}").text
    assert reader.display_name in html
    assert "One person per registration for this event." in html
    assert 'type="number"' not in html and "1 to 1" not in html
    group = make_event(capacity=10, max_party_size=4)
    html = staff.get(f"/staff/events/{group.id}/registrations/add?reader={reader.email}").text
    assert "From 1 to 4 people, the reader included." in html


def test_a_venue_form_shows_a_missing_name_and_half_a_position_together(client_as, make_venue):
    branch_id = make_venue().branch_id
    data = {"branch_id": branch_id, "name": "", "kind": "gallery", "capacity": "50"}
    html = client_as("staff").post("/staff/venues/new", data={**data, "latitude": "31.3"}).text
    assert set(_summary_links(html)) == {"name", "latitude"}
    assert "Give the venue a name." in html
    assert "Give both latitude and longitude, or neither." in html
