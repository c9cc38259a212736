"""Signing up, logging in and out, remember-me, password changes and resets."""

import re
import time

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner

from eventsys.extensions import db
from eventsys.models import OutboxMessage, User
from eventsys.services import accounts
from tests.conftest import PASSWORD

SIGNUP = {
    "email": "Reader@Example.org",
    "display_name": "王小明",
    "password": "a long enough pass",
    "confirm": "a long enough pass",
}


def _users() -> list[User]:
    return list(db.session.scalars(sa.select(User)))


def test_signup_creates_reader_with_lowercased_email_and_logs_in(client):
    response = client.post("/auth/signup", data=SIGNUP)
    assert response.status_code == 302
    (user,) = _users()
    assert user.email == "reader@example.org"
    assert user.role == "reader"
    assert client.get("/auth/account").status_code == 200


def test_signup_with_an_email_that_differs_only_in_case_creates_nothing(client, make_user):
    make_user(email="reader@example.org")
    response = client.post("/auth/signup", data={**SIGNUP, "email": "READER@example.ORG"})
    # The same answer as for a new address; the owner is told by mail (test_edges_security).
    assert response.status_code == 302
    assert "exists already" not in client.get(response.location).text
    assert len(_users()) == 1


def test_signup_refuses_a_malformed_email(client):
    response = client.post("/auth/signup", data={**SIGNUP, "email": "not-an-email"})
    assert response.status_code == 200
    assert "Enter an email address like name@example.com." in response.text
    assert _users() == []


@pytest.mark.parametrize(
    "field, value",
    [
        ("email", "a" * 250 + "@example.org"),
        ("display_name", "名" * 81),
        ("phone", "1" * 33),
        ("card_number", "A" * 33),
        ("password", "x" * 129),
    ],
)
def test_signup_refuses_over_long_fields_with_a_form_error(client, field, value):
    data = {**SIGNUP, field: value}
    if field == "password":
        data["confirm"] = value
    response = client.post("/auth/signup", data=data)
    assert response.status_code == 200
    assert 'class="error"' in response.text
    assert _users() == []


def test_signup_refuses_a_blank_name(client):
    response = client.post("/auth/signup", data={**SIGNUP, "display_name": "   "})
    assert response.status_code == 200
    assert "Enter your name." in response.text
    assert _users() == []


def test_signup_refuses_a_card_number_of_another_account(client, make_user):
    make_user(card_number="SZ0001")
    response = client.post("/auth/signup", data={**SIGNUP, "card_number": "SZ0001"})
    assert "This reader card number belongs to another account." in response.text
    assert len(_users()) == 1


def test_signup_honeypot_pretends_success_but_creates_nothing(client):
    response = client.post("/auth/signup", data={**SIGNUP, "website": "http://spam.example"})
    assert response.status_code == 302
    assert _users() == []
    assert client.get("/auth/account").status_code == 302  # still anonymous


def test_login_with_wrong_password_is_refused(client, make_user):
    user = make_user()
    response = client.post("/auth/login", data={"email": user.email, "password": "wrong one"})
    assert response.status_code == 200
    assert "Wrong email or password." in response.text
    assert client.get("/auth/account").status_code == 302


