"""The reader's event page on a phone: poster, when and where, state, one clear action;
Open Graph tags for shared links; cancelling asks first."""

import re
from datetime import timedelta

import pytest

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Registration
from eventsys.services import registrations as reg

BASE = "https://events.example.org"


@pytest.fixture
def app_config():
    return {"EVENTSYS_BASE_URL": BASE}


def page(client, event, **kwargs) -> str:
    response = client.get(f"/lectures/{event.id}", **kwargs)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def action_bar(html: str) -> str | None:
    """The label of the phone's bottom-bar button, or None without a bar."""
    match = re.search(
        r'<div class="action-bar"[^>]*>\s*<a [^>]*href="([^"]*)"[^>]*>([^<]+)</a>', html
    )
    return match[2].strip() if match else None


def og(html: str, prop: str) -> str | None:
    match = re.search(rf'<meta property="og:{prop}" content="([^"]*)">', html)
    return match[1] if match else None


# ---------------------------------------------------------------- the page


def test_page_shows_when_where_and_state_but_no_staff_words(client, make_event):
    event = make_event(title="园林讲座")
    html = page(client, event)
    assert 'class="when-where"' in html
    assert event.venue.localized_name in html and event.venue.branch.localized_name in html
    assert 'class="state state-open"' in html
    assert "Published" not in html and "Status" not in html
    # The order a reader needs: when and where, the state, then the action, then the rest.
    assert html.index("when-where") < html.index("state-open") < html.index("register-box")


def test_poster_comes_first_with_its_description(client, make_event):
    event = make_event(
        poster="0123456789abcdef0123", poster_alt="海报：园林", title_en="Gardens of Suzhou"
    )
    src = f'<img src="/events/posters/{event.id}-0123456789abcdef0123-page.webp"'
    html = page(client, event, headers={"Accept-Language": "zh-CN"})
    assert f'{src} alt="海报：园林"' in html
    assert html.index(src) < html.index("<h1>") < html.index("when-where")
    # An English page does not describe the poster in Chinese.
    english = page(client, event, headers={"Accept-Language": "en"})
    assert f'{src} alt="Poster: Gardens of Suzhou"' in english


def test_event_without_a_poster_shows_no_image(client, make_event):
    html = page(client, make_event())
    assert "event-poster" not in html


# ---------------------------------------------------------------- the one action


def test_anonymous_reader_is_asked_to_log_in(client, make_event):
    assert action_bar(page(client, make_event())) == "Log in to register"


def test_reader_with_seats_gets_register(client_as, make_event):
    event = make_event()
    html = page(client_as(), event)
    assert action_bar(html) == "Register"
    assert f'href="#register-form-{event.id}"' in html and f'id="register-form-{event.id}"' in html


def test_full_event_offers_the_waiting_list(client_as, make_event, make_user):
    event = make_event(capacity=1, max_party_size=1)
    reg.register(event, make_user(), 1)
    assert action_bar(page(client_as(), event)) == "Join the waiting list"


def test_registered_reader_sees_the_booking(client_as, make_event):
    event = make_event()
    client = client_as()
    registration = reg.register(event, client.user, 1)
    html = page(client, event)
    assert action_bar(html) == "See my booking"
    assert f'href="/registrations/{registration.id}"' in html


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"status": "cancelled", "cancel_reason": "暴雨"}, id="cancelled"),
        pytest.param({"capacity": None}, id="drop-in"),
        pytest.param({"registration_closes_at": utcnow() - timedelta(hours=1)}, id="closed"),
        pytest.param({"starts_at": utcnow() - timedelta(days=2)}, id="past"),
        pytest.param({"capacity": 1, "waitlist_enabled": False}, id="full without a list"),
    ],
)
def test_no_action_when_nothing_can_be_done(client_as, make_event, make_user, fields):
    event = make_event(**fields)
    if event.capacity == 1:
        reg.register(event, make_user(), 1)
    assert action_bar(page(client_as(), event)) is None


