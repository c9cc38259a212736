"""The volunteer pages as people use them: apply, approval, sign-up, my shifts, certificate,
and the staff side (applications, shifts, repeating shifts, roster exports, attendance)."""

import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.local_time import library_zone
from eventsys.models import Role, Shift, ShiftSignup, VolunteerApplication, VolunteerRole
from eventsys.services import shifts


@pytest.fixture
def role(app):
    role = VolunteerRole(name="阅读指导", name_en="Reading guide")
    db.session.add(role)
    db.session.commit()
    return role


@pytest.fixture
def make_shift(app, role, make_venue):
    state = {}

    def make(starts_in=timedelta(days=3), hours=3, slots=2, **fields) -> Shift:
        state.setdefault("venue", make_venue(name="少儿活动室"))
        starts = fields.pop("starts_at", utcnow().replace(second=0, microsecond=0) + starts_in)
        shift = Shift(
            role_id=fields.pop("role_id", role.id),
            venue_id=fields.pop("venue_id", state["venue"].id),
            starts_at=starts,
            ends_at=starts + timedelta(hours=hours),
            slots=slots,
            **fields,
        )
        db.session.add(shift)
        db.session.commit()
        return shift

    return make


APPLICATION = {
    "skills": "讲故事",
    "languages": "中文",
    "availability": "周六上午",
    "emergency_name": "王芳",
    "emergency_phone": "13800000000",
    "motivation": "热爱阅读",
}


def test_done_when_journey(client_as, make_shift, app):
    """A new user applies, staff approve, two sign-ups, a clashing third refused naming the
    clash, marked attended, the hours on the certificate."""
    reader = client_as(Role.READER)
    staff = client_as(Role.STAFF)

    page = reader.get("/volunteers/")
    assert "/volunteers/apply" in page.text
    response = reader.post("/volunteers/apply", data=APPLICATION, follow_redirects=True)
    assert response.status_code == 200
    application = db.session.scalar(sa.select(VolunteerApplication))
    assert application.status == "applied"

    listing = staff.get("/volunteers/staff/applications")
    assert "13800000000" in listing.text and reader.user.display_name in listing.text
    staff.post(f"/volunteers/staff/applications/{application.id}/approve", data={"note": "欢迎"})
    db.session.expire_all()
    assert reader.user.role == Role.VOLUNTEER

    first = make_shift(starts_in=timedelta(days=3), hours=3)
    second = make_shift(starts_in=timedelta(days=4), hours=3)
    clashing = make_shift(starts_at=first.starts_at + timedelta(hours=1), hours=3)
    listing = reader.get("/volunteers/")
    assert "Reading guide" in listing.text  # the role in the page's language
    assert f"/volunteers/shifts/{first.id}/signup" in listing.text
    assert reader.post(f"/volunteers/shifts/{first.id}/signup").status_code == 302
    assert reader.post(f"/volunteers/shifts/{second.id}/signup").status_code == 302
    refused = reader.post(f"/volunteers/shifts/{clashing.id}/signup", follow_redirects=True)
    assert "overlaps" in refused.text or "重叠" in refused.text
    assert "少儿活动室" in refused.text  # names the clashing shift's place

    mine = reader.get("/volunteers/mine")
    assert mine.text.count("Reading guide") >= 2

    # The first shift happened: staff mark it attended.
    db.session.expire_all()
    shift = db.session.get(Shift, first.id)
    shift.starts_at -= timedelta(days=5)
    shift.ends_at -= timedelta(days=5)
    db.session.commit()
    signup = db.session.scalar(sa.select(ShiftSignup).where(ShiftSignup.shift_id == first.id))
    page = staff.get(f"/volunteers/staff/shifts/{first.id}")
    assert reader.user.display_name in page.text
    staff.post(
        f"/volunteers/staff/signups/{signup.id}/attendance",
        data={f"s{signup.id}-attendance": "attended"},
    )
    year = shifts.local_day(shift.starts_at).year
    certificate = reader.get(f"/volunteers/certificate?year={year}")
    assert certificate.status_code == 200
    assert "@media print" not in certificate.text  # print rules live in the stylesheet
    assert re.search(r"\b3(\.0)?\b", certificate.text)
    assert reader.user.display_name in certificate.text


