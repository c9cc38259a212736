"""Mails to signed-up volunteers when staff cancel their shift or change its time or place
(services/shifts/planning.py, update_shift)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.local_time import datetime_text, library_zone
from eventsys.models import OutboxMessage, Role, Shift, ShiftStatus, VolunteerRole
from eventsys.services import shifts


@pytest.fixture
def shift(app, make_venue):
    """An open three-hour shift three days ahead, with room for four."""
    role = VolunteerRole(name="阅读指导", name_en="Reading guide")
    db.session.add(role)
    db.session.commit()
    # 10:00 in Suzhou: the whole shift falls on one local day, as the edit form needs.
    starts = (utcnow() + timedelta(days=3)).replace(hour=2, minute=0, second=0, microsecond=0)
    return shifts.create_shift(
        None,
        role_id=role.id,
        venue_id=make_venue(name="报告厅").id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        slots=4,
    )


@pytest.fixture
def staff(make_user):
    return make_user(Role.STAFF)


def _signed_up(shift: Shift, make_user, count: int = 1, **fields):
    volunteers = [make_user(Role.VOLUNTEER, **fields) for _ in range(count)]
    for volunteer in volunteers:
        shifts.sign_up(shift.id, volunteer)
    return volunteers


def _mails() -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def test_cancelling_mails_each_signed_up_volunteer_once_and_not_who_withdrew(
    shift, make_user, staff
):
    first, second = _signed_up(shift, make_user, 2)
    gone = make_user(Role.VOLUNTEER)
    shifts.withdraw(shifts.sign_up(shift.id, gone), gone)

    shifts.update_shift(shift, staff, status=ShiftStatus.CANCELLED)
    shifts.update_shift(shift, staff, status=ShiftStatus.CANCELLED)  # saved twice

    mails = _mails()
    assert sorted(m.to_address for m in mails) == sorted([first.email, second.email])
    for mail in mails:
        assert mail.dedupe_key.startswith("shift-cancelled:signup:")
        assert "Cancelled" in mail.subject
        assert "is cancelled" in mail.body and "报告厅" in mail.body
        assert "Reading guide" in mail.body  # the volunteer reads English
        assert "http://127.0.0.1:5000/volunteers/mine" in mail.body


def test_changing_the_time_mails_the_new_time_and_every_later_change_again(shift, make_user, staff):
    (volunteer,) = _signed_up(shift, make_user)
    old_start = shift.starts_at
    shifts.update_shift(
        shift,
        staff,
        starts_at=shift.starts_at + timedelta(days=1, hours=1),
        ends_at=shift.ends_at + timedelta(days=1, hours=1),
    )
    (mail,) = _mails()
    with force_locale("en"):
        now, was = shifts.describe_shift(shift), datetime_text(old_start)
    assert mail.to_address == volunteer.email
    assert f"It is now:\n{now}" in mail.body and was in mail.body

    shifts.update_shift(shift, staff, ends_at=shift.ends_at + timedelta(hours=1))
    assert len(_mails()) == 2


def test_changing_the_venue_mails_the_new_place(shift, make_user, make_venue, staff):
    _signed_up(shift, make_user)
    old_venue, new_venue = shift.venue, make_venue(name="少儿阅览室")
    shifts.update_shift(shift, staff, venue_id=new_venue.id)
    (mail,) = _mails()
    # The volunteer reads English: the role is named in English only.
    assert f"It is now:\nReading guide · {new_venue} · " in mail.body
    assert f"It was:\nReading guide · {old_venue} · " in mail.body


def test_changing_only_notes_or_slots_mails_nobody(shift, make_user, staff):
    _signed_up(shift, make_user, 2)
    shifts.update_shift(shift, staff, notes="请提前十分钟到", slots=3)
    assert _mails() == []


def test_changes_to_a_shift_already_over_mail_nobody(shift, make_user, staff):
    _signed_up(shift, make_user)
    past = utcnow() - timedelta(days=2)
    db.session.execute(sa.update(Shift).values(starts_at=past, ends_at=past + timedelta(hours=3)))
    db.session.commit()
    db.session.refresh(shift)
    shifts.update_shift(shift, staff, ends_at=past + timedelta(hours=2))
    shifts.update_shift(shift, staff, status=ShiftStatus.CANCELLED)
    assert _mails() == []


def test_volunteer_gets_the_mail_in_their_own_language(shift, make_user, staff):
    (chinese,) = _signed_up(shift, make_user, locale="zh_Hans")
    (english,) = _signed_up(shift, make_user, locale="en")
    shifts.update_shift(shift, staff, status=ShiftStatus.CANCELLED)
    mails = {m.to_address: m for m in _mails()}
    assert "取消" in mails[chinese.email].subject and "取消" in mails[chinese.email].body
    assert "Hello" not in mails[chinese.email].body
    assert "Cancelled" in mails[english.email].subject and "取消" not in mails[english.email].body


def test_staff_cancelling_on_the_edit_page_mails_the_volunteers(client_as, shift, make_user):
    (volunteer,) = _signed_up(shift, make_user)
    local = shift.starts_at.astimezone(library_zone())
    response = client_as(Role.STAFF).post(
        f"/volunteers/staff/shifts/{shift.id}/edit",
        data={
            "role_id": shift.role_id,
            "venue_id": shift.venue_id,
            "day": local.date().isoformat(),
            "start_time": local.strftime("%H:%M"),
            "end_time": shift.ends_at.astimezone(library_zone()).strftime("%H:%M"),
            "slots": "4",
            "status": "cancelled",
        },
    )
    assert response.status_code == 302
    (mail,) = _mails()
    assert mail.to_address == volunteer.email
    assert "/volunteers/mine" in mail.body
