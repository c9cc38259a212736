"""The Party centenary campaign of 2021: its exhibition and its activities across the
library's centres and branches."""

from datetime import date, timedelta

import sqlalchemy as sa

from eventsys.demo.programmes.english import (
    ABOUT_EN,
    CENTENARY_ABOUT_EN,
    CENTENARY_TITLE_EN,
    TITLES_EN,
)
from eventsys.demo.programmes.maker import HOURS, Maker, local_instant, registration_fields
from eventsys.demo.programmes.season import SPEAKERS
from eventsys.extensions import db
from eventsys.models import Campaign

# format, title, (branch, venue) or None for online only, date, audience, online, cancel reason
CENTENARY = [
    (
        "lecture",
        "百年党史中的苏州印记",
        ("renmin", "学术报告厅"),
        "2021-03-20",
        "adults",
        False,
        "",
    ),
    ("reading", "红色经典诵读会", ("second", "报告厅"), "2021-03-27", "all", False, ""),
    (
        "film",
        "红色电影展映：《建国大业》",
        ("renmin", "学术报告厅"),
        "2021-04-03",
        "all",
        False,
        "",
    ),
    (
        "study_session",
        "党史学习教育读书班（第一期）",
        ("second", "研讨室"),
        "2021-04-10",
        "adults",
        False,
        "",
    ),
    ("contest", "“百年风华”党史知识竞赛（初赛）", None, "2021-04-17", "all", True, ""),
    (
        "lecture",
        "从南湖红船到新时代：百年大党的初心",
        ("second", "报告厅"),
        "2021-04-24",
        "adults",
        True,
        "",
    ),
    (
        "reading",
        "少年儿童红色故事会",
        ("renmin", "少儿活动室"),
        "2021-05-01",
        "children",
        False,
        "",
    ),
    (
        "film",
        "红色电影展映：《觉醒年代》选集",
        ("second", "报告厅"),
        "2021-05-08",
        "teens",
        False,
        "",
    ),
    (
        "study_session",
        "党史学习教育读书班（第二期）",
        ("renmin", "多功能活动室"),
        "2021-05-15",
        "adults",
        False,
        "",
    ),
    (
        "contest",
        "“百年风华”党史知识竞赛（决赛）",
        ("second", "报告厅"),
        "2021-05-22",
        "all",
        False,
        "",
    ),
    (
        "lecture",
        "苏州地下党的斗争岁月",
        ("renmin", "学术报告厅"),
        "2021-05-29",
        "seniors",
        False,
        "",
    ),
    ("reading", "银龄红色家书诵读", ("wuzhong", "多功能厅"), "2021-06-05", "seniors", False, ""),
    (
        "film",
        "红色电影展映：《红海行动》",
        ("wujiang", "报告厅"),
        "2021-06-12",
        "teens",
        False,
        "因疫情防控要求，本场放映取消。",
    ),
    ("lecture", "红色经典中的江南", None, "2021-06-19", "all", True, ""),
    ("study_session", "“学党史、悟思想”线上研学", None, "2021-06-26", "adults", True, ""),
    (
        "reading",
        "“庆祝建党100周年”亲子共读",
        ("second", "少儿馆故事屋"),
        "2021-07-01",
        "families",
        False,
        "",
    ),
    (
        "contest",
        "红色主题少儿绘画比赛",
        ("renmin", "少儿活动室"),
        "2021-07-10",
        "children",
        False,
        "",
    ),
    (
        "lecture",
        "党的百年奋斗与江南发展",
        ("second", "报告厅"),
        "2021-07-17",
        "adults",
        False,
        "主讲人行程冲突，讲座取消，另行安排。",
    ),
    (
        "film",
        "红色电影展映：《英雄儿女》",
        ("second", "报告厅"),
        "2021-07-24",
        "all",
        False,
        "因台风天气，本场放映取消。",
    ),
    (
        "study_session",
        "党史学习教育读书班（第三期）",
        ("pingjiang", "阅读活动室"),
        "2021-07-31",
        "adults",
        False,
        "",
    ),
    (
        "reading",
        "视障读者红色经典有声阅读会",
        ("renmin", "多功能活动室"),
        "2021-08-07",
        "accessibility",
        False,
        "",
    ),
    ("lecture", "百年党史中的青年力量", ("sip", "阅读活动室"), "2021-08-14", "teens", False, ""),
    ("contest", "红色诗词朗诵大赛", ("second", "报告厅"), "2021-08-21", "all", False, ""),
    (
        "film",
        "红色电影展映：《我和我的祖国》",
        ("renmin", "学术报告厅"),
        "2021-09-04",
        "families",
        False,
        "",
    ),
    ("lecture", "档案里的苏州解放", ("renmin", "学术报告厅"), "2021-09-18", "seniors", False, ""),
    ("study_session", "“读懂中国共产党”线上读书会", None, "2021-09-25", "adults", True, ""),
    ("reading", "红色绘本故事会", ("second", "少儿馆故事屋"), "2021-10-09", "children", False, ""),
    ("lecture", "从苏州看全面建成小康社会", ("second", "报告厅"), "2021-10-23", "adults", True, ""),
    ("contest", "党史知识线上挑战赛", None, "2021-11-06", "all", True, ""),
]
CENTENARY_EXHIBITION = (
    "百年征程 初心如磐——党史文献展",
    ("renmin", "一楼展厅"),
    "2021-06-25",
    "2021-08-29",
    "周老师",
)


