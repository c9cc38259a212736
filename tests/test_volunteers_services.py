"""The volunteer rules in services/shifts/: applications, shifts, sign-up refusals,
withdrawal, staff assignment, attendance, hours, reports and reminders."""

from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.local_time import library_zone
from eventsys.models import (
    AuditEntry,
    OutboxMessage,
    Role,
    Shift,
    ShiftSignup,
    VolunteerApplication,
    VolunteerRole,
)
from eventsys.services import policies, reminders, shifts
from eventsys.services.shifts import ShiftError


@pytest.fixture(autouse=True)
def request_context(app):
    """Refusal messages are translated for the person asking, as in a request."""
    with app.test_request_context():
        yield


@pytest.fixture
def make_role(app):
    counter = iter(range(1, 1000))

    def make(name: str | None = None) -> VolunteerRole:
        role = VolunteerRole(name=name or f"阅读指导 {next(counter)}", name_en="Reading guide")
        db.session.add(role)
        db.session.commit()
        return role

    return make


@pytest.fixture
def make_shift(app, make_role, make_venue):
    """make_shift(starts_in=timedelta, hours=3, slots=2, **fields) -> an open shift."""
    state = {}

    def make(starts_in=timedelta(days=3), hours=3, slots=2, **fields) -> Shift:
        if "role_id" not in fields:
            state.setdefault("role", make_role())
            fields["role_id"] = state["role"].id
        if "venue_id" not in fields:
            state.setdefault("venue", make_venue())
            fields["venue_id"] = state["venue"].id
        starts = fields.pop("starts_at", utcnow().replace(second=0, microsecond=0) + starts_in)
        shift = Shift(
            starts_at=starts, ends_at=starts + timedelta(hours=hours), slots=slots, **fields
        )
        db.session.add(shift)
        db.session.commit()
        return shift

    return make


@pytest.fixture
def volunteer(make_user):
    return make_user(Role.VOLUNTEER)


@pytest.fixture
def staff(make_user):
    return make_user(Role.STAFF)


def _refused(code: str, call, *args, **kwargs) -> ShiftError:
    with pytest.raises(ShiftError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value.message
    assert str(caught.value)
    return caught.value


# --- applications ------------------------------------------------------------------------


def _apply(user):
    return shifts.apply(
        user,
        skills="讲故事",
        languages="中文, English",
        availability="周六上午",
        emergency_name="王芳",
        emergency_phone="13800000000",
        motivation="热爱阅读",
    )


def test_approving_an_application_makes_the_reader_a_volunteer_and_tells_them(make_user, staff):
    reader = make_user(Role.READER)
    application = _apply(reader)
    shifts.approve(application, staff, "欢迎")
    assert reader.role == Role.VOLUNTEER
    assert application.status == "approved" and application.decided_by_id == staff.id
    mail = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.to_address == reader.email)
    )
    assert mail is not None
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"volunteer_application.approved", "user.role"} <= actions


def test_rejected_applicant_stays_a_reader_and_gets_a_mail(make_user, staff):
    reader = make_user(Role.READER)
    application = _apply(reader)
    shifts.reject(application, staff, "名额已满")
    assert reader.role == Role.READER and application.status == "rejected"
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 1
    _refused("decided", shifts.approve, application, staff)


def test_second_pending_application_is_refused(make_user):
    reader = make_user(Role.READER)
    _apply(reader)
    _refused("pending", _apply, reader)


def test_volunteer_cannot_apply_again(volunteer):
    _refused("already", _apply, volunteer)


def test_application_needs_an_emergency_contact(make_user):
    reader = make_user(Role.READER)
    _refused("invalid", shifts.apply, reader, emergency_name=" ", emergency_phone="13800000000")
    assert db.session.scalar(sa.select(sa.func.count(VolunteerApplication.id))) == 0


# --- creating shifts ---------------------------------------------------------------------


def _shift_args(make_role, make_venue, **changes):
    start = utcnow().replace(microsecond=0) + timedelta(days=2)
    args = {
        "role_id": make_role().id,
        "venue_id": make_venue().id,
        "starts_at": start,
        "ends_at": start + timedelta(hours=3),
        "slots": 3,
    }
    args.update(changes)
    return args


