"""Reader and staff pages of registrations, as a person in a browser uses them."""

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Event, Registration, User
from eventsys.services import registrations as reg


@pytest.fixture
def app_config():
    return {"BABEL_DEFAULT_LOCALE": "en"}


def _register(client, event, **data):
    return client.post(
        f"/events/{event.id}/register", data={"party_size": "1", **data}, follow_redirects=False
    )


def _registrations(event):
    return db.session.scalars(
        sa.select(Registration).where(Registration.event_id == event.id).order_by(Registration.id)
    ).all()


def test_reader_registers_and_sees_a_qr_code(client_as, make_event):
    event = make_event(max_party_size=3)
    client = client_as()
    response = _register(client, event, party_size="2", needs=["hearing_loop"])
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<svg" in text and "Confirmed" in text
    (registration,) = _registrations(event)
    assert registration.shown_checkin_code in text
    assert registration.party_size == 2 and registration.needs_list == ["hearing_loop"]


def test_register_box_shows_seats_form_and_own_registration(client_as, make_event):
    event = make_event(capacity=5)
    client = client_as()
    page = client.get(f"/events/{event.id}/register").get_data(as_text=True)
    assert "5 of 5 seats left" in page and "wheelchair" in page.lower()
    _register(client, event)
    page = client.get(f"/events/{event.id}/register").get_data(as_text=True)
    assert "You are registered" in page and "Cancel my registration" in page


def test_register_box_on_the_event_page(client_as, make_event, app):
    event = make_event(capacity=5)
    page = client_as().get(f"/lectures/{event.id}")
    assert page.status_code == 200
    assert "5 of 5 seats left" in page.get_data(as_text=True)


def test_full_event_offers_the_waitlist_and_shows_position(client_as, make_event):
    event = make_event(capacity=1)
    _register(client_as(), event)
    client = client_as()
    page = client.get(f"/events/{event.id}/register").get_data(as_text=True)
    assert "Join the waiting list" in page
    response = _register(client, event)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "number 1 on the waiting list" in page and "<svg" not in page
    mine = client.get("/my/registrations").get_data(as_text=True)
    assert "number 1" in mine


@pytest.mark.parametrize("size", ["0", "9", "", "abc"])
def test_bad_party_size_is_refused_with_a_message(client_as, make_event, size):
    event = make_event(max_party_size=4)
    response = _register(client_as(), event, party_size=size)
    assert response.status_code == 400
    assert _registrations(event) == []


def test_second_registration_shows_the_first(client_as, make_event):
    event = make_event()
    client = client_as()
    _register(client, event)
    response = _register(client, event)
    assert response.status_code == 302
    assert len(_registrations(event)) == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "registered for this event already" in page


def test_anonymous_register_goes_to_login(client, make_event):
    event = make_event()
    response = _register(client, event)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_draft_event_is_not_found_for_readers(client_as, make_event):
    event = make_event(status="draft")
    assert client_as().get(f"/events/{event.id}/register").status_code == 404


def test_reasons_are_shown_instead_of_the_form(client_as, make_event):
    event = make_event(registration_closes_at=utcnow() - timedelta(hours=1))
    page = client_as().get(f"/events/{event.id}/register").get_data(as_text=True)
    assert "Registration closed on" in page and 'name="party_size"' not in page


def test_suspended_reader_sees_why_and_until_when(client_as, make_event):
    until = utcnow() + timedelta(days=20)
    client = client_as(suspended_until=until)
    event = make_event()
    page = client.get(f"/events/{event.id}/register").get_data(as_text=True)
    assert "suspended until" in page and reg.local_text(until) in page
    response = _register(client, event)
    assert response.status_code == 400 and _registrations(event) == []
    assert "suspended until" in client.get("/my/registrations").get_data(as_text=True)


def test_reader_cancels_and_the_waitlist_moves(client_as, make_event):
    event = make_event(capacity=1)
    first, second = client_as(), client_as()
    _register(first, event)
    _register(second, event)
    mine = _registrations(event)[0]
    response = first.post(f"/registrations/{mine.id}/cancel")
    assert response.status_code == 302
    assert [r.status for r in _registrations(event)] == ["cancelled", "confirmed"]


