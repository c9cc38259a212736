"""Registrations on the demo programme: a full lecture with a waiting list (register as the
demo reader and watch the list move when staff cancel a party or add seats), a confirmed
seat for the demo reader, and past 2021 lectures with check-ins and no-shows."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from eventsys.db_types import utcnow
from eventsys.demo import DEMO_PASSWORD
from eventsys.extensions import db
from eventsys.models import Branch, Event, EventStatus, Registration, User, Venue

FULL_LECTURE_UID = "demo-registrations-full-lecture@eventsys"
SEATS = 30
WAITING = 3
ZONE = ZoneInfo("Asia/Shanghai")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗"
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛")


def _readers(count: int) -> list[User]:
    password_hash = generate_password_hash(DEMO_PASSWORD, method="scrypt")  # once, not per reader
    readers = []
    for n in range(1, count + 1):
        email = f"reader{n:02d}@demo.eventsys"
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            user = User(
                email=email,
                display_name=SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)],
                role="reader",
                card_number=f"SZ2021{n:04d}",
                phone=f"1380000{n:04d}",
                password_hash=password_hash,
                session_version=1,
            )
            db.session.add(user)
        readers.append(user)
    db.session.flush()
    return readers


def _hall() -> Venue | None:
    return db.session.scalar(
        sa.select(Venue)
        .join(Branch, Branch.id == Venue.branch_id)
        .where(Branch.code == "renmin", Venue.name == "学术报告厅")
    )


def _add(event: Event, user: User, status: str, at: datetime, **fields) -> Registration:
    registration = Registration(
        event=event,
        user=user,
        party_size=fields.pop("party_size", 1),
        status=status,
        source=fields.pop("source", "online"),
        created_at=at,
        confirmed_at=at if status != "waitlisted" else None,
        **fields,
    )
    db.session.add(registration)
    if status == "confirmed":
        event.seats_taken += registration.party_size
    return registration


def _full_lecture(hall: Venue, readers: list[User]) -> None:
    now = utcnow()
    day = (now.astimezone(ZONE) + timedelta(days=3)).date()
    start = datetime.combine(day, time(19, 0), tzinfo=ZONE).astimezone(UTC)
    event = Event(
        uid=FULL_LECTURE_UID,
        kind="lecture",
        title="名家讲座：苏州园林的诗意栖居",
        description="一场座无虚席的讲座：名额已满，可登记候补，有人取消时按登记顺序依次递补。",
        title_en="Master Lecture: Poetic Dwelling in the Gardens of Suzhou",
        description_en="A full house: join the waiting list and move up as others cancel.",
        venue=hall,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        audience="adults",
        capacity=SEATS,
        max_party_size=2,
        waitlist_enabled=True,
        registration_opens_at=now - timedelta(days=5),
        registration_closes_at=start - timedelta(hours=2),
        status=EventStatus.PUBLISHED.value,
        sequence=1,
        seats_taken=0,
        walk_ins=0,
        speaker_name="陈教授",
        speaker_title="园林史研究学者",
    )
    db.session.add(event)
    at = now - timedelta(days=4)
    for n, reader in enumerate(readers[: SEATS + WAITING]):
        status = "confirmed" if n < SEATS else "waitlisted"
        needs = "wheelchair" if n == 4 else ("hearing_loop" if n == 11 else "")
        _add(event, reader, status, at + timedelta(minutes=7 * n), needs=needs)


def _demo_reader_seat() -> None:
    reader = db.session.scalar(sa.select(User).where(User.email == "reader@demo.eventsys"))
    if reader is None:
        return
    now = utcnow()
    event = db.session.scalar(
        sa.select(Event)
        .where(
            Event.status == EventStatus.PUBLISHED.value,
            Event.kind == "lecture",
            Event.capacity > Event.seats_taken + 1,
            Event.starts_at > now + timedelta(days=1),
            Event.uid != FULL_LECTURE_UID,
        )
        .order_by(Event.starts_at)
        .limit(1)
    )
    if event is not None:
        _add(event, reader, "confirmed", now - timedelta(days=1), party_size=2)


def _past_lectures(readers: list[User]) -> None:
    """Attendance of past lectures: most came, some were no-shows; the events are closed."""
    now = utcnow()
    events = db.session.scalars(
        sa.select(Event)
        .where(
            Event.status == EventStatus.PUBLISHED.value,
            Event.kind == "lecture",
            Event.capacity.is_not(None),
            Event.starts_at < now - timedelta(days=1),
            Event.closed_at.is_(None),
        )
        .order_by(Event.starts_at.desc())
        .limit(6)
    ).all()
    for k, event in enumerate(events):
        for n, reader in enumerate(readers[k : k + 12]):
            if event.seats_taken + 1 > event.capacity:
                break
            came = n % 6 != 5
            registration = _add(event, reader, "confirmed", event.starts_at - timedelta(days=3))
            if came:
                registration.checked_in_at = event.starts_at - timedelta(minutes=10)
            else:
                registration.status = "no_show"
                event.seats_taken -= registration.party_size
        event.walk_ins = 5 + k
        event.closed_at = event.ends_at + timedelta(minutes=30)


def load() -> None:
    if db.session.scalar(sa.select(Event.id).where(Event.uid == FULL_LECTURE_UID)):
        return None  # loaded before
    hall = _hall()
    if hall is None:
        return None
    readers = _readers(SEATS + WAITING + 3)
    _full_lecture(hall, readers)
    _demo_reader_seat()
    _past_lectures(readers)
    db.session.flush()
    return None
