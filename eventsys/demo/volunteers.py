"""Volunteer service demo: roles, approved volunteers, a pending application, a month of
shifts from today at both centres (some full, some with free slots) and a little history
with credited hours. Loading again creates nothing twice."""

from datetime import time, timedelta

import sqlalchemy as sa

from eventsys.db_types import utcnow
from eventsys.demo import DEMO_PASSWORD, DemoAccount
from eventsys.extensions import db
from eventsys.models import (
    Attendance,
    Branch,
    Role,
    Shift,
    ShiftSignup,
    User,
    Venue,
    VolunteerApplication,
    VolunteerRole,
)
from eventsys.services.shifts import local_day, local_instant

ROLES = [
    ("阅读指导", "Reading guide", "帮助读者查找图书、使用自助借还设备。"),
    ("展览讲解", "Exhibition docent", "为观众讲解展览内容，引导参观路线。"),
    ("讲座服务", "Lecture support", "讲座签到、引导入座、传递话筒。"),
    ("秩序维护", "Order keeping", "维护阅览区和活动现场秩序。"),
    ("图书整架", "Shelving", "按索书号整理书架、归还图书。"),
    ("少儿故事会", "Children's story time", "为小读者讲故事、带领亲子阅读活动。"),
]

# email, name, skills, languages
VOLUNTEERS = [
    ("chen.xiaoyan@demo.eventsys", "陈晓燕", "小学教师，擅长讲故事", "中文"),
    ("zhou.wenjie@demo.eventsys", "周文杰", "大学生，熟悉图书分类", "中文, English"),
    ("wu.jiayi@demo.eventsys", "吴佳怡", "英语导游经验", "中文, English, 日本語"),
    ("liu.yang@demo.eventsys", "刘洋", "退休工程师，组织能力强", "中文"),
]
PENDING = ("zhao.lei@demo.eventsys", "赵磊")

# (branch code, venue name, role name, weekdays (Mon = 0), start, end, slots)
PATTERNS = [
    ("renmin", "少儿活动室", "少儿故事会", {5, 6}, time(9, 30), time(11, 30), 3),
    ("renmin", "一楼展厅", "展览讲解", {1, 3, 5}, time(14, 0), time(17, 0), 2),
    ("renmin", "学术报告厅", "讲座服务", {5}, time(13, 30), time(16, 30), 4),
    ("second", "国际交流展厅", "展览讲解", {2, 4, 6}, time(9, 0), time(12, 0), 2),
    ("second", "少儿馆故事屋", "少儿故事会", {6}, time(14, 0), time(16, 0), 2),
    ("second", "报告厅", "秩序维护", {5}, time(9, 0), time(12, 0), 3),
    ("second", "研讨室", "图书整架", {1, 2, 3, 4}, time(14, 0), time(16, 0), 2),
]


def _role(name: str, name_en: str, description: str) -> VolunteerRole:
    role = db.session.scalar(sa.select(VolunteerRole).where(VolunteerRole.name == name))
    if role is None:
        role = VolunteerRole(name=name, name_en=name_en, description=description)
        db.session.add(role)
        db.session.flush()
    return role


def _user(email: str, name: str, role: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, display_name=name, role=role, session_version=1)
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        db.session.flush()
    return user


def _application(user: User, skills: str, languages: str, status: str) -> None:
    exists = db.session.scalar(
        sa.select(VolunteerApplication.id).where(VolunteerApplication.user_id == user.id)
    )
    if exists is None:
        db.session.add(
            VolunteerApplication(
                user_id=user.id,
                skills=skills,
                languages=languages,
                availability="周末上午 / 工作日下午",
                emergency_name="家属",
                emergency_phone="13900000000",
                motivation="希望为苏州图书馆的读者服务。",
                status=status,
                decided_at=utcnow() if status != "applied" else None,
            )
        )


def _venue(branch_code: str, name: str) -> Venue | None:
    return db.session.scalar(
        sa.select(Venue).join(Venue.branch).where(Branch.code == branch_code, Venue.name == name)
    )