def test_someone_elses_registration_is_not_found(client_as, make_event):
    event = make_event()
    owner, other = client_as(), client_as()
    _register(owner, event)
    (registration,) = _registrations(event)
    assert other.get(f"/registrations/{registration.id}").status_code == 404
    assert other.post(f"/registrations/{registration.id}/cancel").status_code == 404
    assert other.post("/registrations/999999/cancel").status_code == 404
    assert _registrations(event)[0].status == "confirmed"


def test_my_registrations_lists_upcoming_and_past(client_as, make_event):
    client = client_as()
    upcoming = make_event(title="未来讲座")
    _register(client, upcoming)
    past = make_event(title="往期讲座")
    _register(client, past)
    past = db.session.get(Event, past.id)
    past.starts_at = utcnow() - timedelta(days=3)
    past.ends_at = past.starts_at + timedelta(hours=2)
    db.session.commit()
    page = client.get("/my/registrations").get_data(as_text=True)
    assert page.index("未来讲座") < page.index("往期讲座")


@pytest.mark.parametrize(
    "url",
    [
        "/staff/events/{id}/registrations",
        "/staff/events/{id}/registrations.csv",
        "/staff/events/{id}/registrations/add",
        "/staff/events/{id}/capacity",
        "/staff/events/{id}/checkin",
    ],
)
def test_staff_pages_are_for_staff_only(client_as, make_event, url):
    event = make_event()
    assert client_as().get(url.format(id=event.id)).status_code == 403
    assert client_as("staff").get(url.format(id=event.id)).status_code == 200