def test_reader_cannot_open_staff_pages_or_sign_up(client_as, make_shift):
    reader = client_as(Role.READER)
    shift = make_shift()
    for url in (
        "/volunteers/staff/shifts",
        "/volunteers/staff/applications",
        "/volunteers/staff/roster",
        "/volunteers/staff/reports",
        "/volunteers/staff/shifts/new",
        f"/volunteers/staff/shifts/{shift.id}",
        "/volunteers/mine",
        "/volunteers/certificate",
    ):
        assert reader.get(url).status_code == 403, url
    assert reader.post(f"/volunteers/shifts/{shift.id}/signup").status_code == 403


def test_anonymous_visitor_is_sent_to_log_in(client, make_shift):
    assert client.get("/volunteers/").status_code == 200
    assert client.get("/volunteers/apply").status_code == 302
    assert client.get("/volunteers/staff/shifts").status_code in (302, 401)


def test_apply_form_shows_errors_for_missing_emergency_contact(client_as):
    reader = client_as(Role.READER)
    response = reader.post("/volunteers/apply", data={**APPLICATION, "emergency_phone": ""})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.text
    assert db.session.scalar(sa.select(sa.func.count(VolunteerApplication.id))) == 0


def test_account_page_shows_application_status_and_hours(client_as):
    reader = client_as(Role.READER)
    reader.post("/volunteers/apply", data=APPLICATION)
    page = reader.get("/auth/account")
    assert "/volunteers/apply" not in page.text or "waiting" in page.text.lower()
    volunteer = client_as(Role.VOLUNTEER)
    page = volunteer.get("/auth/account")
    assert "/volunteers/certificate" in page.text


def test_volunteer_cannot_withdraw_someone_elses_signup(client_as, make_shift):
    owner, other = client_as(Role.VOLUNTEER), client_as(Role.VOLUNTEER)
    shift = make_shift()
    owner.post(f"/volunteers/shifts/{shift.id}/signup")
    signup = db.session.scalar(sa.select(ShiftSignup))
    assert other.post(f"/volunteers/signups/{signup.id}/withdraw").status_code == 404
    assert owner.post(f"/volunteers/signups/{signup.id}/withdraw").status_code == 302
    db.session.expire_all()
    assert db.session.get(ShiftSignup, signup.id).status == "withdrawn"


def test_full_shift_refusal_is_shown_not_a_500(client_as, make_shift):
    shift = make_shift(slots=1)
    client_as(Role.VOLUNTEER).post(f"/volunteers/shifts/{shift.id}/signup")
    response = client_as(Role.VOLUNTEER).post(
        f"/volunteers/shifts/{shift.id}/signup", follow_redirects=True
    )
    assert response.status_code == 200
    assert "full" in response.text or "已满" in response.text


def test_unknown_shift_is_404(client_as):
    assert client_as(Role.VOLUNTEER).post("/volunteers/shifts/999/signup").status_code == 404
    assert client_as(Role.STAFF).get("/volunteers/staff/shifts/999").status_code == 404


def test_staff_create_shift_form_refuses_end_before_start_and_zero_slots(
    client_as, role, make_venue
):
    staff = client_as(Role.STAFF)
    venue = make_venue()
    form = {
        "role_id": role.id,
        "venue_id": venue.id,
        "day": "2031-03-01",
        "start_time": "12:00",
        "end_time": "09:00",
        "slots": "3",
    }
    response = staff.post("/volunteers/staff/shifts/new", data=form)
    assert response.status_code == 200 and "form-errors" in response.text
    response = staff.post(
        "/volunteers/staff/shifts/new", data={**form, "end_time": "15:00", "slots": "0"}
    )
    assert response.status_code == 200 and 'aria-invalid="true"' in response.text
    response = staff.post("/volunteers/staff/shifts/new", data={**form, "day": "not a day"})
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(Shift.id))) == 0
    response = staff.post("/volunteers/staff/shifts/new", data={**form, "end_time": "15:00"})
    assert response.status_code == 302
    shift = db.session.scalar(sa.select(Shift))
    assert shift.starts_at.hour == 4  # 12:00 in Suzhou


