"""The demo's 2021 readers and volunteers, and the volunteers' shifts with their hours."""

from datetime import date, timedelta

import sqlalchemy as sa

from eventsys.demo import DEMO_PASSWORD
from eventsys.demo.year.plan import YEAR
from eventsys.demo.year.state import YearState
from eventsys.extensions import db
from eventsys.models import Event, Shift, ShiftSignup, User, VolunteerApplication, VolunteerRole
from eventsys.models.users import hash_password

READERS = 400
VOLUNTEERS = 40


def users(prefix: str, count: int, role: str, card: str) -> list[int]:
    emails = [f"{prefix}{n:04d}@demo.eventsys" for n in range(1, count + 1)]
    existing = set(db.session.scalars(sa.select(User.email).where(User.email.in_(emails))))
    password_hash = hash_password(DEMO_PASSWORD)  # once for all of them
    surnames, given = (
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许",
        "伟芳娜敏静丽强磊洋艳勇军杰娟涛明超秀霞平刚桂",
    )
    rows = [
        {
            "email": email,
            "display_name": surnames[n % len(surnames)]
            + given[(n * 7) % len(given)]
            + (given[(n * 3) % len(given)] if n % 3 else ""),
            "role": role,
            "card_number": f"{card}{n:06d}",
            "phone": None,
            "password_hash": password_hash,
            "session_version": 1,
            "login_generation": 1,
            "locale": "zh_Hans",
            "active": True,
        }
        for n, email in enumerate(emails, start=1)
        if email not in existing
    ]
    if rows:
        db.session.execute(User.__table__.insert(), rows)
    return list(db.session.scalars(sa.select(User.id).where(User.email.in_(emails))))


# Volunteer roles by event kind, with slots per shift.
SHIFT_ROLES = {
    "lecture": ("讲座服务", 2),
    "reading": ("少儿故事会", 1),
    "guided_tour": ("展览讲解", 1),
}


def volunteers(year: YearState) -> None:
    """Volunteers, approved; shifts at the year's lectures, story times and tours, and a
    docent at each gallery on weekends; attendance recorded and hours credited."""
    rng = year.rng
    ids = users("volunteer2021-", VOLUNTEERS, "volunteer", "SZV")
    applied = set(
        db.session.scalars(
            sa.select(VolunteerApplication.user_id).where(VolunteerApplication.user_id.in_(ids))
        )
    )
    decided = year.at(date(YEAR, 1, 4), "10:00")
    applications = [
        {
            "user_id": user_id,
            "skills": rng.choice(("讲故事", "熟悉图书分类", "讲解经验", "组织能力强")),
            "languages": rng.choice(("中文", "中文, English")),
            "availability": "周末",
            "emergency_name": "家属",
            "emergency_phone": "13900000000",
            "motivation": "希望为苏州图书馆的读者服务。",
            "status": "approved",
            "created_at": decided - timedelta(days=10),
            "decided_at": decided,
        }
        for user_id in ids
        if user_id not in applied
    ]
    if applications:
        db.session.execute(VolunteerApplication.__table__.insert(), applications)
    roles = dict(db.session.execute(sa.select(VolunteerRole.name, VolunteerRole.id)).all())
    events = db.session.execute(
        sa.select(Event.id, Event.venue_id, Event.starts_at, Event.ends_at, Event.kind)
        .where(
            Event.uid.like("demo-y2021-%"),
            Event.status == "published",
            Event.kind.in_(list(SHIFT_ROLES)),
            Event.online.is_(False),
        )
        .order_by(Event.starts_at)
    ).all()
    shifts = []
    for event_id, venue_id, starts_at, ends_at, kind in events:
        role_name, slots = SHIFT_ROLES[kind]
        if role_name not in roles or rng.random() < 0.3:
            continue
        shifts.append(
            {
                "uid": f"demo-y2021-shift-{event_id}@eventsys",
                "role_id": roles[role_name],
                "venue_id": venue_id,
                "event_id": event_id,
                "starts_at": starts_at - timedelta(minutes=30),
                "ends_at": ends_at + timedelta(minutes=30),
                "slots": slots,
                "filled": 0,
                "notes": "请提前十分钟到志愿者服务台签到。",
                "status": "open",
                "sequence": 0,
            }
        )
    if not shifts:
        return
    db.session.execute(Shift.__table__.insert(), shifts)
    rows = db.session.execute(
        sa.select(Shift.id, Shift.starts_at, Shift.ends_at, Shift.slots).where(
            Shift.uid.like("demo-y2021-shift-%")
        )
    ).all()
    busy: set[tuple[int, date]] = set()
    signups, filled = [], []
    for shift_id, starts_at, ends_at, slots in rows:
        day = year.local_day(starts_at)
        people = [u for u in rng.sample(ids, min(len(ids), 6)) if (u, day) not in busy][:slots]
        for user_id in people:
            busy.add((user_id, day))
            attended = rng.random() < 0.92
            minutes = int((ends_at - starts_at).total_seconds() // 60)
            signups.append(
                {
                    "shift_id": shift_id,
                    "user_id": user_id,
                    "status": "signed_up",
                    "attendance": "attended" if attended else "no_show",
                    "credited_minutes": minutes if attended else 0,
                    "created_at": starts_at - timedelta(days=rng.randint(2, 10)),
                    "marked_at": ends_at,
                    "override": False,
                    "override_reason": "",
                }
            )
        filled.append({"b_id": shift_id, "b_filled": len(people)})
    if signups:
        db.session.execute(ShiftSignup.__table__.insert(), signups)
    table = Shift.__table__
    db.session.execute(
        table.update()
        .where(table.c.id == sa.bindparam("b_id"))
        .values(filled=sa.bindparam("b_filled")),
        filled,
        execution_options={"synchronize_session": False},
    )