# ---------------------------------------------------------------- the form


def test_no_party_size_to_choose_when_one_person_per_registration(client_as, make_event):
    event = make_event(max_party_size=1)
    client = client_as()
    html = page(client, event)
    assert 'type="number"' not in html
    assert '<input type="hidden" name="party_size" value="1">' in html
    assert 'name="needs"' in html  # accessibility needs are still asked
    response = client.post(f"/events/{event.id}/register", data={"party_size": "1"})
    assert response.status_code == 302
    assert db.session.scalar(db.select(Registration.party_size)) == 1


def test_party_size_is_asked_when_more_may_come(client_as, make_event):
    html = page(client_as(), make_event(max_party_size=4))
    assert re.search(r'<input[^>]*name="party_size"[^>]*type="number"', html) or re.search(
        r'<input[^>]*type="number"[^>]*name="party_size"', html
    )


# ---------------------------------------------------------------- Open Graph


def test_event_page_has_open_graph_tags_on_the_base_url(client, make_event):
    event = make_event(title="园林讲座")
    html = page(client, event, base_url="http://attacker.example")
    assert og(html, "title") == "园林讲座"
    assert og(html, "url") == f"{BASE}/lectures/{event.id}"
    assert og(html, "image") == f"{BASE}/events/{event.id}/share.png"
    assert event.venue.localized_name in og(html, "description")
    assert og(html, "site_name") and og(html, "type")
    assert "attacker.example" not in html


def test_open_graph_image_is_the_poster_when_there_is_one(client, make_event):
    event = make_event(poster="0123456789abcdef0123", poster_alt="海报")
    html = page(client, event)
    assert og(html, "image") == f"{BASE}/events/posters/{event.id}-0123456789abcdef0123-page.webp"


def test_every_page_has_default_open_graph_tags(client):
    html = client.get("/", base_url="http://attacker.example").get_data(as_text=True)
    assert og(html, "url") == f"{BASE}/"
    for prop in ("title", "description", "type", "site_name"):
        assert og(html, prop), prop


# ---------------------------------------------------------------- cancelling asks first


def test_cancel_button_leads_to_a_question_first(client_as, make_event):
    event = make_event(title="园林讲座")
    client = client_as()
    registration = reg.register(event, client.user, 1)
    html = page(client, event)
    cancel_url = f"/registrations/{registration.id}/cancel"
    assert f'action="{cancel_url}"' not in html  # no button that cancels at once
    assert f'href="{cancel_url}?back=event"' in html
    question = client.get(f"{cancel_url}?back=event").get_data(as_text=True)
    assert "Cancel your registration for 园林讲座 on" in question
    assert "Your seat goes to the next person waiting." in question
    assert f'action="{cancel_url}"' in question
    assert f'href="/lectures/{event.id}">Keep my registration' in question
    db.session.refresh(registration)
    assert registration.status == "confirmed"  # asking changes nothing
    response = client.post(cancel_url)
    assert response.status_code == 302
    db.session.refresh(registration)
    assert registration.status != "confirmed"


def test_only_the_owner_sees_the_question(client_as, client, make_event):
    event = make_event()
    owner = client_as()
    registration = reg.register(event, owner.user, 1)
    cancel_url = f"/registrations/{registration.id}/cancel"
    assert client_as().get(cancel_url).status_code == 404
    assert client.get(cancel_url).status_code == 302  # to the login page
    assert client_as().post(cancel_url).status_code == 404
    db.session.refresh(registration)
    assert registration.status == "confirmed"


def test_the_registration_page_also_asks_before_cancelling(client_as, make_event):
    client = client_as("reader")
    registration = reg.register(make_event(capacity=5), client.user)
    cancel_url = f"/registrations/{registration.id}/cancel"
    html = client.get(f"/registrations/{registration.id}").get_data(as_text=True)
    assert f'action="{cancel_url}"' not in html and f'href="{cancel_url}"' in html
