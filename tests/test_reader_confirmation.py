"""The reader's confirmation: a short check-in code easy to type at the door, and a page
with the end time, the place and the calendar links."""

import re
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Branch, Registration, User, Venue
from eventsys.models.registrations import (
    CHECKIN_ALPHABET,
    checkin_code_candidates,
    format_checkin_code,
    new_checkin_code,
)
from eventsys.services import feeds
from eventsys.services import registrations as reg
from eventsys.services.registrations import RegistrationError
from eventsys.templating import local_date

OLD_CODE = "rZCkOqTLDWZQJjLB"  # as secrets.token_urlsafe(12) made them before


@pytest.fixture
def app_config():
    return {"BABEL_DEFAULT_LOCALE": "en", "EVENTSYS_BASE_URL": "https://events.example.org"}


def _soon(make_event, **fields):
    """An event starting within the hour, so that its door is open."""
    start = utcnow().replace(microsecond=0) + timedelta(minutes=30)
    return make_event(starts_at=start, ends_at=start + timedelta(hours=2), **fields)


def _set_code(registration: Registration, code: str) -> None:
    db.session.execute(
        sa.update(Registration).where(Registration.id == registration.id).values(checkin_code=code)
    )
    db.session.commit()
    db.session.expire_all()


# ---------------------------------------------------------------- the code itself


def test_alphabet_has_no_look_alikes():
    assert len(CHECKIN_ALPHABET) == 31 == len(set(CHECKIN_ALPHABET))
    assert not set("0O1IL") & set(CHECKIN_ALPHABET)
    assert CHECKIN_ALPHABET.upper() == CHECKIN_ALPHABET
    assert 31**8 > 8.5e11


def test_new_codes_are_eight_characters_from_the_alphabet():
    codes = [new_checkin_code() for _ in range(3000)]
    for code in codes:
        assert re.fullmatch(f"[{CHECKIN_ALPHABET}]{{8}}", code), code
    assert len(set(codes)) == len(codes)
    # Every character is drawn: 24,000 draws from 31 leave none out but by a broken generator.
    assert set("".join(codes)) == set(CHECKIN_ALPHABET)


def test_code_is_shown_with_a_dash_and_old_codes_as_they_are():
    assert format_checkin_code("ABCDEFGH") == "ABCD-EFGH"
    assert format_checkin_code(OLD_CODE) == OLD_CODE
    assert format_checkin_code("abcdefgh") == "abcdefgh"  # not a code of the new kind


def test_typed_forms_of_a_code():
    assert checkin_code_candidates("abcd-efgh") == ["abcd-efgh", "ABCDEFGH"]
    assert checkin_code_candidates("ABCDEFGH") == ["ABCDEFGH"]
    assert checkin_code_candidates(" abcd efgh ") == ["abcd efgh", "ABCDEFGH"]
    assert checkin_code_candidates(f"  {OLD_CODE}\n") == [OLD_CODE]
    assert checkin_code_candidates("   ") == []
    # Look-alikes are not mapped: 0, O, 1, I and L never appear in a code.
    assert checkin_code_candidates("ABCD-EFG0") == ["ABCD-EFG0"]


def test_registration_stores_the_code_without_dash(make_event, make_user):
    r = reg.register(make_event(), make_user())
    stored = db.session.get(Registration, r.id)
    assert re.fullmatch(f"[{CHECKIN_ALPHABET}]{{8}}", stored.checkin_code)
    assert stored.shown_checkin_code == f"{stored.checkin_code[:4]}-{stored.checkin_code[4:]}"


# ---------------------------------------------------------------- at the door


@pytest.mark.parametrize(
    "typed", ["abcd-efgh", "ABCDEFGH", " abcd efgh ", "ABCD-EFGH", "Abcd - efGH"]
)
def test_door_accepts_the_code_in_any_case_with_or_without_dash(make_event, make_user, typed):
    event = _soon(make_event)
    r = reg.register(event, make_user())
    _set_code(r, "ABCDEFGH")
    result = reg.check_in(event, typed)
    assert result.registration.id == r.id and not result.already
    assert db.session.get(Registration, r.id).checked_in_at is not None


def test_door_accepts_the_generated_code_as_shown(make_event, make_user):
    event = _soon(make_event)
    r = reg.register(event, make_user())
    assert reg.check_in(event, r.shown_checkin_code.lower()).registration.id == r.id
    assert reg.check_in(event, r.checkin_code).already


def test_old_long_code_still_works_exactly(make_event, make_user):
    event = _soon(make_event)
    r = reg.register(event, make_user())
    _set_code(r, OLD_CODE)
    with pytest.raises(RegistrationError) as caught:
        reg.check_in(event, OLD_CODE.lower())  # old codes tell case apart
    assert caught.value.code == "not_found"
    result = reg.check_in(event, f" {OLD_CODE}\n")
    assert result.registration.id == r.id and not result.already


