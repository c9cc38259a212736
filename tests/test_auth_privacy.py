"""Rate limits, CSRF, the data export and closing an account."""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import OutboxMessage, Registration, User
from tests.conftest import PASSWORD


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_eleventh_failed_login_within_a_minute_is_refused_with_retry_after(client, make_user):
    user = make_user()
    for _ in range(10):
        response = client.post("/auth/login", data={"email": user.email, "password": "nope nope"})
        assert response.status_code == 200
    response = client.post("/auth/login", data={"email": user.email, "password": "nope nope"})
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60  # the limit is per minute
    assert "You have tried too often." in response.text


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_rate_limit_does_not_count_viewing_the_login_page(client):
    for _ in range(15):
        assert client.get("/auth/login").status_code == 200


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_signup_is_rate_limited(client):
    for _ in range(10):
        client.post("/auth/signup", data={"email": "bad"})
    assert client.post("/auth/signup", data={"email": "bad"}).status_code == 429


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_form_post_without_csrf_token_is_a_clear_400_page(client, make_user):
    user = make_user()
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "The form expired or was sent from elsewhere." in response.text
    assert "Traceback" not in response.text


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_form_with_its_csrf_token_is_accepted(client, make_user):
    import re

    user = make_user()
    page = client.get("/auth/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def _register(event, user, status="confirmed", party_size=1) -> Registration:
    registration = Registration(event=event, user=user, status=status, party_size=party_size)
    if status == "confirmed":
        event.seats_taken += party_size
    db.session.add(registration)
    db.session.commit()
    return registration


def test_data_export_holds_own_registrations_and_nothing_of_others(
    client_as, make_user, make_event
):
    client = client_as(card_number="SZ42")
    other = make_user(display_name="Someone Else", card_number="SZ99")
    mine = make_event(title="园林讲座")
    theirs = make_event(title="另一场活动")
    _register(mine, client.user, party_size=2)
    _register(theirs, other)

    response = client.get("/auth/account/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["account"]["email"] == client.user.email
    assert data["account"]["card_number"] == "SZ42"
    assert [r["event"] for r in data["registrations"]] == ["园林讲座"]
    assert data["registrations"][0]["party_size"] == 2
    text = response.get_data(as_text=True)
    assert "另一场活动" not in text and "SZ99" not in text and other.email not in text


def test_data_export_needs_a_login(client):
    response = client.get("/auth/account/data.json")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_closing_anonymises_but_keeps_past_registrations(client_as, make_event):
    client = client_as(card_number="SZ7", phone="13800000000")
    user_id, email = client.user.id, client.user.email
    past = make_event(
        starts_at=utcnow() - timedelta(days=3), ends_at=utcnow() - timedelta(days=3, hours=-2)
    )
    registration = _register(past, client.user)
    registration.checked_in_at = utcnow() - timedelta(days=3)
    registration.needs_note = "needs a quiet seat"
    db.session.commit()
    before = db.session.scalar(sa.select(sa.func.count(Registration.id)))

    response = client.post("/auth/account/close", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302

    db.session.expire_all()
    user = db.session.get(User, user_id)
    assert user.email != email and user.email.endswith("@invalid")
    assert user.phone is None and user.card_number is None
    assert not user.active and user.closed_at is not None
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == before
    kept = db.session.get(Registration, registration.id)
    assert kept.status == "confirmed" and kept.checked_in_at is not None
    assert kept.needs_note == ""
    assert client.get("/auth/account").status_code == 302
    assert (
        client.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 200
    )


def test_closing_cancels_upcoming_registrations_and_frees_their_seats(client_as, make_event):
    client = client_as()
    event = make_event(capacity=10)
    registration = _register(event, client.user, party_size=3)

    page = client.get("/auth/account/close")
    assert event.title in page.text

    response = client.post(
        "/auth/account/close",
        data={"password": PASSWORD, "confirm": "y"},
        follow_redirects=True,
    )
    assert "1 upcoming registration was cancelled." in response.text
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).status == "cancelled"
    assert db.session.get(type(event), event.id).seats_taken == 0
    # No "you cancelled" mail to an account its owner has just closed.
    subjects = db.session.scalars(sa.select(OutboxMessage.subject)).all()
    assert not any("cancelled" in subject for subject in subjects)


def test_closing_needs_the_password(client_as):
    client = client_as()
    response = client.post("/auth/account/close", data={"password": "wrong one!", "confirm": "y"})
    assert response.status_code == 200
    assert "This is not your current password." in response.text
    assert db.session.get(User, client.user.id).active


def test_staff_cannot_close_their_own_account(client_as):
    assert client_as("staff").get("/auth/account/close").status_code == 403