def test_staff_repeating_shifts_form(client_as, role, make_venue):
    staff = client_as(Role.STAFF)
    form = {
        "role_id": role.id,
        "venue_id": make_venue().id,
        "first_day": "2031-03-01",
        "last_day": "2031-05-31",
        "weekdays": ["5"],
        "start_time": "09:00",
        "end_time": "12:00",
        "slots": "4",
    }
    response = staff.post("/volunteers/staff/shifts/repeat", data=form, follow_redirects=True)
    assert response.status_code == 200 and "14" in response.text
    assert db.session.scalar(sa.select(sa.func.count(Shift.id))) == 14
    too_many = {
        **form,
        "first_day": "2031-01-01",
        "last_day": "2031-12-31",
        "weekdays": [str(d) for d in range(7)],
    }
    response = staff.post("/volunteers/staff/shifts/repeat", data=too_many)
    assert response.status_code == 400 and "200" in response.text
    none = {**form, "first_day": "2031-03-02", "last_day": "2031-03-06"}
    response = staff.post("/volunteers/staff/shifts/repeat", data=none)
    assert response.status_code == 400 and "form-errors" in response.text
    assert db.session.scalar(sa.select(sa.func.count(Shift.id))) == 14


def test_staff_edit_refuses_slots_below_signed_up(client_as, make_shift):
    shift = make_shift(slots=2)
    for _ in range(2):
        client_as(Role.VOLUNTEER).post(f"/volunteers/shifts/{shift.id}/signup")
    staff = client_as(Role.STAFF)
    page = staff.get(f"/volunteers/staff/shifts/{shift.id}/edit")
    assert page.status_code == 200
    local = shift.starts_at.astimezone(library_zone())
    response = staff.post(
        f"/volunteers/staff/shifts/{shift.id}/edit",
        data={
            "role_id": shift.role_id,
            "venue_id": shift.venue_id,
            "day": local.date().isoformat(),
            "start_time": local.strftime("%H:%M"),
            "end_time": shift.ends_at.astimezone(library_zone()).strftime("%H:%M"),
            "slots": "1",
            "status": "open",
        },
    )
    assert response.status_code == 200 and "form-errors" in response.text
    db.session.expire_all()
    assert db.session.get(Shift, shift.id).slots == 2


def test_staff_list_shows_filling_level(client_as, make_shift):
    shift = make_shift(slots=3)
    client_as(Role.VOLUNTEER).post(f"/volunteers/shifts/{shift.id}/signup")
    page = client_as(Role.STAFF).get("/volunteers/staff/shifts")
    assert page.status_code == 200
    assert re.search(r"1\D+3\D+2", page.text)  # 1 of 3 filled, 2 free


def test_staff_assign_with_and_without_override(client_as, make_shift):
    volunteer = client_as(Role.VOLUNTEER)
    first = make_shift(hours=3)
    clashing = make_shift(starts_at=first.starts_at + timedelta(hours=1))
    volunteer.post(f"/volunteers/shifts/{first.id}/signup")
    staff = client_as(Role.STAFF)
    refused = staff.post(
        f"/volunteers/staff/shifts/{clashing.id}/assign",
        data={"email": volunteer.user.email},
        follow_redirects=True,
    )
    assert refused.status_code == 400 and "override reason" in refused.text
    assert (
        db.session.scalar(
            sa.select(sa.func.count(ShiftSignup.id)).where(ShiftSignup.shift_id == clashing.id)
        )
        == 0
    )
    staff.post(
        f"/volunteers/staff/shifts/{clashing.id}/assign",
        data={"email": volunteer.user.email, "override_reason": "同一楼层"},
    )
    signup = db.session.scalar(sa.select(ShiftSignup).where(ShiftSignup.shift_id == clashing.id))
    assert signup.override and signup.override_reason == "同一楼层"
    unknown = staff.post(
        f"/volunteers/staff/shifts/{clashing.id}/assign",
        data={"email": "nobody@example.org"},
        follow_redirects=True,
    )
    assert unknown.status_code == 400 and "no account with this email" in unknown.text