def test_create_shift_is_audited(staff, make_role, make_venue):
    shift = shifts.create_shift(staff, **_shift_args(make_role, make_venue))
    assert shift.id and shift.uid.endswith("@eventsys") and shift.filled == 0
    assert db.session.scalar(sa.select(AuditEntry.action)) == "shift.create"


@pytest.mark.parametrize(
    "changes",
    [
        {"slots": 0},
        {"slots": -1},
        {"slots": 100000},
        {"ends_at": "start"},
        {"ends_at": "before"},
        {"role_id": 9999},
        {"venue_id": 9999},
        {"event_id": 9999},
    ],
)
def test_bad_shift_is_refused_and_nothing_saved(staff, make_role, make_venue, changes):
    args = _shift_args(make_role, make_venue)
    if changes.get("ends_at") == "start":
        changes = {"ends_at": args["starts_at"]}
    elif changes.get("ends_at") == "before":
        changes = {"ends_at": args["starts_at"] - timedelta(hours=1)}
    args.update(changes)
    _refused("invalid", shifts.create_shift, staff, **args)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Shift.id))) == 0


def test_database_refuses_zero_slots_and_overfilling(make_shift):
    shift = make_shift(slots=1)
    shift.filled = 2
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    shift.slots = 0
    shift.filled = 0
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_repeating_shifts_every_saturday_for_three_months(staff, make_role, make_venue, app):
    created = shifts.create_repeating_shifts(
        staff,
        role_id=make_role().id,
        venue_id=make_venue().id,
        first_day=date(2031, 3, 1),
        last_day=date(2031, 5, 31),
        weekdays={5},
        start_time=time(9, 0),
        end_time=time(12, 0),
        slots=4,
    )
    assert len(created) == 14  # 1 Mar 2031 is a Saturday; 31 May 2031 too
    first = created[0]
    # 09:00 in Suzhou is 01:00 UTC.
    assert (first.starts_at.hour, first.ends_at.hour) == (1, 4)
    assert all(s.starts_at.astimezone(library_zone()).weekday() == 5 for s in created)
    assert len({s.uid for s in created}) == 14


@pytest.mark.parametrize(
    ("first", "last", "weekdays", "code"),
    [
        (date(2031, 3, 2), date(2031, 3, 6), {5}, "no_shifts"),  # Sun–Thu, no Saturday
        (date(2031, 3, 1), date(2031, 2, 1), {5}, "invalid"),
        (date(2031, 1, 1), date(2031, 12, 31), set(range(7)), "too_many"),
        (date(2031, 1, 1), date(2031, 1, 31), set(), "no_shifts"),
    ],
)
def test_repeat_pattern_without_shifts_or_too_many_is_refused(
    staff, make_role, make_venue, first, last, weekdays, code
):
    _refused(
        code,
        shifts.create_repeating_shifts,
        staff,
        role_id=make_role().id,
        venue_id=make_venue().id,
        first_day=first,
        last_day=last,
        weekdays=weekdays,
        start_time=time(9),
        end_time=time(12),
        slots=2,
    )
    assert db.session.scalar(sa.select(sa.func.count(Shift.id))) == 0


def test_repeat_with_end_before_start_is_refused(staff, make_role, make_venue):
    _refused(
        "invalid",
        shifts.create_repeating_shifts,
        staff,
        role_id=make_role().id,
        venue_id=make_venue().id,
        first_day=date(2031, 3, 1),
        last_day=date(2031, 3, 31),
        weekdays={5},
        start_time=time(12),
        end_time=time(9),
        slots=2,
    )


def test_reducing_slots_below_signed_up_is_refused(make_shift, make_user, staff):
    shift = make_shift(slots=3)
    for _ in range(2):
        shifts.sign_up(shift.id, make_user(Role.VOLUNTEER))
    _refused("slots_below_filled", shifts.update_shift, shift, staff, slots=1)
    db.session.refresh(shift)
    assert shift.slots == 3
    shifts.update_shift(shift, staff, slots=2)
    assert shift.slots == 2


def test_moving_a_shift_raises_its_sequence(make_shift, staff):
    shift = make_shift()
    shifts.update_shift(shift, staff, notes="请提前十分钟到")
    assert shift.sequence == 0
    shifts.update_shift(
        shift,
        staff,
        starts_at=shift.starts_at + timedelta(hours=1),
        ends_at=shift.ends_at + timedelta(hours=1),
    )
    assert shift.sequence == 1


