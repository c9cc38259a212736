"""Hundreds of readers pressing "register" at once against a real multi-process server."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import requests
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from eventsys.extensions import db
from eventsys.models import Event, Registration, User
from tests.conftest import TEST_PASSWORD_HASH

PASSWORD = "concurrent-readers"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ATTEMPTS = 220
SEATS = 50


def _make_readers(count: int) -> list[User]:
    # The cheap test hash: logging the crowd in is the preparation, not the rush.
    password_hash = generate_password_hash(PASSWORD, method=TEST_PASSWORD_HASH)
    users = [
        User(
            email=f"crowd{n}@example.org",
            display_name=f"读者 {n}",
            role="reader",
            password_hash=password_hash,
            session_version=1,
        )
        for n in range(count)
    ]
    db.session.add_all(users)
    db.session.commit()
    return users


def _token(response: requests.Response) -> str:
    match = CSRF.search(response.text)
    assert match, response.text[:500]
    return match.group(1)


def _logged_in_session(base_url: str, email: str) -> requests.Session:
    session = requests.Session()
    # A new connection per request: an idle kept-alive one may be closed by the server
    # while the other readers are still logging in.
    session.headers["Connection"] = "close"
    page = session.get(f"{base_url}/auth/login", timeout=60)
    response = session.post(
        f"{base_url}/auth/login",
        data={"email": email, "password": PASSWORD, "csrf_token": _token(page)},
        allow_redirects=False,
        timeout=60,
    )
    assert response.status_code == 302, response.text[:500]
    return session


def _register_form_token(session: requests.Session, base_url: str, event_id: int) -> str:
    page = session.get(f"{base_url}/events/{event_id}/register", timeout=60)
    assert page.status_code == 200
    return _token(page)


def test_two_hundred_readers_at_once_never_overbook_and_queue_in_order(live_server, make_event):
    event = make_event(capacity=SEATS, max_party_size=1, waitlist_enabled=True)
    event_id = event.id
    readers = _make_readers(ATTEMPTS)
    emails = [r.email for r in readers]

    def prepare(email):
        session = _logged_in_session(live_server, email)
        return session, _register_form_token(session, live_server, event_id)

    with ThreadPoolExecutor(max_workers=32) as pool:
        prepared = list(pool.map(prepare, emails))

    barrier = threading.Barrier(ATTEMPTS)

    def fire(item):
        session, token = item
        barrier.wait(timeout=120)
        response = session.post(
            f"{live_server}/events/{event_id}/register",
            data={"party_size": "1", "csrf_token": token},
            allow_redirects=False,
            timeout=180,
        )
        return response.status_code, response.headers.get("Location", "")

    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        results = list(pool.map(fire, prepared))

    statuses = [status for status, _location in results]
    assert statuses.count(302) == ATTEMPTS, statuses
    assert all("/registrations/" in location for _status, location in results)

    db.session.expire_all()
    event = db.session.get(Event, event_id)
    rows = db.session.scalars(
        sa.select(Registration)
        .where(Registration.event_id == event_id)
        .order_by(Registration.created_at, Registration.id)
    ).all()
    confirmed = [r for r in rows if r.status == "confirmed"]
    waitlisted = [r for r in rows if r.status == "waitlisted"]
    assert len(rows) == ATTEMPTS
    assert len({r.user_id for r in rows}) == ATTEMPTS  # no reader twice
    assert sum(r.party_size for r in confirmed) == event.seats_taken == SEATS
    assert len(waitlisted) == ATTEMPTS - SEATS
    # Seats went to the first 50 to get through; everyone after them waits, in order.
    assert max(r.created_at for r in confirmed) <= min(r.created_at for r in waitlisted)
    assert [r.status for r in rows] == ["confirmed"] * SEATS + ["waitlisted"] * (ATTEMPTS - SEATS)


def test_one_reader_firing_twenty_registrations_at_once_gets_exactly_one(
    live_server, make_event, make_user
):
    event = make_event(capacity=SEATS, max_party_size=4)
    event_id = event.id
    (reader,) = _make_readers(1)
    reader_id = reader.id
    session = _logged_in_session(live_server, reader.email)
    token = _register_form_token(session, live_server, event_id)
    cookies = session.cookies.get_dict()
    barrier = threading.Barrier(20)

    def fire(_n):
        own = requests.Session()  # its own connection, the same logged-in reader
        own.headers["Connection"] = "close"
        own.cookies.update(cookies)
        barrier.wait(timeout=60)
        response = own.post(
            f"{live_server}/events/{event_id}/register",
            data={"party_size": "2", "csrf_token": token},
            allow_redirects=False,
            timeout=120,
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(fire, range(20)))

    assert statuses == [302] * 20
    db.session.expire_all()
    active = db.session.scalars(
        sa.select(Registration).where(
            Registration.event_id == event_id,
            Registration.user_id == reader_id,
            Registration.status.in_(("confirmed", "waitlisted")),
        )
    ).all()
    assert len(active) == 1
    assert db.session.get(Event, event_id).seats_taken == 2
