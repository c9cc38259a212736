"""One language at a time: the choice made before logging in is kept and saved to the
account, counts of people read naturally in English, and branches and venues carry their
English names on English pages."""

from datetime import timedelta

import pytest

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Registration, User
from eventsys.services.reminders import registration_reminders
from tests.conftest import PASSWORD


@pytest.fixture
def app_config():
    # The product's own default language, as readers meet it.
    return {"BABEL_DEFAULT_LOCALE": "zh_Hans"}


def _is_chinese(page: str) -> bool:
    return '<html lang="zh-Hans">' in page and "跳到主要内容" in page


def _is_english(page: str) -> bool:
    return '<html lang="en">' in page and "Skip to content" in page


def _locale_of(user: User) -> str:
    db.session.expire_all()
    return db.session.get(User, user.id).locale


# ---------------------------------------------------------------- the language kept at login


def test_english_chosen_before_login_stays_and_is_saved_to_the_account(
    app, client, make_user, login
):
    reader = make_user(locale="zh_Hans")
    chinese_browser = {"Accept-Language": "zh-CN"}
    client.post("/language", data={"locale": "en"})
    assert _is_english(client.get("/", headers=chinese_browser).text)

    login(client, reader)
    assert _is_english(client.get("/", headers=chinese_browser).text)
    assert _locale_of(reader) == "en"

    # Later, on another phone that has never chosen anything: the account says English.
    fresh = app.test_client()
    login(fresh, reader)
    assert _is_english(fresh.get("/", headers=chinese_browser).text)


def test_without_a_choice_the_accounts_language_wins_at_login(client, make_user, login):
    reader = make_user(locale="zh_Hans")
    login(client, reader)
    assert _is_chinese(client.get("/", headers={"Accept-Language": "en"}).text)
    assert _locale_of(reader) == "zh_Hans"


def test_a_choice_is_saved_to_one_account_only(app, make_user, login):
    first, second = make_user(locale="zh_Hans"), make_user(locale="zh_Hans")
    shared = app.test_client()  # one library computer, two readers in turn
    shared.post("/language", data={"locale": "en"})
    login(shared, first)
    shared.post("/auth/logout")
    login(shared, second)

    assert _locale_of(first) == "en"
    assert _locale_of(second) == "zh_Hans"
    assert _is_chinese(shared.get("/").text)


def test_switching_while_logged_in_saves_to_the_account(client_as):
    reader = client_as("reader", locale="en")
    reader.post("/language", data={"locale": "zh_Hans"})
    assert _locale_of(reader.user) == "zh_Hans"
    assert _is_chinese(reader.get("/").text)


def test_an_api_token_does_not_take_the_browsers_choice(client, make_user, login):
    reader = make_user(locale="zh_Hans")
    client.post("/language", data={"locale": "en"})
    response = client.post("/api/v1/tokens", json={"email": reader.email, "password": PASSWORD})
    assert response.status_code == 201
    assert _locale_of(reader) == "zh_Hans"

    # The choice is still waiting for a login through the page.
    login(client, reader)
    assert _locale_of(reader) == "en"


# ---------------------------------------------------------------- plurals


def test_one_person_reads_as_one_person_in_english(client_as, make_event):
    event = make_event(max_party_size=1)
    reader = client_as("reader", locale="en")
    page = reader.get(f"/lectures/{event.id}").text
    # One person per registration: no party size to choose, and no "1 people" anywhere.
    assert 'type="number"' not in page and "1 people" not in page

    db.session.add(Registration(event=event, user=reader.user, status="confirmed", party_size=1))
    db.session.commit()
    page = reader.get(f"/lectures/{event.id}").text
    assert "You are registered (1 person)." in page and "1 people" not in page


def test_several_people_stay_plural_in_english(client_as, make_event):
    event = make_event(max_party_size=4)
    reader = client_as("reader", locale="en")
    db.session.add(Registration(event=event, user=reader.user, status="confirmed", party_size=3))
    db.session.commit()
    assert "You are registered (3 people)." in reader.get(f"/lectures/{event.id}").text


def test_reminder_mail_counts_one_person_and_names_the_place_in_english(
    app, make_user, make_venue, make_event
):
    venue = make_venue(name="一号报告厅", name_en="Lecture Hall 1")
    event = make_event(venue=venue, starts_at=utcnow() + timedelta(hours=12))
    db.session.add(Registration(event=event, user=make_user(locale="en"), status="confirmed"))
    db.session.commit()
    (reminder,) = registration_reminders(utcnow())
    assert "You are registered for 1 person." in reminder.body
    assert f"{venue.branch.name_en} · Lecture Hall 1" in reminder.body


# ---------------------------------------------------------------- English names of places


def test_branch_and_venue_names_follow_the_language_of_the_page(client, make_venue, make_event):
    venue = make_venue(name="一号报告厅", name_en="Lecture Hall 1")
    event = make_event(venue=venue)
    path = f"/lectures/{event.id}"

    english = client.get(path, headers={"Accept-Language": "en"}).text
    assert f"{venue.branch.name_en} · Lecture Hall 1" in english
    assert "一号报告厅" not in english and venue.branch.name not in english

    chinese = client.get(path, headers={"Accept-Language": "zh-CN"}).text
    assert f"{venue.branch.name} · 一号报告厅" in chinese
    assert "Lecture Hall 1" not in chinese

    listing = client.get("/lectures/", headers={"Accept-Language": "en"}).text
    assert "Lecture Hall 1" in listing and "一号报告厅" not in listing


def test_a_place_without_an_english_name_keeps_its_chinese_one(client, make_venue, make_event):
    venue = make_venue(name="少儿活动室")
    venue.branch.name_en = ""
    db.session.commit()
    event = make_event(venue=venue)
    english = client.get(f"/lectures/{event.id}", headers={"Accept-Language": "en"}).text
    assert f"{venue.branch.name} · 少儿活动室" in english


def test_a_request_sent_beside_the_language_switch_does_not_undo_the_choice(client):
    # The browser asks for its icon (answered by the "not found" page) while the switch is
    # on its way; that answer arrives last, and must not bring back the session from before.
    client.get("/")  # the first page starts the session: its forms' CSRF token
    before = client.get_cookie("session").value
    client.post("/language", data={"locale": "en"})
    chosen = client.get_cookie("session").value

    client.set_cookie("session", before)
    late = client.get("/favicon.ico")
    assert late.status_code == 404
    assert "session=" not in late.headers.get("Set-Cookie", "")

    client.set_cookie("session", chosen)
    assert _is_english(client.get("/events/").text)
