"""More volunteers than slots pressing "sign up" at once against a real multi-process
server (tests/live_server.py), on SQLite and PostgreSQL: slots are never overfilled and no
volunteer ends up on two overlapping shifts."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import requests
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Shift, ShiftSignup, User, VolunteerRole
from tests.conftest import TEST_PASSWORD_HASH

PASSWORD = "concurrent-volunteers"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VOLUNTEERS = 60
SLOTS = 10


def _make_volunteers(count: int) -> list[User]:
    # The cheap test hash: logging the crowd in is the preparation, not the rush.
    password_hash = generate_password_hash(PASSWORD, method=TEST_PASSWORD_HASH)
    users = [
        User(
            email=f"helper{n}@example.org",
            display_name=f"志愿者 {n}",
            role="volunteer",
            password_hash=password_hash,
            session_version=1,
        )
        for n in range(count)
    ]
    db.session.add_all(users)
    db.session.commit()
    return users


def _make_shift(venue, starts_in: timedelta, hours: int = 3, slots: int = SLOTS) -> Shift:
    role = db.session.scalar(sa.select(VolunteerRole)) or VolunteerRole(name="秩序维护")
    starts = utcnow().replace(microsecond=0) + starts_in
    shift = Shift(
        role=role,
        venue_id=venue.id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        slots=slots,
    )
    db.session.add(shift)
    db.session.commit()
    return shift


def _logged_in(base_url: str, email: str) -> tuple[requests.Session, str]:
    session = requests.Session()
    session.headers["Connection"] = "close"
    page = session.get(f"{base_url}/auth/login", timeout=60)
    response = session.post(
        f"{base_url}/auth/login",
        data={"email": email, "password": PASSWORD, "csrf_token": CSRF.search(page.text)[1]},
        allow_redirects=False,
        timeout=60,
    )
    assert response.status_code == 302, response.text[:500]
    page = session.get(f"{base_url}/volunteers/", timeout=60)
    assert page.status_code == 200
    return session, CSRF.search(page.text)[1]


def test_more_volunteers_than_slots_at_once_never_overfill(live_server, make_venue):
    shift_id = _make_shift(make_venue(), timedelta(days=3)).id
    emails = [u.email for u in _make_volunteers(VOLUNTEERS)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        prepared = list(pool.map(lambda e: _logged_in(live_server, e), emails))

    barrier = threading.Barrier(VOLUNTEERS)

    def fire(item):
        session, token = item
        barrier.wait(timeout=120)
        response = session.post(
            f"{live_server}/volunteers/shifts/{shift_id}/signup",
            data={"csrf_token": token},
            allow_redirects=False,
            timeout=180,
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=VOLUNTEERS) as pool:
        statuses = list(pool.map(fire, prepared))

    assert statuses == [302] * VOLUNTEERS  # every refusal is a message, never a 500
    db.session.expire_all()
    shift = db.session.get(Shift, shift_id)
    active = db.session.scalars(
        sa.select(ShiftSignup).where(
            ShiftSignup.shift_id == shift_id, ShiftSignup.status == "signed_up"
        )
    ).all()
    assert len(active) == shift.filled == SLOTS
    assert len({s.user_id for s in active}) == SLOTS


def test_one_volunteer_firing_at_overlapping_shifts_gets_only_one(live_server, make_venue):
    venue = make_venue()
    first = _make_shift(venue, timedelta(days=3), slots=5)
    shift_ids = [first.id] + [
        _make_shift(venue, timedelta(days=3, minutes=30 * n), slots=5).id for n in range(1, 4)
    ]
    (volunteer,) = _make_volunteers(1)
    volunteer_id = volunteer.id
    session, token = _logged_in(live_server, volunteer.email)
    cookies = session.cookies.get_dict()
    targets = shift_ids * 4  # each overlapping shift, four times over
    barrier = threading.Barrier(len(targets))

    def fire(shift_id):
        own = requests.Session()
        own.headers["Connection"] = "close"
        own.cookies.update(cookies)
        barrier.wait(timeout=60)
        return own.post(
            f"{live_server}/volunteers/shifts/{shift_id}/signup",
            data={"csrf_token": token},
            allow_redirects=False,
            timeout=120,
        ).status_code

    with ThreadPoolExecutor(max_workers=len(targets)) as pool:
        statuses = list(pool.map(fire, targets))

    assert statuses == [302] * len(targets)
    db.session.expire_all()
    active = db.session.scalars(
        sa.select(ShiftSignup).where(
            ShiftSignup.user_id == volunteer_id, ShiftSignup.status == "signed_up"
        )
    ).all()
    assert len(active) == 1
    filled = db.session.scalars(sa.select(Shift.filled).where(Shift.id.in_(shift_ids))).all()
    assert sorted(filled) == [0, 0, 0, 1]
