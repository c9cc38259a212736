"""Readers and volunteers reach only their own registrations, feeds, sign-ups and
certificates; someone else's answer 404 and stay as they were."""

import pytest
import sqlalchemy as sa
from test_api_support import auth

from eventsys import demo
from eventsys.extensions import db
from eventsys.models import Registration, Role, ShiftSignup, User
from eventsys.services import registrations as service


@pytest.fixture
def owned_registration(app, make_user, make_event):
    owner = make_user(Role.READER, display_name="王小明")
    return service.register(make_event(title="评弹欣赏会"), owner, 1, [], "")


def test_reader_cannot_see_or_cancel_another_readers_registration(client_as, owned_registration):
    other = client_as(Role.READER)
    reg_id, status = owned_registration.id, owned_registration.status
    assert other.get(f"/registrations/{reg_id}").status_code == 404
    assert other.post(f"/registrations/{reg_id}/cancel").status_code == 404
    assert "评弹欣赏会" not in other.get("/my/registrations").text
    db.session.expire_all()
    assert db.session.get(Registration, reg_id).status == status


def test_api_token_cannot_read_or_cancel_another_readers_registration(
    app, client, make_user, owned_registration
):
    headers = auth(client, make_user(Role.READER))
    reg_id, status = owned_registration.id, owned_registration.status
    assert client.get(f"/api/v1/registrations/{reg_id}", headers=headers).status_code == 404
    assert client.delete(f"/api/v1/registrations/{reg_id}", headers=headers).status_code == 404
    mine = client.get("/api/v1/me/registrations", headers=headers).get_json()
    assert reg_id not in [item["id"] for item in mine["items"]]
    db.session.expire_all()
    assert db.session.get(Registration, reg_id).status == status


def test_personal_feed_shows_only_the_token_owners_events(client, client_as, owned_registration):
    other = client_as(Role.READER)
    assert other.post("/calendar/token").status_code == 302
    token = db.session.get(User, other.user.id).calendar_token
    own_feed = client.get(f"/calendar/u/{token}.ics")
    assert own_feed.status_code == 200
    assert "评弹欣赏会" not in own_feed.get_data(as_text=True)
    owner = db.session.get(User, owned_registration.user_id)
    assert owner.calendar_token is None
    assert client.get(f"/calendar/u/{token[:-1]}x.ics").status_code == 404
    assert client.get("/calendar/u/None.ics").status_code == 404


def test_volunteer_cannot_withdraw_or_see_another_volunteers_signup(app, client_as):
    demo.load()
    signup = db.session.scalar(sa.select(ShiftSignup).order_by(ShiftSignup.id))
    signup_id, status, owner_name = signup.id, signup.status, signup.user.display_name
    other = client_as(Role.VOLUNTEER, display_name="Zhang Wei")
    assert other.post(f"/volunteers/signups/{signup_id}/withdraw").status_code == 404
    db.session.expire_all()
    assert db.session.get(ShiftSignup, signup_id).status == status
    assert owner_name not in other.get("/volunteers/mine").text
    certificate = other.get("/volunteers/certificate")
    assert certificate.status_code in (200, 302, 404)
    assert owner_name.encode() not in certificate.data