def test_old_code_with_dash_and_underscore_still_works(make_event, make_user):
    event = _soon(make_event)
    r = reg.register(event, make_user())
    _set_code(r, "a-B_cDeFgH-iJkLm")
    assert reg.check_in(event, "a-B_cDeFgH-iJkLm").registration.id == r.id


def test_unknown_short_code_is_refused(make_event, make_user):
    event = _soon(make_event)
    r = reg.register(event, make_user())
    _set_code(r, "ABCDEFGH")
    for typed in ("ABCD-EFGJ", "ABCD-EFG", "ABCD-EFGHJ", "x" * 65):
        with pytest.raises(RegistrationError) as caught:
            reg.check_in(event, typed)
        assert caught.value.code == "not_found"


def test_door_page_accepts_a_typed_code_and_an_old_one(client_as, make_event, make_user):
    event = _soon(make_event)
    r = reg.register(event, make_user(display_name="陈晨"))
    old = reg.register(event, make_user(display_name="李雷"))
    _set_code(r, "ABCDEFGH")
    _set_code(old, OLD_CODE)
    staff = client_as("staff")
    url = f"/staff/events/{event.id}/checkin"
    page = staff.post(url, data={"code": " abcd efgh "}).get_data(as_text=True)
    assert "Welcome" in page and "陈晨" in page
    page = staff.post(url, data={"code": OLD_CODE}).get_data(as_text=True)
    assert "Welcome" in page and "李雷" in page


@pytest.mark.parametrize(
    "app_config",
    [
        {
            "BABEL_DEFAULT_LOCALE": "en",
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "RATELIMIT_TOKENS": "3 per minute",
            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    ],
)
def test_wrong_codes_at_the_door_are_still_rate_limited(client_as, make_event, make_user):
    event = _soon(make_event)
    r = reg.register(event, make_user())
    staff = client_as("staff")
    url = f"/staff/events/{event.id}/checkin"
    # A valid code never counts; wrong ones do, however they are typed.
    assert staff.post(url, data={"code": r.shown_checkin_code}).status_code == 200
    statuses = [staff.post(url, data={"code": "abcd-efgj"}).status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]


# ---------------------------------------------------------------- the confirmation page


@pytest.fixture
def place(app):
    branch = Branch(
        code="suzhou-second",
        name="苏州第二图书馆",
        name_en="",
        kind="centre",
        address="苏州市相城区聚茂街 185 号",
    )
    venue = Venue(branch=branch, name="星空报告厅", name_en="", capacity=200, kind="lecture_hall")
    db.session.add(venue)
    db.session.commit()
    return venue


def test_confirmation_page_shows_end_time_place_code_and_calendar_links(
    client_as, make_event, place
):
    event = make_event(venue=place)
    client = client_as()
    r = reg.register(event, client.user)
    page = client.get(f"/registrations/{r.id}").get_data(as_text=True)

    assert re.search(rf'<time [^>]*datetime="{re.escape(event.starts_at.isoformat())}"', page)
    assert re.search(rf'<time [^>]*datetime="{re.escape(event.ends_at.isoformat())}"', page)
    assert "星空报告厅" in page and "苏州第二图书馆" in page
    assert "苏州市相城区聚茂街 185 号" in page
    assert f"<code>{r.shown_checkin_code}</code>" in page and "-" in r.shown_checkin_code

    assert f'href="/calendar/event/{event.id}.ics"' in page
    assert "Add to calendar (.ics)" in page
    # No calendar address yet: the link leads to the account page, which makes one.
    assert 'href="/auth/account#calendar-heading"' in page
    assert "Subscribe to all my registrations" in page


def test_confirmation_page_subscribes_to_the_personal_feed(client_as, make_event):
    event = make_event()
    client = client_as()
    user = db.session.get(User, client.user.id)
    token = feeds.issue_token(user)
    db.session.commit()
    r = reg.register(event, user)
    page = client.get(f"/registrations/{r.id}").get_data(as_text=True)
    assert f'href="webcal://events.example.org/calendar/u/{token}.ics"' in page
    ics = client.get(f"/calendar/event/{event.id}.ics")
    assert ics.status_code == 200 and b"BEGIN:VEVENT" in ics.data


def test_multi_day_event_shows_the_end_day(app, client_as, make_event):
    start = utcnow().replace(microsecond=0) + timedelta(days=7)
    event = make_event(starts_at=start, ends_at=start + timedelta(days=2))
    client = client_as()
    r = reg.register(event, client.user)
    page = client.get(f"/registrations/{r.id}").get_data(as_text=True)
    with app.test_request_context():
        end_day = local_date(event.ends_at)
    end = re.search(
        rf'<time [^>]*datetime="{re.escape(event.ends_at.isoformat())}">(.*?)</time>', page
    )
    assert end_day in end[1]


def test_cancelled_registration_offers_no_calendar_links(client_as, make_event):
    event = make_event()
    client = client_as()
    r = reg.register(event, client.user)
    reg.cancel_registration(r, client.user)
    page = client.get(f"/registrations/{r.id}").get_data(as_text=True)
    assert f"/calendar/event/{event.id}.ics" not in page
    assert "Subscribe to all my registrations" not in page
