"""With CSRF protection on, as in production: the volunteer forms carry working tokens and a
post without one is refused with a page, not a 500."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Role, Shift, ShiftSignup, VolunteerRole

TOKEN = re.compile(r'name="(s\d+-csrf_token|csrf_token)"[^>]*value="([^"]+)"')


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def _login(app, user):
    client = app.test_client()
    page = client.get("/auth/login")
    token = TOKEN.search(page.text)[2]
    response = client.post(
        "/auth/login",
        data={"email": user.email, "password": "correct horse battery", "csrf_token": token},
    )
    assert response.status_code == 302
    return client


def test_sign_up_and_attendance_forms_work_with_csrf(app, make_user, make_venue):
    role = VolunteerRole(name="图书整架")
    starts = utcnow().replace(microsecond=0) + timedelta(days=2)
    shift = Shift(
        role=role,
        venue_id=make_venue().id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        slots=2,
    )
    db.session.add(shift)
    db.session.commit()
    volunteer = _login(app, make_user(Role.VOLUNTEER))
    assert volunteer.post(f"/volunteers/shifts/{shift.id}/signup").status_code == 400
    token = TOKEN.search(volunteer.get("/volunteers/").text)[2]
    volunteer.post(f"/volunteers/shifts/{shift.id}/signup", data={"csrf_token": token})
    signup = db.session.scalar(sa.select(ShiftSignup))
    assert signup is not None

    shift.starts_at -= timedelta(days=3)
    shift.ends_at -= timedelta(days=3)
    db.session.commit()
    staff = _login(app, make_user(Role.STAFF))
    page = staff.get(f"/volunteers/staff/shifts/{shift.id}")
    name, value = TOKEN.search(page.text.split("attendance-form", 1)[1]).groups()
    staff.post(
        f"/volunteers/staff/signups/{signup.id}/attendance",
        data={name: value, f"s{signup.id}-attendance": "attended"},
    )
    db.session.expire_all()
    assert db.session.get(ShiftSignup, signup.id).credited_minutes == 120