def centenary(make: Maker) -> None:
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.slug == "party-centenary-2021"))
    if campaign is None:
        campaign = Campaign(
            slug="party-centenary-2021",
            title="庆祝中国共产党成立100周年红色文化系列活动",
            title_en=CENTENARY_TITLE_EN,
            description_en=CENTENARY_ABOUT_EN,
            year=2021,
            description=(
                "2021年是中国共产党成立100周年。苏州图书馆在人民路馆、第二图书馆及各分馆"
                "举办讲座、展览、诵读、观影、竞赛和学习会等红色文化活动。"
            ),
        )
        db.session.add(campaign)
        db.session.flush()
    title, venue, first, last, curator = CENTENARY_EXHIBITION
    make.event(
        "c100-exhibition",
        kind="exhibition",
        title=title,
        description="以馆藏文献回顾党的百年奋斗历程。免费参观，无需预约。",
        title_en=TITLES_EN[title],
        description_en=(
            "A century of the Party's history told through documents from the library's "
            "collection. Free admission, no booking needed."
        ),
        campaign=campaign,
        venue=venue,
        starts_at=local_instant(date.fromisoformat(first), "09:00"),
        ends_at=local_instant(date.fromisoformat(last), "17:00"),
        hours=(curator, HOURS),
        capacity=None,
    )
    for n, (kind, title, venue, day, audience, online, reason) in enumerate(CENTENARY):
        start = local_instant(date.fromisoformat(day), "19:00" if online else "14:00")
        name, speaker_title, bio = (
            SPEAKERS[n % len(SPEAKERS)] if kind == "lecture" else ("", "", "")
        )
        make.event(
            f"c100-{n + 1:02d}",
            kind=kind,
            title=title,
            description=f"{title}——庆祝建党100周年系列活动。",
            title_en=TITLES_EN[title],
            description_en=f"{TITLES_EN[title]}: part of the Party centenary activities. "
            + ABOUT_EN[kind],
            campaign=campaign,
            venue=venue,
            online=online,
            online_url=f"https://live.example.org/suzhou-library/c100-{n + 1}" if online else "",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            audience=audience,
            max_party_size=4 if audience in ("families", "children") else 1,
            speaker_name=name,
            speaker_title=speaker_title,
            speaker_bio=bio,
            status="cancelled" if reason else "published",
            cancel_reason=reason,
            **registration_fields(start, None if online else 80),
        )
