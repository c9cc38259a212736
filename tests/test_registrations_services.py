"""The registration rules, called as the pages, the API and the CLI call them."""

from datetime import timedelta

import icalendar
import pytest
import sqlalchemy as sa

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Event, OutboxMessage, Registration
from eventsys.services import policies, reminders
from eventsys.services import registrations as reg
from eventsys.services.registrations import RegistrationError


@pytest.fixture(autouse=True)
def request_context(app):
    """Messages are translated for the person in front of the page, as in a request."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def _refused(code, call, *args, **kwargs):
    with pytest.raises(RegistrationError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code
    assert caught.value.message
    return caught.value


def _mails(to=None):
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if to:
        query = query.where(OutboxMessage.to_address == to)
    return db.session.scalars(query).all()


def _started_event(make_event, **fields):
    start = utcnow() - timedelta(hours=3)
    return make_event(starts_at=start, ends_at=start + timedelta(hours=2), **fields)


def test_party_takes_its_seats_and_is_confirmed(make_event, make_user):
    event = make_event(capacity=10, max_party_size=4)
    r = reg.register(event, make_user(), 3, ["wheelchair", "other"], "walking frame")
    assert r.status == "confirmed" and r.party_size == 3
    assert r.needs_list == ["wheelchair", "other"]
    assert db.session.get(Event, event.id).seats_taken == 3


def test_full_event_puts_readers_on_the_waitlist_in_order(make_event, make_user):
    event = make_event(capacity=2, max_party_size=2)
    reg.register(event, make_user(), 2)
    first, second = (reg.register(event, make_user(), 1) for _ in range(2))
    assert first.status == second.status == "waitlisted"
    assert reg.waitlist_position(first) == 1
    assert reg.waitlist_position(second) == 2
    assert reg.waitlist_length(event) == 2


def test_full_event_without_waitlist_refuses(make_event, make_user):
    event = make_event(capacity=1, waitlist_enabled=False)
    reg.register(event, make_user())
    _refused("full", reg.register, event, make_user())
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1


@pytest.mark.parametrize("size", [0, -1, 5, "two", None])
def test_party_size_outside_one_to_maximum_is_refused(make_event, make_user, size):
    event = make_event(max_party_size=4)
    error = _refused("party_size", reg.register, event, make_user(), size)
    assert "4" in error.message
    assert db.session.get(Event, event.id).seats_taken == 0


def test_unknown_need_is_refused(make_event, make_user):
    _refused("bad_input", reg.register, make_event(), make_user(), 1, ["jetpack"])


def test_second_registration_of_a_reader_is_refused(make_event, make_user):
    event, user = make_event(), make_user()
    reg.register(event, user)
    _refused("duplicate", reg.register, event, user)
    assert db.session.get(Event, event.id).seats_taken == 1


def test_registration_window_is_enforced(make_event, make_user):
    now = utcnow()
    later = make_event(registration_opens_at=now + timedelta(days=1))
    error = _refused("not_open", reg.register, later, make_user())
    assert "opens" in error.message
    closed = make_event(registration_closes_at=now - timedelta(minutes=1))
    _refused("window_closed", reg.register, closed, make_user())


def test_cancelled_draft_and_past_events_refuse_registration(make_event, make_user):
    _refused("cancelled", reg.register, make_event(status="cancelled"), make_user())
    _refused("draft", reg.register, make_event(status="draft"), make_user())
    _refused("past", reg.register, _started_event(make_event), make_user())
    _refused("not_open", reg.register, make_event(capacity=None), make_user())


def test_suspended_reader_is_refused_online_but_staff_can_add_them(make_event, make_user):
    until = utcnow() + timedelta(days=10)
    reader, staff = make_user(suspended_until=until), make_user("staff")
    event = make_event(registration_closes_at=utcnow() - timedelta(hours=1))
    _refused("window_closed", reg.register, event, reader)
    open_event = make_event()
    error = _refused("suspended", reg.register, open_event, reader)
    assert "suspended until" in error.message
    r = reg.register(event, reader, 1, source="staff", actor=staff)
    assert r.status == "confirmed" and r.source == "staff"


def test_staff_cannot_exceed_capacity(make_event, make_user):
    event = make_event(capacity=1, waitlist_enabled=False)
    staff = make_user("staff")
    reg.register(event, make_user())
    _refused("full", reg.register, event, make_user(), 1, source="staff", actor=staff)


def test_cancellation_promotes_the_earliest_waiting_party_that_fits(make_event, make_user):
    event = make_event(capacity=3, max_party_size=3)
    holder = reg.register(event, make_user(), 2)
    reg.register(event, make_user(), 1)
    big = reg.register(event, make_user(), 3)
    small = reg.register(event, make_user(), 2)
    assert big.status == small.status == "waitlisted"
    reg.cancel_registration(holder, holder.user)
    assert db.session.get(Registration, big.id).status == "waitlisted"
    promoted = db.session.get(Registration, small.id)
    assert promoted.status == "confirmed" and promoted.confirmed_at is not None
    assert db.session.get(Event, event.id).seats_taken == 3
    subjects = [m.subject for m in _mails(promoted.user.email)]
    assert any("seat for you" in s for s in subjects)
    promotion = [m for m in _mails(promoted.user.email) if "seat for you" in m.subject][0]
    assert promotion.attachments[0]["filename"].endswith(".ics")


def test_promoted_party_that_cancels_frees_seats_for_the_next(make_event, make_user):
    event = make_event(capacity=1)
    first = reg.register(event, make_user())
    second = reg.register(event, make_user())
    third = reg.register(event, make_user())
    reg.cancel_registration(first, first.user)
    second = db.session.get(Registration, second.id)
    assert second.status == "confirmed"
    reg.cancel_registration(second, second.user)
    assert db.session.get(Registration, third.id).status == "confirmed"
    assert db.session.get(Event, event.id).seats_taken == 1


def test_cancelling_twice_is_harmless(make_event, make_user):
    event = make_event()
    r = reg.register(event, make_user(), 2)
    reg.cancel_registration(r, r.user)
    reg.cancel_registration(db.session.get(Registration, r.id), r.user)
    assert db.session.get(Event, event.id).seats_taken == 0


def test_reader_cannot_cancel_after_the_start_and_nobody_is_promoted(make_event, make_user):
    event = make_event(capacity=1)
    first = reg.register(event, make_user())
    waiting = reg.register(event, make_user())
    start = utcnow() - timedelta(minutes=5)
    event = db.session.get(Event, event.id)
    event.starts_at, event.ends_at = start, start + timedelta(hours=2)
    db.session.commit()
    _refused("past", reg.cancel_registration, first, first.user)
    reg.cancel_registration(first, make_user("staff"))  # staff at the door
    assert db.session.get(Registration, waiting.id).status == "waitlisted"
    assert reg.promote_waitlist(event) == []


def test_staff_cancellation_tells_the_reader(make_event, make_user):
    r = reg.register(make_event(), make_user())
    reg.cancel_registration(r, make_user("staff"))
    assert any("cancelled" in m.subject.lower() for m in _mails(r.user.email))


def test_reader_who_cancels_gets_a_mail_saying_so_with_the_way_back(make_event, make_user):
    event = make_event(title="评弹雅集")
    r = reg.register(event, make_user())
    reg.cancel_registration(r, r.user)
    (mail,) = [m for m in _mails(r.user.email) if "cancelled" in m.subject]
    assert "评弹雅集" in mail.subject and "as you asked" in mail.body
    assert f"/{event.id}" in mail.body  # the event page, to register again
    reg.cancel_registration(db.session.get(Registration, r.id), r.user)
    assert len([m for m in _mails(r.user.email) if "cancelled" in m.subject]) == 1


def test_staff_cancellation_sends_the_library_mail_not_the_readers_one(make_event, make_user):
    r = reg.register(make_event(), make_user())
    reg.cancel_registration(r, make_user("staff"))
    bodies = [m.body for m in _mails(r.user.email)]
    assert any("the library has cancelled" in b for b in bodies)
    assert not any("as you asked" in b for b in bodies)


def test_waitlist_places_in_mails_and_answers_follow_later_changes(make_event, make_user):
    event = make_event(capacity=1)
    reg.register(event, make_user())
    second = reg.register(event, make_user())
    third = reg.register(event, make_user())
    assert (reg.waitlist_position(second), reg.waitlist_position(third)) == (1, 2)
    assert "number 2" in _mails(third.user.email)[0].body
    reg.cancel_registration(second, second.user)
    # The place counted at registration is not reused once anything has changed.
    assert reg.waitlist_position(third) == 1


def test_confirmation_calendar_follows_an_edit_of_the_event(make_event, make_user):
    from eventsys.services import events as event_service

    event = make_event(title="旧题目")
    first = reg.register(event, make_user())
    event_service.update_event(event, make_user("staff"), {"title": "新题目"})
    second = reg.register(db.session.get(Event, event.id), make_user())

    def summary(registration):
        (mail,) = _mails(registration.user.email)
        cal = icalendar.Calendar.from_ical(mail.attachments[0]["content"])
        return str(cal.walk("VEVENT")[0]["summary"])

    assert (summary(first), summary(second)) == ("旧题目", "新题目")


def test_capacity_increase_promotes_and_decrease_below_taken_is_refused(make_event, make_user):
    event = make_event(capacity=2)
    reg.register(event, make_user(), 2)
    waiting = reg.register(event, make_user(), 1)
    staff = make_user("staff")
    reg.change_capacity(event, 3, staff)
    assert db.session.get(Registration, waiting.id).status == "confirmed"
    error = _refused("capacity", reg.change_capacity, event, 2, staff)
    assert "3" in error.message
    assert db.session.get(Event, event.id).capacity == 3
    _refused("capacity", reg.change_capacity, event, -4, staff)
    _refused("capacity", reg.change_capacity, event, "many", staff)
    reg.change_capacity(event, 5, staff)
    reg.change_capacity(event, 3, staff)
    assert db.session.get(Event, event.id).capacity == 3


def test_check_in_by_code_twice_is_harmless(make_event, make_user):
    event = make_event(starts_at=utcnow() + timedelta(hours=1))  # the door is open
    r = reg.register(event, make_user())
    first = reg.check_in(event, r.checkin_code)
    assert not first.already and first.registration.checked_in_at is not None
    second = reg.check_in(event, f"  {r.checkin_code}\n")
    assert second.already
    assert second.registration.checked_in_at == first.registration.checked_in_at


def test_forged_and_foreign_codes_are_refused(make_event, make_user):
    event, other = make_event(), make_event(title="另一场讲座")
    r = reg.register(other, make_user())
    _refused("not_found", reg.check_in, event, "forged-code")
    _refused("not_found", reg.check_in, event, "")
    error = _refused("not_found", reg.check_in, event, r.checkin_code)
    assert "另一场讲座" in error.message
    assert db.session.get(Registration, r.id).checked_in_at is None


def test_cancelled_and_waitlisted_parties_cannot_check_in(make_event, make_user):
    event = make_event(capacity=1, starts_at=utcnow() + timedelta(hours=1))
    r = reg.register(event, make_user())
    waiting = reg.register(event, make_user())
    _refused("full", reg.check_in, event, waiting.checkin_code)
    reg.cancel_registration(r, r.user)
    _refused("cancelled", reg.check_in, event, r.checkin_code)


def test_find_by_name_card_and_phone(make_event, make_user):
    event = make_event()
    a = make_user(display_name="张三丰", card_number="SZ0001", phone="13800000001")
    b = make_user(display_name="李四", card_number="SZ0002", phone="13900000002")
    reg.register(event, a)
    reg.register(event, b)
    assert [r.user_id for r in reg.find(event, "张三")] == [a.id]
    assert [r.user_id for r in reg.find(event, "SZ0002")] == [b.id]
    assert [r.user_id for r in reg.find(event, "1390000")] == [b.id]
    assert reg.find(event, "100%_") == []


def test_walk_ins_count_up_and_down_never_below_zero(make_event, make_user):
    event, staff = make_event(), make_user("staff")
    assert reg.record_walk_ins(event, 1, staff) == 1
    assert reg.record_walk_ins(event, -1, staff) == 0
    _refused("bad_input", reg.record_walk_ins, event, -1, staff)
    _refused("bad_input", reg.record_walk_ins, event, "x", staff)
    assert db.session.get(Event, event.id).walk_ins == 0


def _register_then_start(make_event, user, **fields):
    event = make_event(**fields)
    r = reg.register(event, user)
    event = db.session.get(Event, event.id)
    start = utcnow() - timedelta(hours=3)
    event.starts_at, event.ends_at = start, start + timedelta(hours=2)
    db.session.commit()
    return event, r


def test_closing_turns_unattended_parties_into_no_shows_once(make_event, make_user):
    staff, came, missed = make_user("staff"), make_user(), make_user()
    event = make_event()
    r_came, r_missed = reg.register(event, came), reg.register(event, missed)
    event = db.session.get(Event, event.id)
    event.starts_at = utcnow() - timedelta(hours=1)  # started, and its door still open
    event.ends_at = event.starts_at + timedelta(hours=2)
    db.session.commit()
    reg.check_in(event, r_came.checkin_code)
    _refused("not_started", reg.close_event, make_event(), staff)
    no_shows = reg.close_event(event, staff)
    assert [r.id for r in no_shows] == [r_missed.id]
    assert db.session.get(Registration, r_missed.id).status == "no_show"
    assert db.session.get(Registration, r_came.id).status == "confirmed"
    assert reg.close_event(event, staff) == []
    assert db.session.get(Event, event.id).closed_at is not None


def test_third_no_show_within_the_window_suspends_online_registration(make_event, make_user):
    staff, reader = make_user("staff"), make_user()
    for n in range(3):
        event, _r = _register_then_start(make_event, reader, title=f"讲座 {n}")
        reg.close_event(event, staff)
        db.session.expire_all()
        suspended = db.session.get(type(reader), reader.id).suspended_until
        if n < 2:
            assert suspended is None
    until = db.session.get(type(reader), reader.id).suspended_until
    assert until - utcnow() > timedelta(days=29)
    _refused("suspended", reg.register, make_event(), db.session.get(type(reader), reader.id))
    assert any("suspended" in m.subject for m in _mails(reader.email))


def test_no_show_policy_is_admin_configurable(make_event, make_user):
    policies.set_value("noshow_count", 1)
    policies.set_value("noshow_suspend_days", 7)
    db.session.commit()
    staff, reader = make_user("staff"), make_user()
    event, _r = _register_then_start(make_event, reader)
    reg.close_event(event, staff)
    until = db.session.get(type(reader), reader.id).suspended_until
    assert timedelta(days=6) < until - utcnow() <= timedelta(days=7)


def test_confirmation_mail_carries_the_event_as_ics(make_event, make_user):
    event, user = make_event(title="吴门画派"), make_user()
    reg.register(event, user)
    (mail,) = _mails(user.email)
    assert "吴门画派" in mail.subject
    (attachment,) = [a for a in mail.attachments if a["filename"].endswith(".ics")]
    cal = icalendar.Calendar.from_ical(attachment["content"])
    (vevent,) = cal.walk("VEVENT")
    assert str(vevent["uid"]) == event.uid
    assert str(vevent["status"]) == "CONFIRMED"
    assert vevent["location"] and vevent["url"]
    assert cal.walk("VTIMEZONE")[0]["tzid"] == "Asia/Shanghai"


def test_waitlisted_reader_gets_a_waitlist_mail_without_ics(make_event, make_user):
    event = make_event(capacity=1)
    reg.register(event, make_user())
    user = make_user()
    reg.register(event, user)
    (mail,) = _mails(user.email)
    assert "Waiting list" in mail.subject and mail.attachments == []


def test_reminders_go_out_once_the_day_before(make_event, make_user, runner):
    soon = make_event(starts_at=utcnow() + timedelta(hours=20))
    later = make_event(starts_at=utcnow() + timedelta(days=3))
    user = make_user()
    r = reg.register(soon, user)
    reg.register(later, user)
    assert reminders.send_due() == 1
    assert reminders.send_due() == 0
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0 and "reminders queued: 0" in result.output
    keys = [m.dedupe_key for m in _mails(user.email)]
    assert keys.count(f"reminder:registration:{r.id}") == 1