def test_login_ignores_the_case_of_the_email(client, make_user):
    user = make_user(email="mixed@example.org")
    response = client.post("/auth/login", data={"email": "MIXED@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/auth/account").status_code == 200
    assert user.email in client.get("/auth/account").text


def test_inactive_account_cannot_log_in(client, make_user):
    user = make_user(active=False)
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Wrong email or password." in response.text


def test_login_refuses_an_over_long_email_with_a_form_error(client):
    response = client.post("/auth/login", data={"email": "a" * 300, "password": "x"})
    assert response.status_code == 200
    assert 'class="error"' in response.text


def test_login_does_not_redirect_off_site(client, make_user):
    user = make_user()
    response = client.post(
        "/auth/login?next=https://evil.example/",
        data={"email": user.email, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


def test_remember_me_sets_the_remember_cookie(client, make_user):
    user = make_user()
    client.post("/auth/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    assert client.get_cookie("remember_token") is not None


def test_login_without_remember_me_sets_no_remember_cookie(client, make_user):
    user = make_user()
    client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert client.get_cookie("remember_token") is None


def test_logout_ends_the_session(client, make_user, login):
    login(client, make_user())
    assert client.post("/auth/logout").status_code == 302
    assert client.get("/auth/account").status_code == 302


def test_password_change_ends_other_sessions_but_keeps_this_one(app, make_user, login):
    user = make_user()
    here, elsewhere = login(app.test_client(), user), login(app.test_client(), user)
    response = here.post(
        "/auth/password",
        data={"current": PASSWORD, "password": "brand new secret", "confirm": "brand new secret"},
    )
    assert response.status_code == 302
    assert here.get("/auth/account").status_code == 200
    assert elsewhere.get("/auth/account").status_code == 302


def test_password_change_ends_a_remembered_login_elsewhere(app, make_user):
    user = make_user()
    remembered = app.test_client()
    remembered.post(
        "/auth/login", data={"email": user.email, "password": PASSWORD, "remember": "y"}
    )
    here = app.test_client()
    here.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    here.post(
        "/auth/password",
        data={"current": PASSWORD, "password": "brand new secret", "confirm": "brand new secret"},
    )
    remembered.delete_cookie("session")  # the browser was closed; only the cookie remains
    assert remembered.get("/auth/account").status_code == 302


def test_password_change_needs_the_current_password(client_as):
    client = client_as()
    response = client.post(
        "/auth/password",
        data={
            "current": "not it at all",
            "password": "brand new secret",
            "confirm": "brand new secret",
        },
    )
    assert response.status_code == 200
    assert "This is not your current password." in response.text


def _reset_link(user: User) -> str:
    message = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.to_address == user.email)
    ).one()
    return re.search(r"http\S+/auth/reset/\S+", message.body).group(0).split("5000", 1)[1]


def test_reset_request_mails_a_link_that_sets_a_new_password_once(client, make_user):
    user = make_user()
    response = client.post("/auth/reset", data={"email": user.email.upper()})
    assert response.status_code == 302
    link = _reset_link(user)
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": "fresh secret 1", "confirm": "fresh secret 1"})
    assert response.status_code == 302
    assert (
        client.post(
            "/auth/login", data={"email": user.email, "password": "fresh secret 1"}
        ).status_code
        == 302
    )
    client.post("/auth/logout")

    again = client.post(link, data={"password": "other secret 2", "confirm": "other secret 2"})
    assert again.status_code == 302
    assert "/auth/reset" in again.headers["Location"]
    assert (
        client.post(
            "/auth/login", data={"email": user.email, "password": "other secret 2"}
        ).status_code
        == 200
    )


def test_reset_request_for_unknown_email_gives_the_same_answer_and_sends_nothing(client):
    response = client.post(
        "/auth/reset", data={"email": "nobody@example.org"}, follow_redirects=True
    )
    assert "If an account uses that address" in response.text
    assert db.session.scalars(sa.select(OutboxMessage)).all() == []


def test_reset_link_expires(client, make_user, monkeypatch):
    user = make_user()
    two_hours_ago = int(time.time()) - 7200
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: two_hours_ago)
    token = accounts.reset_token(user)
    monkeypatch.undo()
    response = client.get(f"/auth/reset/{token}", follow_redirects=True)
    assert "This link has expired or was used already." in response.text


def test_forged_reset_token_is_refused(client):
    response = client.get("/auth/reset/not-a-real-token", follow_redirects=True)
    assert response.status_code == 200
    assert "This link has expired or was used already." in response.text


def test_account_page_saves_details_and_links_to_data_export(client_as):
    client = client_as()
    page = client.get("/auth/account")
    assert 'href="/auth/account/data.json"' in page.text
    response = client.post(
        "/auth/account", data={"display_name": "李华", "phone": "+86 512 1234", "locale": "en"}
    )
    assert response.status_code == 302
    assert db.session.get(User, client.user.id).display_name == "李华"


def test_account_page_refuses_an_unknown_language(client_as):
    client = client_as()
    response = client.post(
        "/auth/account", data={"display_name": "李华", "phone": "", "locale": "xx"}
    )
    assert response.status_code == 200
    assert 'class="error"' in response.text
