"""Suzhou Library's centres, branches and venues, and one demo account per role."""

import sqlalchemy as sa

from eventsys.demo import DEMO_PASSWORD, DemoAccount
from eventsys.extensions import db
from eventsys.models import Branch, BranchKind, Role, User, Venue, VenueKind

# code, name, name_en, kind, address
BRANCHES = [
    ("renmin", "人民路馆", "Renmin Road Library", BranchKind.CENTRE, "苏州市姑苏区人民路858号"),
    (
        "second",
        "苏州第二图书馆",
        "Suzhou Second Library",
        BranchKind.CENTRE,
        "苏州市相城区广济北路2236号",
    ),
    ("wuzhong", "吴中分馆", "Wuzhong Branch", BranchKind.BRANCH, "苏州市吴中区东吴北路"),
    ("sip", "工业园区分馆", "Industrial Park Branch", BranchKind.BRANCH, "苏州工业园区星海街"),
    ("wujiang", "吴江分馆", "Wujiang Branch", BranchKind.BRANCH, "苏州市吴江区鲈乡北路"),
    ("pingjiang", "平江分馆", "Pingjiang Branch", BranchKind.BRANCH, "苏州市姑苏区平江路"),
]

# branch code, name, name_en, kind, capacity, latitude, longitude
VENUES = [
    ("renmin", "学术报告厅", "Lecture Hall", VenueKind.LECTURE_HALL, 280, 31.3086, 120.6246),
    ("renmin", "一楼展厅", "Ground Floor Gallery", VenueKind.GALLERY, 150, 31.3087, 120.6244),
    ("renmin", "多功能活动室", "Activity Room", VenueKind.ACTIVITY_ROOM, 60, 31.3085, 120.6247),
    ("renmin", "少儿活动室", "Children's Room", VenueKind.ACTIVITY_ROOM, 40, 31.3084, 120.6245),
    ("second", "报告厅", "Auditorium", VenueKind.LECTURE_HALL, 400, 31.3663, 120.6069),
    (
        "second",
        "国际交流展厅",
        "International Exchange Gallery",
        VenueKind.GALLERY,
        200,
        31.3664,
        120.6071,
    ),
    ("second", "研讨室", "Seminar Room", VenueKind.ACTIVITY_ROOM, 30, 31.3662, 120.6068),
    (
        "second",
        "少儿馆故事屋",
        "Children's Story Room",
        VenueKind.ACTIVITY_ROOM,
        50,
        31.3661,
        120.6070,
    ),
    ("wuzhong", "多功能厅", "Multi-purpose Hall", VenueKind.LECTURE_HALL, 120, 31.2717, 120.6311),
    ("sip", "阅读活动室", "Reading Room", VenueKind.ACTIVITY_ROOM, 40, 31.3162, 120.7180),
    ("wujiang", "报告厅", "Lecture Hall", VenueKind.LECTURE_HALL, 150, 31.1620, 120.6402),
    ("pingjiang", "阅读活动室", "Reading Room", VenueKind.ACTIVITY_ROOM, 30, 31.3220, 120.6330),
]

# email, display name, role
ACCOUNTS = [
    ("reader@demo.eventsys", "王小明", Role.READER),
    ("volunteer@demo.eventsys", "李静", Role.VOLUNTEER),
    ("staff@demo.eventsys", "张馆员", Role.STAFF),
    ("admin@demo.eventsys", "系统管理员", Role.ADMIN),
]


def _branch(code: str, name: str, name_en: str, kind: str, address: str) -> Branch:
    branch = db.session.scalar(sa.select(Branch).where(Branch.code == code))
    if branch is None:
        branch = Branch(code=code, name=name, name_en=name_en, kind=kind, address=address)
        db.session.add(branch)
        db.session.flush()
    return branch


def _venue(branch: Branch, name: str, name_en: str, kind: str, capacity, lat, lon) -> Venue:
    venue = db.session.scalar(
        sa.select(Venue).where(Venue.branch_id == branch.id, Venue.name == name)
    )
    if venue is None:
        venue = Venue(
            branch=branch,
            name=name,
            name_en=name_en,
            kind=kind,
            capacity=capacity,
            address=branch.address,
            latitude=lat,
            longitude=lon,
        )
        db.session.add(venue)
    return venue


def _account(email: str, display_name: str, role: str) -> DemoAccount:
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is None:
        user = User(email=email, display_name=display_name, role=role, session_version=1)
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
    return DemoAccount(email=email, password=DEMO_PASSWORD, role=role)


def load() -> list[DemoAccount]:
    branches = {code: _branch(code, *rest) for code, *rest in BRANCHES}
    for code, *rest in VENUES:
        _venue(branches[code], *rest)
    return [_account(*account) for account in ACCOUNTS]
