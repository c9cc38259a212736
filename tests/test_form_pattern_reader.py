"""The one form pattern on the registration, door and volunteer forms: every error at once
in a summary linking to its field, invalid inputs marked, what was typed kept."""

import re
from datetime import timedelta

import pytest

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Role, Shift, VolunteerRole
from eventsys.services import registrations as reg

LONG_NOTE = "坡道" * 151  # 302 characters: over the limit of 300


@pytest.fixture
def app_config():
    return {"BABEL_DEFAULT_LOCALE": "en"}


def _summary(html: str) -> str:
    summary = re.search(r'<div class="form-errors error-summary".*?</div>', html, re.S)
    assert summary, "no error summary"
    assert "There is a problem" in summary.group(0)
    return summary.group(0)


def _links(html: str) -> list[str]:
    return re.findall(r'href="#([\w-]+)"', _summary(html))


def _tag(html: str, field_id: str) -> str:
    match = re.search(rf'<(?:input|select|textarea)[^>]*\bid="{field_id}"[^>]*>', html)
    assert match, field_id
    return match.group(0)


def _invalid(html: str, *field_ids: str) -> None:
    for field_id in field_ids:
        tag = _tag(html, field_id)
        assert 'aria-invalid="true"' in tag, field_id
        assert f'id="{field_id.rsplit("-0", 1)[0]}-error"' in html, field_id


# ---------------------------------------------------------------- the reader's registration


def test_register_shows_every_error_and_keeps_what_was_typed(client_as, make_event):
    event = make_event(max_party_size=4)
    data = {"party_size": "9", "needs": ["wheelchair", "jetpack"], "needs_note": LONG_NOTE}
    response = client_as().post(f"/events/{event.id}/register", data=data)
    assert response.status_code == 400
    html = response.text
    assert _links(html) == ["party_size", "needs-0", "needs_note"]
    assert "A party for this event has between 1 and 4 people." in _summary(html)
    assert "Choose accessibility needs from the list." in html
    _invalid(html, "party_size", "needs-0", "needs_note")
    assert 'value="9"' in _tag(html, "party_size")
    assert "checked" in _tag(html, "needs-0")  # wheelchair stays ticked
    assert LONG_NOTE in html
    assert "<title>Error:" in html
    assert reg.waitlist_length(event) == 0 and event.seats_taken == 0


def test_a_refusal_of_the_rules_joins_the_field_errors(client_as, make_event):
    event = make_event(max_party_size=3, registration_closes_at=utcnow() - timedelta(hours=1))
    data = {"party_size": "many", "needs_note": "需要轮椅位"}
    response = client_as().post(f"/events/{event.id}/register", data=data)
    assert response.status_code == 400
    summary = _summary(response.text)
    assert "Registration closed on" in summary
    assert "Write the number of people as a whole number" in summary
    assert _links(response.text) == ["party_size"]
    assert 'value="many"' in _tag(response.text, "party_size")
    assert "需要轮椅位" in response.text


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_a_one_person_event_asks_no_party_size(client_as, make_event, locale):
    event = make_event(max_party_size=1)
    html = client_as(locale=locale).get(f"/lectures/{event.id}").text
    assert '<input type="hidden" name="party_size" value="1">' in html
    assert 'type="number"' not in html
    for wording in ("1 to 1", "1 至 1", "1至1", "1 people"):
        assert wording not in html


def test_a_one_person_event_names_the_rule_when_more_are_sent(client_as, make_event):
    event = make_event(max_party_size=1)
    response = client_as().post(f"/events/{event.id}/register", data={"party_size": "3"})
    assert response.status_code == 400
    assert "Only one person can come per registration for this event." in _summary(response.text)


# ---------------------------------------------------------------- the door


def test_an_unknown_code_at_the_door_is_summarised_and_kept(client_as, make_event):
    event = make_event(starts_at=utcnow() + timedelta(hours=1))
    response = client_as("staff").post(f"/staff/events/{event.id}/checkin", data={"code": "ZZ-99"})
    assert response.status_code == 422
    html = response.text
    assert _links(html) == ["code"]
    assert "Unknown code: no registration has this code." in _summary(html)
    _invalid(html, "code")
    assert 'value="ZZ-99"' in _tag(html, "code")
    # The focus stays in the code box for the next scan; the summary is an alert instead.
    assert "autofocus" in _tag(html, "code") and 'role="alert"' in _summary(html)
    empty = client_as("staff").post(f"/staff/events/{event.id}/checkin", data={"code": ""})
    assert empty.status_code == 400 and "Scan a QR code or type its code." in _summary(empty.text)