def test_roster_exports_csv_and_excel(client_as, make_shift):
    volunteer = client_as(Role.VOLUNTEER)
    shift = make_shift(starts_in=timedelta(days=1))
    volunteer.post(f"/volunteers/shifts/{shift.id}/signup", data={"understood": "y"})
    staff = client_as(Role.STAFF)
    day = shifts.local_day(shift.starts_at).isoformat()
    page = staff.get(f"/volunteers/staff/roster?from={day}")
    assert volunteer.user.display_name in page.text
    csv_response = staff.get(f"/volunteers/staff/roster?from={day}&format=csv")
    assert csv_response.mimetype == "text/csv"
    text = csv_response.data.decode("utf-8-sig")
    assert "阅读指导" in text and volunteer.user.email in text
    xlsx = staff.get(f"/volunteers/staff/roster?shift={shift.id}&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Date" and rows[1][6] == volunteer.user.display_name
    branch = shift.venue.branch_id
    assert volunteer.user.email in staff.get(
        f"/volunteers/staff/roster?from={day}&branch={branch}&format=csv"
    ).data.decode("utf-8-sig")


def test_bad_filters_are_ignored_with_a_message(client_as):
    staff = client_as(Role.STAFF)
    for url in (
        "/volunteers/staff/shifts?from=yesterday&branch=abc",
        "/volunteers/staff/roster?from=2021-13-45",
        "/volunteers/staff/reports?from=2021-05-01&to=2021-01-01",
        "/volunteers/?from=x&to=y&role=zz",
        "/volunteers/certificate?year=99999",
    ):
        assert staff.get(url).status_code in (200, 403), url
    assert client_as(Role.VOLUNTEER).get("/volunteers/certificate?year=abc").status_code == 200


def test_reports_page_shows_hours(client_as, make_shift):
    volunteer = client_as(Role.VOLUNTEER)
    staff = client_as(Role.STAFF)
    shift = make_shift(starts_in=-timedelta(days=1), hours=2)
    staff.post(f"/volunteers/staff/shifts/{shift.id}/assign", data={"email": volunteer.user.email})
    signup = db.session.scalar(sa.select(ShiftSignup))
    staff.post(
        f"/volunteers/staff/signups/{signup.id}/attendance",
        data={f"s{signup.id}-attendance": "attended", f"s{signup.id}-actual_start": "bad"},
    )
    db.session.expire_all()
    assert db.session.get(ShiftSignup, signup.id).attendance is None  # bad time refused
    staff.post(
        f"/volunteers/staff/signups/{signup.id}/attendance",
        data={f"s{signup.id}-attendance": "attended"},
    )
    year = shifts.local_day(shift.starts_at).year
    page = staff.get(f"/volunteers/staff/reports?from={date(year, 1, 1)}&to={date(year, 12, 31)}")
    assert page.status_code == 200
    assert volunteer.user.display_name in page.text and "2.0" in page.text


def test_personal_data_export_and_closing_cover_the_application(client_as, app):
    from eventsys.services import accounts

    reader = client_as(Role.READER)
    reader.post("/volunteers/apply", data=APPLICATION)
    data = accounts.personal_data(reader.user)
    assert data["volunteer_applications"][0]["emergency_contact"] == "王芳 13800000000"
    accounts.close_account(reader.user)
    db.session.commit()
    application = db.session.scalar(sa.select(VolunteerApplication))
    assert application.emergency_phone == "" and application.motivation == ""
