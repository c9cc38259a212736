"""What is coming: the next four weeks of activities on a weekly grid and the current
exhibition, so that loading again on a later day adds only the new days."""

from datetime import timedelta

import sqlalchemy as sa

from eventsys.db_types import utcnow
from eventsys.demo.programmes.english import TITLES_EN, english
from eventsys.demo.programmes.maker import (
    HOURS,
    Maker,
    find_or_add_series,
    local_instant,
    registration_fields,
)
from eventsys.demo.programmes.season import JIANGNAN_TOPICS, SPEAKERS
from eventsys.extensions import db
from eventsys.local_time import library_zone
from eventsys.models import Event

# Coming activities by weekday (Monday = 0): key, kind, title, venue, local start, hours,
# audience, capacity, max party size.
WEEKLY = {
    1: [
        ("story", "reading", "绘本故事会", ("renmin", "少儿活动室"), "10:00", 1, "children", 30, 3),
    ],
    2: [
        (
            "seniors",
            "lecture",
            "银龄讲堂：健康生活与阅读",
            ("second", "报告厅"),
            "14:30",
            2,
            "seniors",
            200,
            2,
        ),
        (
            "salon",
            "reading",
            "平江读书沙龙",
            ("pingjiang", "阅读活动室"),
            "19:00",
            2,
            "adults",
            25,
            1,
        ),
    ],
    3: [
        (
            "kids",
            "workshop",
            "少儿科学实验工作坊",
            ("second", "少儿馆故事屋"),
            "15:30",
            1,
            "children",
            30,
            2,
        ),
        (
            "digital",
            "workshop",
            "老年人智能手机课堂",
            ("renmin", "多功能活动室"),
            "09:30",
            2,
            "seniors",
            40,
            1,
        ),
    ],
    4: [
        ("film", "film", "周五电影之夜", ("second", "报告厅"), "19:00", 2, "all", 300, 4),
    ],
    5: [
        ("jn-renmin", "lecture", None, ("renmin", "学术报告厅"), "14:30", 2, "adults", 250, 2),
        (
            "tour",
            "guided_tour",
            "馆藏精品展导览",
            ("renmin", "一楼展厅"),
            "10:00",
            1,
            "families",
            25,
            4,
        ),
    ],
    6: [
        ("jn-second", "lecture", None, ("second", "报告厅"), "14:30", 2, "all", 350, 2),
        (
            "family",
            "reading",
            "亲子共读时光",
            ("second", "少儿馆故事屋"),
            "10:00",
            1,
            "families",
            40,
            4,
        ),
        (
            "teen",
            "workshop",
            "青少年古籍修复体验",
            ("wuzhong", "多功能厅"),
            "14:00",
            2,
            "teens",
            30,
            1,
        ),
    ],
}


def coming(make: Maker) -> None:
    today = utcnow().astimezone(library_zone()).date()
    exhibition_key = f"current-{today.year}-{today.month:02d}"
    exhibition = make.event(
        exhibition_key,
        kind="exhibition",
        title="江南书香——馆藏精品展",
        description="精选馆藏古籍、地方文献与名家手稿，展现江南书香传统。免费参观。",
        title_en=TITLES_EN["江南书香——馆藏精品展"],
        description_en=(
            "Rare books, local records and manuscripts chosen from the collection show "
            "Jiangnan's love of books. Free admission."
        ),
        venue=("renmin", "一楼展厅"),
        starts_at=local_instant(today.replace(day=1), "09:00"),
        ends_at=local_instant(today.replace(day=1) + timedelta(days=75), "17:00"),
        hours=("周老师", HOURS),
        capacity=None,
    )
    if exhibition is None:
        exhibition = db.session.scalar(
            sa.select(Event).where(Event.uid == f"demo-{exhibition_key}@eventsys")
        )
    topics = iter(JIANGNAN_TOPICS[::-1] * 3)
    for offset in range(28):
        day = today + timedelta(days=offset)
        series = find_or_add_series(
            f"jiangnan-{day.year}",
            f"江南文化大讲堂 · {day.year}",
            f"江南文化大讲堂{day.year}年系列讲座。",
            f"Jiangnan Culture Lecture Hall · {day.year}",
            f"The Jiangnan Culture Lecture Hall's talks in {day.year}.",
        )
        for key, kind, title, venue, at, hours, audience, capacity, party in WEEKLY.get(
            day.weekday(), []
        ):
            start = local_instant(day, at)
            extra = {}
            if title is None:
                title = next(topics)
                name, speaker_title, bio = SPEAKERS[day.toordinal() % len(SPEAKERS)]
                extra = {
                    "series": series,
                    "speaker_name": name,
                    "speaker_title": speaker_title,
                    "speaker_bio": bio,
                }
            elif kind == "lecture":
                extra = {"speaker_name": "陈老师", "speaker_title": "苏州市老年大学讲师"}
            if kind == "guided_tour":
                extra["parent"] = exhibition
            make.event(
                f"up-{day.isoformat()}-{key}",
                kind=kind,
                title=title,
                description=f"{title}。欢迎读者报名参加。",
                **english(title, kind),
                venue=venue,
                starts_at=start,
                ends_at=start + timedelta(hours=hours),
                audience=audience,
                max_party_size=party,
                **extra,
                **registration_fields(start, capacity),
            )