# --- sign-up -----------------------------------------------------------------------------


def test_volunteer_signs_up_and_slot_is_taken(make_shift, volunteer):
    shift = make_shift(slots=2)
    signup = shifts.sign_up(shift.id, volunteer)
    db.session.refresh(shift)
    assert signup.status == "signed_up" and shift.filled == 1 and shift.slots_free == 1


def test_reader_cannot_sign_up(make_shift, make_user):
    _refused("not_volunteer", shifts.sign_up, make_shift().id, make_user(Role.READER))


def test_staff_account_cannot_sign_up_as_volunteer(make_shift, staff):
    _refused("not_volunteer", shifts.sign_up, make_shift().id, staff)


def test_full_shift_is_refused(make_shift, make_user):
    shift = make_shift(slots=1)
    shifts.sign_up(shift.id, make_user(Role.VOLUNTEER))
    _refused("full", shifts.sign_up, shift.id, make_user(Role.VOLUNTEER))
    db.session.refresh(shift)
    assert shift.filled == 1


def test_past_shift_is_refused(make_shift, volunteer):
    _refused("past", shifts.sign_up, make_shift(starts_in=-timedelta(hours=1)).id, volunteer)


def test_cancelled_shift_is_refused(make_shift, volunteer):
    _refused("closed", shifts.sign_up, make_shift(status="cancelled").id, volunteer)


def test_signing_up_twice_is_refused(make_shift, volunteer):
    shift = make_shift(slots=3)
    shifts.sign_up(shift.id, volunteer)
    _refused("duplicate", shifts.sign_up, shift.id, volunteer)
    db.session.refresh(shift)
    assert shift.filled == 1


def test_overlapping_shift_is_refused_naming_the_clash(make_shift, make_role, volunteer):
    first = make_shift(starts_in=timedelta(days=3), hours=3)
    docent = make_role("展览讲解")
    clashing = make_shift(starts_in=timedelta(days=3, hours=2), hours=2, role_id=docent.id)
    shifts.sign_up(first.id, volunteer)
    error = _refused("clash", shifts.sign_up, clashing.id, volunteer)
    assert first.role.name_en in error.message  # the volunteer reads English
    assert first.venue.name in error.message
    db.session.refresh(clashing)
    assert clashing.filled == 0


def test_back_to_back_shifts_do_not_clash(make_shift, volunteer):
    first = make_shift(starts_in=timedelta(days=3), hours=2)
    second = make_shift(starts_at=first.ends_at, hours=2)
    shifts.sign_up(first.id, volunteer)
    shifts.sign_up(second.id, volunteer)


def test_signup_opens_a_set_number_of_days_ahead(make_shift, volunteer):
    policies.set_value("volunteer_signup_opens_days", 7)
    db.session.commit()
    _refused("not_open_yet", shifts.sign_up, make_shift(starts_in=timedelta(days=10)).id, volunteer)
    shifts.sign_up(make_shift(starts_in=timedelta(days=5)).id, volunteer)


def test_daily_hours_cap_is_enforced(make_shift, volunteer):
    policies.set_value("volunteer_max_hours_per_day", 4)
    db.session.commit()
    start = shifts.local_instant(shifts.local_day(utcnow()) + timedelta(days=3), time(9))
    morning = make_shift(starts_at=start, hours=3)
    afternoon = make_shift(starts_at=start + timedelta(hours=5), hours=2)
    shifts.sign_up(morning.id, volunteer)
    _refused("daily_cap", shifts.sign_up, afternoon.id, volunteer)


# --- withdrawal and removal --------------------------------------------------------------


def test_volunteer_withdraws_before_cutoff_and_slot_is_freed(make_shift, volunteer):
    shift = make_shift(starts_in=timedelta(days=3), slots=1)
    signup = shifts.sign_up(shift.id, volunteer)
    shifts.withdraw(signup, volunteer)
    db.session.refresh(shift)
    assert signup.status == "withdrawn" and shift.filled == 0
    shifts.sign_up(shift.id, volunteer)  # and may sign up again