def test_staff_list_search_and_exports_show_needs(client_as, make_event, make_user):
    event = make_event()
    reader = make_user(display_name="=王芳", card_number="SZ77", phone="13512345678")
    reg.register(event, reader, 2, ["wheelchair"], "needs a ramp")
    reg.register(event, make_user(display_name="赵强"))
    staff = client_as("staff")
    page = staff.get(f"/staff/events/{event.id}/registrations?q=SZ77").get_data(as_text=True)
    assert "needs a ramp" in page and "赵强" not in page
    body = staff.get(f"/staff/events/{event.id}/registrations.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(rows) == 3 and rows[1][0] == "'=王芳" and rows[1][4] == "2"
    assert "needs a ramp" in rows[1]
    xlsx = staff.get(f"/staff/events/{event.id}/registrations.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.max_row == 3 and sheet["B2"].value == reader.email


def test_staff_adds_a_registration_for_a_reader_who_phoned(client_as, make_event, make_user):
    event = make_event(registration_closes_at=utcnow() - timedelta(hours=1))
    reader = make_user(card_number="SZ123", suspended_until=utcnow() + timedelta(days=3))
    staff = client_as("staff")
    page = staff.get(f"/staff/events/{event.id}/registrations/add?reader=SZ123")
    assert reader.display_name in page.get_data(as_text=True)
    response = staff.post(
        f"/staff/events/{event.id}/registrations/add",
        data={"user_id": str(reader.id), "party_size": "1"},
    )
    assert response.status_code == 302
    (registration,) = _registrations(event)
    assert registration.status == "confirmed" and registration.source == "staff"
    response = staff.post(f"/staff/events/{event.id}/registrations/add", data={"user_id": "nobody"})
    assert response.status_code == 302 and len(_registrations(event)) == 1


def test_capacity_page_refuses_below_taken_and_promotes_on_increase(
    client_as, make_event, make_user
):
    event = make_event(capacity=1)
    reg.register(event, make_user())
    waiting = reg.register(event, make_user())
    staff = client_as("staff")
    response = staff.post(f"/staff/events/{event.id}/capacity", data={"capacity": "0"})
    assert response.status_code == 400
    assert "Cancel parties" in response.get_data(as_text=True)
    response = staff.post(f"/staff/events/{event.id}/capacity", data={"capacity": "abc"})
    assert response.status_code == 400
    response = staff.post(f"/staff/events/{event.id}/capacity", data={"capacity": "2"})
    assert response.status_code == 302
    assert db.session.get(Registration, waiting.id).status == "confirmed"


def test_check_in_page_for_a_scanner(client_as, make_event, make_user):
    event, other = make_event(starts_at=utcnow() + timedelta(hours=1)), make_event()
    registration = reg.register(event, make_user(display_name="陈晨"))
    foreign = reg.register(other, make_user())
    staff = client_as("staff")
    page = staff.get(f"/staff/events/{event.id}/checkin").get_data(as_text=True)
    assert "autofocus" in page
    url = f"/staff/events/{event.id}/checkin"
    ok = staff.post(url, data={"code": registration.checkin_code}).get_data(as_text=True)
    assert "Welcome" in ok and "陈晨" in ok
    again = staff.post(url, data={"code": registration.checkin_code}).get_data(as_text=True)
    assert "Already checked in at" in again
    forged = staff.post(url, data={"code": "not-a-real-code"})
    assert forged.status_code == 422 and "Unknown code" in forged.get_data(as_text=True)
    wrong = staff.post(url, data={"code": foreign.checkin_code})
    assert wrong.status_code == 422 and "another event" in wrong.get_data(as_text=True)
    assert staff.post(url, data={"code": ""}).status_code == 400


def test_check_in_by_search_with_a_button(client_as, make_event, make_user):
    event = make_event(starts_at=utcnow() + timedelta(hours=1))
    registration = reg.register(event, make_user(display_name="周杰", phone="13600000000"))
    staff = client_as("staff")
    page = staff.get(f"/staff/events/{event.id}/checkin?q=136000").get_data(as_text=True)
    assert "周杰" in page
    response = staff.post(f"/staff/events/{event.id}/checkin/{registration.id}")
    assert "Welcome" in response.get_data(as_text=True)
    assert db.session.get(Registration, registration.id).checked_in_at is not None
    other = make_event()
    assert staff.post(f"/staff/events/{other.id}/checkin/{registration.id}").status_code == 404


def test_walk_in_counter_never_goes_below_zero(client_as, make_event):
    event = make_event()
    staff = client_as("staff")
    url = f"/staff/events/{event.id}/walk-ins"
    staff.post(url, data={"delta": "1"})
    staff.post(url, data={"delta": "1"})
    staff.post(url, data={"delta": "-1"})
    assert db.session.get(Event, event.id).walk_ins == 1
    staff.post(url, data={"delta": "-1"})
    response = staff.post(url, data={"delta": "-1"}, follow_redirects=True)
    assert "no walk-ins to remove" in response.get_data(as_text=True)
    assert db.session.get(Event, event.id).walk_ins == 0
    assert staff.post(url, data={"delta": "x"}, follow_redirects=True).status_code == 200


def test_close_event_page_records_no_shows(client_as, make_event, make_user):
    event = make_event()
    registration = reg.register(event, make_user())
    event = db.session.get(Event, event.id)
    event.starts_at = utcnow() - timedelta(hours=3)
    event.ends_at = event.starts_at + timedelta(hours=2)
    db.session.commit()
    staff = client_as("staff")
    response = staff.post(f"/staff/events/{event.id}/close", follow_redirects=True)
    assert "No-shows recorded: 1" in response.get_data(as_text=True)
    assert db.session.get(Registration, registration.id).status == "no_show"
    response = staff.post(f"/staff/events/{event.id}/close", follow_redirects=True)
    assert "closed already" in response.get_data(as_text=True)


def test_staff_cancels_a_registration(client_as, make_event, make_user):
    event = make_event()
    registration = reg.register(event, make_user())
    staff = client_as("staff")
    assert staff.post(f"/staff/registrations/{registration.id}/cancel").status_code == 302
    assert db.session.get(Registration, registration.id).status == "cancelled"
    assert client_as().post(f"/staff/registrations/{registration.id}/cancel").status_code == 403


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True, "BABEL_DEFAULT_LOCALE": "en"}

    def test_register_without_a_token_is_refused_and_saves_nothing(
        self, app, make_event, make_user
    ):
        event = make_event()
        user = make_user()
        client = app.test_client()
        page = client.get("/auth/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        client.post(
            "/auth/login",
            data={"email": user.email, "password": "correct horse battery", "csrf_token": token},
        )
        response = client.post(f"/events/{event.id}/register", data={"party_size": "1"})
        assert response.status_code == 400
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0
        assert db.session.get(User, user.id) is not None