# ---------------------------------------------------------------- staff adding a registration


def test_staff_add_shows_the_form_again_with_every_error(client_as, make_event, make_user):
    event = make_event(capacity=1, max_party_size=4, waitlist_enabled=False)
    reg.register(event, make_user())
    reader = make_user(email="phoned@example.org")
    data = {
        "user_id": str(reader.id),
        "party_size": "7",
        "needs": ["hearing_loop"],
        "needs_note": "坐前排",
    }
    response = client_as("staff").post(f"/staff/events/{event.id}/registrations/add", data=data)
    assert response.status_code == 400
    html = response.text
    summary = _summary(html)
    assert "This event is fully booked." in summary
    assert "between 1 and 4 people" in summary
    field_id = f"party_size-{reader.id}"
    assert _links(html) == [field_id]
    _invalid(html, field_id)
    assert 'value="7"' in _tag(html, field_id)
    assert "checked" in _tag(html, f"needs-{reader.id}-1")  # hearing loop
    assert "坐前排" in html and reader.display_name in html


def test_staff_add_keeps_the_note_when_the_note_and_size_are_wrong(
    client_as, make_event, make_user
):
    event = make_event(max_party_size=2)
    reader = make_user()
    data = {"user_id": str(reader.id), "party_size": "", "needs_note": LONG_NOTE}
    response = client_as("staff").post(f"/staff/events/{event.id}/registrations/add", data=data)
    assert response.status_code == 400
    ids = [f"party_size-{reader.id}", f"needs_note-{reader.id}"]
    assert _links(response.text) == ids
    _invalid(response.text, *ids)
    assert LONG_NOTE in response.text
    assert reg.active_registration(event, reader) is None


# ---------------------------------------------------------------- capacity


def test_capacity_out_of_range_names_the_field_and_the_fix(client_as, make_event):
    event = make_event(capacity=10)
    response = client_as("staff").post(
        f"/staff/events/{event.id}/capacity", data={"capacity": "-5"}
    )
    assert response.status_code == 400
    assert _links(response.text) == ["capacity"]
    assert "Write a number of seats from 0 to 100000." in _summary(response.text)
    _invalid(response.text, "capacity")
    assert 'value="-5"' in _tag(response.text, "capacity")


# ---------------------------------------------------------------- volunteer shifts


@pytest.fixture
def role(app):
    role = VolunteerRole(name="阅读指导", name_en="Reading guide")
    db.session.add(role)
    db.session.commit()
    return role


def test_repeating_shifts_show_a_missing_day_and_no_weekday_together(client_as, role, make_venue):
    form = {
        "role_id": role.id,
        "venue_id": make_venue().id,
        "first_day": "",
        "last_day": "2031-05-31",
        "start_time": "09:00",
        "end_time": "12:00",
        "slots": "4",
        "notes": "请提前十分钟到",
    }
    response = client_as(Role.STAFF).post("/volunteers/staff/shifts/repeat", data=form)
    assert response.status_code == 400
    html = response.text
    assert _links(html) == ["first_day", "weekdays-0"]
    assert "Choose at least one weekday." in _summary(html)
    _invalid(html, "first_day", "weekdays-0")
    assert re.search(r"<fieldset[^>]*field-error[^>]*>\s*<legend>On these weekdays", html)
    assert 'value="2031-05-31"' in _tag(html, "last_day")
    assert "请提前十分钟到" in html


def test_assigning_a_volunteer_shows_both_errors_and_keeps_the_reason(client_as, role, make_venue):
    starts = utcnow().replace(second=0, microsecond=0) + timedelta(days=3)
    shift = Shift(
        role_id=role.id,
        venue_id=make_venue().id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        slots=2,
    )
    db.session.add(shift)
    db.session.commit()
    reason = "同一楼层" * 80  # 320 characters: over the limit of 300
    staff = client_as(Role.STAFF)
    url = f"/volunteers/staff/shifts/{shift.id}/assign"
    response = staff.post(url, data={"email": "", "override_reason": reason})
    assert response.status_code == 400
    html = response.text
    assert _links(html) == ["email", "override_reason"]
    assert "s email address." in _summary(html)
    _invalid(html, "email", "override_reason")
    assert reason in _tag(html, "override_reason")
    unknown = staff.post(url, data={"email": "nobody@example.org"})
    assert unknown.status_code == 400
    assert _links(unknown.text) == ["email"]
    assert 'value="nobody@example.org"' in _tag(unknown.text, "email")