def _shift(role: VolunteerRole, venue: Venue, day, start: time, end: time, slots: int) -> Shift:
    starts_at = local_instant(day, start)
    shift = db.session.scalar(
        sa.select(Shift).where(
            Shift.role_id == role.id, Shift.venue_id == venue.id, Shift.starts_at == starts_at
        )
    )
    if shift is None:
        shift = Shift(
            role_id=role.id,
            venue_id=venue.id,
            starts_at=starts_at,
            ends_at=local_instant(day, end),
            slots=slots,
            notes="请提前十分钟到志愿者服务台签到。",
        )
        db.session.add(shift)
        db.session.flush()
    return shift


def _sign_up(shift: Shift, user: User, attended: bool = False) -> None:
    """Directly, keeping the ``filled`` counter; the demo plan never overlaps or overfills."""
    exists = db.session.scalar(
        sa.select(ShiftSignup.id).where(
            ShiftSignup.shift_id == shift.id, ShiftSignup.user_id == user.id
        )
    )
    if exists is not None or shift.filled >= shift.slots:
        return
    signup = ShiftSignup(shift_id=shift.id, user_id=user.id, status="signed_up")
    if attended:
        signup.attendance = Attendance.ATTENDED
        signup.credited_minutes = shift.minutes
        signup.marked_at = shift.ends_at
    db.session.add(signup)
    shift.filled += 1


def load() -> list[DemoAccount]:
    roles = {name: _role(name, name_en, text) for name, name_en, text in ROLES}
    volunteers = []
    for email, name, skills, languages in VOLUNTEERS:
        user = _user(email, name, Role.VOLUNTEER)
        _application(user, skills, languages, "approved")
        volunteers.append(user)
    demo_volunteer = db.session.scalar(
        sa.select(User).where(User.email == "volunteer@demo.eventsys")
    )
    if demo_volunteer is not None:
        volunteers.insert(0, demo_volunteer)
    pending = _user(PENDING[0], PENDING[1], Role.READER)
    _application(pending, "喜欢和小朋友一起阅读", "中文", "applied")

    today = local_day(utcnow())
    busy: dict[int, set] = {u.id: set() for u in volunteers}  # user -> days with a shift
    for user_id, starts_at in db.session.execute(
        sa.select(ShiftSignup.user_id, Shift.starts_at)
        .join(Shift, Shift.id == ShiftSignup.shift_id)
        .where(ShiftSignup.user_id.in_(busy), ShiftSignup.status == "signed_up")
    ):
        busy[user_id].add(local_day(starts_at))
    count = 0
    for offset in range(31):
        day = today + timedelta(days=offset)
        for branch_code, venue_name, role_name, weekdays, start, end, slots in PATTERNS:
            venue = _venue(branch_code, venue_name)
            if venue is None or day.weekday() not in weekdays:
                continue
            shift = _shift(roles[role_name], venue, day, start, end, slots)
            # Every other shift of the first three weeks is full; the rest keep free slots.
            wanted = shift.slots if count % 2 == 0 else shift.slots // 2
            if offset < 21:
                for user in volunteers:
                    if shift.filled >= wanted:
                        break
                    if day not in busy[user.id]:
                        _sign_up(shift, user)
                        busy[user.id].add(day)
            count += 1

    # Last week's service, attended, so the hours and the certificate show something.
    if demo_volunteer is not None:
        for days_ago, (branch_code, venue_name, role_name) in (
            (7, ("renmin", "少儿活动室", "少儿故事会")),
            (5, ("second", "国际交流展厅", "展览讲解")),
        ):
            venue = _venue(branch_code, venue_name)
            if venue is not None:
                day = today - timedelta(days=days_ago)
                shift = _shift(roles[role_name], venue, day, time(9, 30), time(11, 30), 3)
                _sign_up(shift, demo_volunteer, attended=True)

    return [DemoAccount(email=VOLUNTEERS[0][0], password=DEMO_PASSWORD, role=Role.VOLUNTEER)]
