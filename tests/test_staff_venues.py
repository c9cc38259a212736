"""Staff pages for branches and venues: listing, creating, editing, audit, bad input."""

import pytest
import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.models import AuditEntry, Branch, Venue


@pytest.fixture
def staff(client_as):
    return client_as("staff")


VENUE = {"name": "多功能厅", "name_en": "Function hall", "kind": "activity_room", "capacity": "80"}


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def test_branches_page_lists_each_branch_with_its_venues(staff, make_venue):
    hall = make_venue(name="一楼报告厅")
    gallery = make_venue(branch=hall.branch, name="展厅", kind="gallery")
    response = staff.get("/staff/branches")
    assert response.status_code == 200
    assert hall.branch.name in response.text
    assert "一楼报告厅" in response.text and "展厅" in response.text
    assert f"/staff/venues/{gallery.id}/edit" in response.text


def test_staff_desk_links_to_branches(staff):
    assert "/staff/branches" in staff.get("/staff/").text


def test_staff_creates_a_branch_and_the_audit_log_has_it(staff):
    response = staff.post(
        "/staff/branches/new",
        data={
            "code": "renmin-road",
            "name": "人民路馆",
            "name_en": "Renmin Road",
            "kind": "centre",
        },
    )
    assert response.status_code == 302
    branch = db.session.scalars(sa.select(Branch)).one()
    assert (branch.code, branch.kind) == ("renmin-road", "centre")
    (entry,) = _audit("branch.create")
    assert entry.actor_id == staff.user.id and entry.entity_id == branch.id
    assert entry.before is None and entry.after["name"] == "人民路馆"


def test_staff_edits_a_branch_and_the_audit_log_keeps_before_and_after(staff, make_venue):
    branch = make_venue().branch
    old_name = branch.name
    response = staff.post(
        f"/staff/branches/{branch.id}/edit",
        data={"code": branch.code, "name": "姑苏分馆", "kind": "branch", "address": "新地址"},
    )
    assert response.status_code == 302
    (entry,) = _audit("branch.update")
    assert entry.before["name"] == old_name and entry.after["name"] == "姑苏分馆"
    assert "code" not in entry.after


def test_duplicate_branch_code_is_a_form_error(staff, make_venue):
    taken = make_venue().branch.code
    response = staff.post(
        "/staff/branches/new", data={"code": taken, "name": "另一个", "kind": "branch"}
    )
    assert response.status_code == 200
    assert "Another branch uses this code already." in response.text
    assert db.session.scalar(sa.select(sa.func.count(Branch.id))) == 1
    assert _audit("branch.create") == []


@pytest.mark.parametrize(
    "data",
    [
        {"code": "x" * 41, "name": "n", "kind": "branch"},
        {"code": "ok", "name": "n" * 121, "kind": "branch"},
        {"code": "ok", "name": "n", "kind": "branch", "address": "a" * 256},
        {"code": "Not A Code!", "name": "n", "kind": "branch"},
        {"code": "ok", "name": "n", "kind": "castle"},
        {"code": "ok", "name": "   ", "kind": "branch"},
    ],
)
def test_bad_branch_input_is_a_form_error_and_saves_nothing(staff, data):
    response = staff.post("/staff/branches/new", data=data)
    assert response.status_code == 200
    assert 'class="error"' in response.text
    assert db.session.scalar(sa.select(sa.func.count(Branch.id))) == 0


def test_staff_creates_a_venue_in_a_branch_with_its_map_position(staff, make_venue):
    branch = make_venue().branch
    response = staff.post(
        "/staff/venues/new",
        data={**VENUE, "branch_id": branch.id, "latitude": "31.3", "longitude": "120.62"},
    )
    assert response.status_code == 302
    venue = db.session.scalar(sa.select(Venue).where(Venue.name == "多功能厅"))
    assert (venue.branch_id, venue.capacity, venue.latitude) == (branch.id, 80, 31.3)
    (entry,) = _audit("venue.create")
    assert entry.after["capacity"] == 80 and entry.entity_id == venue.id


def test_new_venue_form_preselects_the_branch_it_was_opened_from(staff, make_venue):
    branch = make_venue().branch
    page = staff.get(f"/staff/venues/new?branch_id={branch.id}").text
    assert f'<option selected value="{branch.id}">' in page


def test_new_venue_without_any_branch_sends_staff_to_create_one(staff):
    response = staff.get("/staff/venues/new")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/staff/branches/new")


def test_staff_edits_a_venue_and_the_audit_log_keeps_before_and_after(staff, make_venue):
    venue = make_venue(capacity=100)
    response = staff.post(
        f"/staff/venues/{venue.id}/edit",
        data={**VENUE, "name": venue.name, "branch_id": venue.branch_id, "capacity": "120"},
    )
    assert response.status_code == 302
    (entry,) = _audit("venue.update")
    assert entry.before["capacity"] == 100 and entry.after["capacity"] == 120


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"capacity": "-5"}, "Enter a number from 0 to 100000."),
        ({"capacity": "many"}, 'class="error"'),
        ({"branch_id": "9999"}, "Choose a branch from the list."),
        ({"branch_id": "abc"}, "Choose a branch from the list."),
        ({"name": "n" * 121}, 'class="error"'),
        ({"name_en": "n" * 121}, 'class="error"'),
        ({"address": "a" * 256}, 'class="error"'),
        ({"kind": "spaceship"}, 'class="error"'),
        ({"latitude": "91", "longitude": "120"}, "Latitude lies between -90 and 90."),
        ({"latitude": "31.3"}, "Give both latitude and longitude, or neither."),
    ],
)
def test_bad_venue_input_is_a_form_error_and_saves_nothing(staff, make_venue, changes, message):
    branch = make_venue().branch
    response = staff.post("/staff/venues/new", data={**VENUE, "branch_id": branch.id, **changes})
    assert response.status_code == 200
    assert message in response.text
    assert db.session.scalar(sa.select(sa.func.count(Venue.id))) == 1
    assert _audit("venue.create") == []


def test_duplicate_venue_name_in_one_branch_is_a_form_error(staff, make_venue):
    venue = make_venue(name="报告厅")
    response = staff.post(
        "/staff/venues/new", data={**VENUE, "name": "报告厅", "branch_id": venue.branch_id}
    )
    assert response.status_code == 200
    assert "This branch has a venue of that name already." in response.text


@pytest.mark.parametrize(
    "path", ["/staff/branches/9999/edit", "/staff/venues/9999/edit", "/staff/branches/x/edit"]
)
def test_unknown_ids_are_404(staff, path):
    assert staff.get(path).status_code == 404
    assert staff.post(path, data={}).status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/staff/", "/staff/branches", "/staff/branches/new", "/staff/venues/new"],
)
@pytest.mark.parametrize("role", ["reader", "volunteer"])
def test_readers_and_volunteers_get_403_on_staff_pages(client_as, role, path):
    client = client_as(role)
    assert client.get(path).status_code == 403
    assert client.post(path, data={"code": "x", "name": "x", "kind": "branch"}).status_code in (
        403,
        405,
    )


@pytest.mark.parametrize("path", ["/staff/", "/staff/branches", "/staff/venues/new"])
def test_anonymous_visitors_are_sent_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_admin_can_use_the_staff_pages(client_as):
    assert client_as("admin").get("/staff/branches").status_code == 200