def test_withdrawal_closes_before_the_start(make_shift, volunteer):
    shift = make_shift(starts_in=timedelta(hours=20))
    _refused("no_withdrawal", shifts.sign_up, shift.id, volunteer)  # not without knowing
    signup = shifts.sign_up(shift.id, volunteer, understood=True)
    _refused("too_late", shifts.withdraw, signup, volunteer)
    policies.set_value("volunteer_withdraw_hours", 12)
    db.session.commit()
    shifts.withdraw(signup, volunteer)


def test_volunteer_cannot_withdraw_someone_else(make_shift, volunteer, make_user):
    signup = shifts.sign_up(make_shift().id, make_user(Role.VOLUNTEER))
    _refused("not_signed_up", shifts.withdraw, signup, volunteer)


def test_staff_can_remove_after_cutoff(make_shift, volunteer, staff):
    shift = make_shift(starts_in=timedelta(hours=2))
    signup = shifts.sign_up(shift.id, volunteer, understood=True)
    shifts.staff_remove(signup, staff, "生病")
    db.session.refresh(shift)
    assert signup.status == "removed" and shift.filled == 0
    assert (
        db.session.scalar(
            sa.select(AuditEntry.action).where(AuditEntry.action == "shift_signup.remove")
        )
        is not None
    )


# --- staff assignment --------------------------------------------------------------------


def test_staff_assign_checks_clashes(make_shift, volunteer, staff):
    first = make_shift(hours=3)
    clashing = make_shift(starts_at=first.starts_at + timedelta(hours=1))
    shifts.staff_assign(first.id, volunteer, staff)
    error = _refused("clash", shifts.staff_assign, clashing.id, volunteer, staff)
    assert first.role.name_en in error.message


def test_staff_override_is_allowed_and_logged(make_shift, volunteer, staff):
    first = make_shift(hours=3)
    clashing = make_shift(starts_at=first.starts_at + timedelta(hours=1))
    shifts.staff_assign(first.id, volunteer, staff)
    signup = shifts.staff_assign(clashing.id, volunteer, staff, "两个岗位相邻，可兼顾")
    assert signup.override and signup.override_reason
    entry = db.session.scalar(
        sa.select(AuditEntry)
        .where(AuditEntry.action == "shift_signup.assign")
        .order_by(AuditEntry.id.desc())
    )
    assert entry.after["override"] is True and entry.actor_id == staff.id


def test_staff_cannot_assign_a_reader_or_overfill(make_shift, make_user, staff):
    shift = make_shift(slots=1)
    _refused("not_volunteer", shifts.staff_assign, shift.id, make_user(Role.READER), staff)
    shifts.staff_assign(shift.id, make_user(Role.VOLUNTEER), staff)
    _refused("full", shifts.staff_assign, shift.id, make_user(Role.VOLUNTEER), staff, "急需")


# --- attendance and hours ----------------------------------------------------------------


def test_attended_shift_credits_its_hours(make_shift, volunteer, staff):
    shift = make_shift(starts_in=-timedelta(days=1), hours=3)
    signup = shifts.staff_assign(shift.id, volunteer, staff)
    assert signup.credited_minutes == 0  # nothing before attendance
    shifts.mark_attendance(signup, staff, attended=True)
    assert signup.credited_minutes == 180
    year = str(shifts.local_day(shift.starts_at).year)
    assert dict(shifts.hours_by_year(volunteer))[year] == 3


def test_actual_times_change_the_credit(make_shift, volunteer, staff):
    shift = make_shift(starts_in=-timedelta(days=1), hours=3)
    signup = shifts.staff_assign(shift.id, volunteer, staff)
    shifts.mark_attendance(
        signup,
        staff,
        attended=True,
        actual_start=shift.starts_at + timedelta(minutes=30),
        actual_end=shift.ends_at,
    )
    assert signup.credited_minutes == 150


def test_actual_end_before_start_is_refused(make_shift, volunteer, staff):
    shift = make_shift(starts_in=-timedelta(days=1))
    signup = shifts.staff_assign(shift.id, volunteer, staff)
    _refused(
        "invalid",
        shifts.mark_attendance,
        signup,
        staff,
        True,
        shift.ends_at,
        shift.starts_at,
    )


def test_no_show_is_kept_without_hours(make_shift, volunteer, staff):
    shift = make_shift(starts_in=-timedelta(days=1))
    signup = shifts.staff_assign(shift.id, volunteer, staff)
    shifts.mark_attendance(signup, staff, attended=True)
    shifts.mark_attendance(signup, staff, attended=False)
    assert signup.attendance == "no_show" and signup.credited_minutes == 0
    assert signup.status == "signed_up"


def test_attendance_cannot_be_marked_before_the_shift(make_shift, volunteer, staff):
    signup = shifts.sign_up(make_shift().id, volunteer)
    _refused("future", shifts.mark_attendance, signup, staff, True)


def test_overlapping_time_is_never_credited_twice(make_shift, volunteer, staff):
    first = make_shift(starts_in=-timedelta(days=1), hours=3)
    second = make_shift(starts_at=first.starts_at + timedelta(hours=2), hours=2)
    a = shifts.staff_assign(first.id, volunteer, staff)
    b = shifts.staff_assign(second.id, volunteer, staff, "override: same building")
    shifts.mark_attendance(b, staff, attended=True)
    shifts.mark_attendance(a, staff, attended=True)
    # 3 h + 2 h with one hour in common: four hours in all, whatever the marking order.
    assert a.credited_minutes + b.credited_minutes == 240
    shifts.mark_attendance(b, staff, attended=True)
    assert a.credited_minutes + b.credited_minutes == 240


# --- reports -----------------------------------------------------------------------------


def test_volunteer_figures_group_hours(make_shift, make_role, make_user, staff, make_venue):
    start = utcnow() - timedelta(days=2)
    one, two = make_user(Role.VOLUNTEER), make_user(Role.VOLUNTEER)
    shelving = make_role("图书整架")
    a = make_shift(starts_at=start, hours=2, slots=3)
    b = make_shift(
        starts_at=start + timedelta(days=1), hours=3, role_id=shelving.id, venue_id=make_venue().id
    )
    for shift, volunteer in ((a, one), (a, two), (b, one)):
        signup = shifts.staff_assign(shift.id, volunteer, staff)
        shifts.mark_attendance(signup, staff, attended=True)
    absent = shifts.staff_assign(b.id, two, staff)
    shifts.mark_attendance(absent, staff, attended=False)

    figures = shifts.volunteer_figures(start - timedelta(days=1), utcnow())
    assert figures["active_volunteers"] == 2
    assert figures["hours"] == 7
    assert figures["attended"] == 3 and figures["no_shows"] == 1
    assert {r["name"]: r["hours"] for r in figures["by_volunteer"]} == {
        one.display_name: 5,
        two.display_name: 2,
    }
    assert {r["role"]: r["hours"] for r in figures["by_role"]}["图书整架"] == 3
    assert sorted(r["hours"] for r in figures["by_centre"]) == [3, 4]
    assert sum(r["hours"] for r in figures["by_month"]) == 7
    empty = shifts.volunteer_figures(utcnow() + timedelta(days=400), utcnow() + timedelta(days=500))
    assert empty["active_volunteers"] == 0 and empty["hours"] == 0


# --- reminders ---------------------------------------------------------------------------


def test_reminder_goes_out_once_the_day_before(make_shift, volunteer, make_user):
    soon = make_shift(starts_in=timedelta(hours=20))
    later = make_shift(starts_in=timedelta(days=3))
    signup = shifts.sign_up(soon.id, volunteer, understood=True)
    shifts.sign_up(later.id, volunteer)
    withdrawn = shifts.sign_up(soon.id, make_user(Role.VOLUNTEER), understood=True)
    withdrawn.status = "withdrawn"
    db.session.commit()

    reminders.send_due()
    reminders.send_due()
    keys = list(db.session.scalars(sa.select(OutboxMessage.dedupe_key)))
    assert keys == [f"reminder:signup:{signup.id}"]
    mail = db.session.scalar(sa.select(OutboxMessage))
    assert mail.to_address == volunteer.email and soon.role.name_en in mail.body


def test_no_signup_row_is_half_saved_on_refusal(make_shift, volunteer):
    shift = make_shift(slots=1)
    shifts.sign_up(shift.id, volunteer)
    _refused("duplicate", shifts.sign_up, shift.id, volunteer)
    assert db.session.scalar(sa.select(sa.func.count(ShiftSignup.id))) == 1
