"""The 2021 season (Jiangnan lectures, exhibitions, centenary activities) and what is coming.

Each demo event has a fixed calendar UID, so loading twice creates nothing twice. Coming
events are laid on a calendar grid (weekday → activities), so loading again on a later
day adds only the new days.
"""

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.local_time import library_zone
from eventsys.models import Branch, Campaign, Event, ExhibitionDetails, Series, Venue

HOURS = {day: "09:00-17:00" for day in ("tue", "wed", "thu", "fri", "sat", "sun")} | {"mon": ""}

SPEAKERS = [
    ("王教授", "苏州大学文学院教授", "长期研究吴地文化与江南文学，著有多部地方文化专著。"),
    ("李老师", "苏州博物馆研究馆员", "从事明清书画与地方文献研究二十余年。"),
    ("张教授", "南京大学历史学院教授", "研究方向为明清江南社会经济史。"),
    ("陈老师", "苏州市非遗保护中心研究员", "参与多项国家级非物质文化遗产项目的调查与整理。"),
    ("刘教授", "苏州科技大学建筑学院教授", "研究江南传统建筑与园林营造。"),
    ("周老师", "苏州图书馆古籍部馆员", "负责馆藏古籍的整理、修复与推广。"),
]

JIANGNAN_TOPICS = [
    "吴文化的源与流",
    "苏州园林中的造园智慧",
    "昆曲六百年",
    "评弹艺术漫谈",
    "江南运河与城市变迁",
    "苏绣：针尖上的江南",
    "吴门画派与明代文人",
    "江南藏书楼的故事",
    "苏州方言里的文化密码",
    "太湖流域的稻作文明",
    "江南古镇的保护与新生",
    "宋锦与丝绸之路",
    "苏式生活美学",
    "明清苏州的刻书业",
    "江南诗词中的山水",
    "香山帮建筑技艺",
    "苏州碑刻里的城市记忆",
    "江南饮食文化谈",
    "桃花坞木版年画",
    "江南文化与长三角一体化",
]

# key, title, venue (branch code, venue name), first day, last day, curator
EXHIBITIONS_2021 = [
    (
        "ex-guji",
        "江南文脉——苏州古籍善本展",
        ("renmin", "一楼展厅"),
        "2021-03-01",
        "2021-06-20",
        "周老师",
    ),
    (
        "ex-silk",
        "丝路江南——国际文化交流图片展",
        ("second", "国际交流展厅"),
        "2021-05-01",
        "2021-08-31",
        "李老师",
    ),
    (
        "ex-wumen",
        "吴门烟水——苏州历史影像展",
        ("renmin", "一楼展厅"),
        "2021-09-01",
        "2022-03-31",
        "张教授",
    ),
    (
        "ex-library",
        "书香世界——全球图书馆建筑之美",
        ("second", "国际交流展厅"),
        "2021-10-01",
        "2021-12-31",
        "刘教授",
    ),
]

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


# The English title of every demo title above and below, shown on English pages.
TITLES_EN = {
    # Jiangnan Culture Lecture Hall topics
    "吴文化的源与流": "The Wu Culture: Its Sources and Currents",
    "苏州园林中的造园智慧": "The Art of Garden-Making in Suzhou's Classical Gardens",
    "昆曲六百年": "Six Hundred Years of Kunqu Opera",
    "评弹艺术漫谈": "On the Art of Pingtan Storytelling",
    "江南运河与城市变迁": "The Grand Canal and the Changing Cities of Jiangnan",
    "苏绣：针尖上的江南": "Suzhou Embroidery: Jiangnan at the Tip of a Needle",
    "吴门画派与明代文人": "The Wumen School of Painting and the Ming Literati",
    "江南藏书楼的故事": "Stories of Jiangnan's Private Libraries",
    "苏州方言里的文化密码": "The Culture Hidden in the Suzhou Dialect",
    "太湖流域的稻作文明": "Rice Farming Civilisation around Lake Tai",
    "江南古镇的保护与新生": "Jiangnan's Water Towns: Preservation and Renewal",
    "宋锦与丝绸之路": "Song Brocade and the Silk Road",
    "苏式生活美学": "The Suzhou Art of Living",
    "明清苏州的刻书业": "Book Printing in Ming and Qing Suzhou",
    "江南诗词中的山水": "Landscapes in the Poetry of Jiangnan",
    "香山帮建筑技艺": "The Building Craft of the Xiangshan Guild",
    "苏州碑刻里的城市记忆": "Memories of the City in Suzhou's Stone Inscriptions",
    "江南饮食文化谈": "Food and Culture in Jiangnan",
    "桃花坞木版年画": "Taohuawu Woodblock New Year Prints",
    "江南文化与长三角一体化": "Jiangnan Culture and the Integrated Yangtze River Delta",
    # exhibitions
    "江南文脉——苏州古籍善本展": "The Jiangnan Tradition: Rare Books of Suzhou",
    "丝路江南——国际文化交流图片展": "Jiangnan on the Silk Road: Photographs of Cultural Exchange",
    "吴门烟水——苏州历史影像展": "Mist over Wumen: Historical Photographs of Suzhou",
    "书香世界——全球图书馆建筑之美": "A World of Books: Beautiful Library Buildings",
    "百年征程 初心如磐——党史文献展": "A Century's Journey: Documents of Party History",
    "江南书香——馆藏精品展": "Jiangnan Book Culture: Treasures of the Collection",
    # centenary activities
    "百年党史中的苏州印记": "Suzhou in a Century of Party History",
    "红色经典诵读会": "Reading Aloud from the Red Classics",
    "红色电影展映：《建国大业》": "Red Film Screening: The Founding of a Republic",
    "党史学习教育读书班（第一期）": "Party History Reading Class (Part 1)",
    "“百年风华”党史知识竞赛（初赛）": "A Century of Splendour: Party History Quiz (First Round)",
    "从南湖红船到新时代：百年大党的初心": "From the Red Boat on South Lake to the New Era",
    "少年儿童红色故事会": "Red Stories for Children",
    "红色电影展映：《觉醒年代》选集": "Red Film Screening: Episodes from The Age of Awakening",
    "党史学习教育读书班（第二期）": "Party History Reading Class (Part 2)",
    "“百年风华”党史知识竞赛（决赛）": "A Century of Splendour: Party History Quiz (Final)",
    "苏州地下党的斗争岁月": "The Years of Suzhou's Underground Party",
    "银龄红色家书诵读": "Seniors Read Red Family Letters",
    "红色电影展映：《红海行动》": "Red Film Screening: Operation Red Sea",
    "红色经典中的江南": "Jiangnan in the Red Classics",
    "“学党史、悟思想”线上研学": "Learning Party History: An Online Study Course",
    "“庆祝建党100周年”亲子共读": "Celebrating the Centenary: Parents and Children Read Together",
    "红色主题少儿绘画比赛": "Children's Painting Contest on Red Themes",
    "党的百年奋斗与江南发展": "A Century of the Party and the Growth of Jiangnan",
    "红色电影展映：《英雄儿女》": "Red Film Screening: Heroic Sons and Daughters",
    "党史学习教育读书班（第三期）": "Party History Reading Class (Part 3)",
    "视障读者红色经典有声阅读会": "Red Classics Read Aloud for Blind and Partially Sighted Readers",
    "百年党史中的青年力量": "Young People in a Century of Party History",
    "红色诗词朗诵大赛": "Red Poetry Recitation Contest",
    "红色电影展映：《我和我的祖国》": "Red Film Screening: My People, My Country",
    "档案里的苏州解放": "The Liberation of Suzhou in the Archives",
    "“读懂中国共产党”线上读书会": "Understanding the Communist Party of China: An Online Book Club",
    "红色绘本故事会": "Red Picture-Book Story Time",
    "从苏州看全面建成小康社会": "Moderate Prosperity for All, Seen from Suzhou",
    "党史知识线上挑战赛": "Online Party History Challenge",
    # weekly activities
    "绘本故事会": "Picture-Book Story Time",
    "银龄讲堂：健康生活与阅读": "Seniors' Lecture: Healthy Living and Reading",
    "平江读书沙龙": "Pingjiang Book Salon",
    "少儿科学实验工作坊": "Science Experiments for Children",
    "老年人智能手机课堂": "Smartphone Class for Seniors",
    "周五电影之夜": "Friday Film Night",
    "馆藏精品展导览": "Guided Tour of the Collection Treasures",
    "亲子共读时光": "Reading Time for Parents and Children",
    "青少年古籍修复体验": "Repairing Old Books: A Workshop for Teens",
}
# What each kind of activity tells an English reader after its title.
ABOUT_EN = {
    "lecture": "A talk for readers. Free; please register in advance.",
    "exhibition": "Free admission, no booking needed; closed on Mondays.",
    "guided_tour": "A guided tour of the exhibition. Free; please register in advance.",
    "reading": "A reading for all who love books. Free; please register in advance.",
    "film": "A film screening in the library. Free; please register in advance.",
    "contest": "Readers of every age are welcome to take part.",
    "study_session": "A study session with shared reading and discussion.",
    "workshop": "A hands-on workshop. Free; please register in advance.",
}
CENTENARY_TITLE_EN = "Centenary of the Communist Party of China: Red Culture Activities"
CENTENARY_ABOUT_EN = (
    "2021 is the centenary of the Communist Party of China. Suzhou Library holds lectures, "
    "exhibitions, readings, film screenings, contests and study sessions at the Renmin Road "
    "Library, the Suzhou Second Library and the branches."
)


def english(title: str, kind: str) -> dict[str, str]:
    """The English title and a short English description of a demo activity."""
    title_en = TITLES_EN[title]
    return {"title_en": title_en, "description_en": f"{title_en}. {ABOUT_EN[kind]}"}


def _at(day: date, hhmm: str) -> datetime:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=library_zone()).astimezone(UTC)


def _venues() -> dict[tuple[str, str], Venue]:
    rows = db.session.execute(sa.select(Venue, Branch.code).join(Venue.branch)).all()
    return {(code, venue.name): venue for venue, code in rows}


def _series(slug: str, title: str, description: str, title_en: str, description_en: str) -> Series:
    series = db.session.scalar(sa.select(Series).where(Series.slug == slug))
    if series is None:
        series = Series(
            slug=slug,
            title=title,
            brand="jiangnan",
            description=description,
            title_en=title_en,
            description_en=description_en,
        )
        db.session.add(series)
        db.session.flush()
    return series


def _existing_uids() -> set[str]:
    return set(db.session.scalars(sa.select(Event.uid).where(Event.uid.like("demo-%"))))


class _Maker:
    def __init__(self):
        self.venues = _venues()
        self.uids = _existing_uids()

    def event(self, key: str, *, venue=None, hours=None, **fields) -> Event | None:
        uid = f"demo-{key}@eventsys"
        if uid in self.uids:
            return None
        if venue is not None:
            fields["venue"] = self.venues[venue]
        if hours is not None:
            fields["exhibition"] = ExhibitionDetails(curator=hours[0], opening_hours=dict(hours[1]))
        fields.setdefault("status", "published")
        if fields.get("status") == "cancelled":
            fields["sequence"] = 2
        elif fields["status"] == "published":
            fields["sequence"] = 1
        event = Event(uid=uid, **fields)
        db.session.add(event)
        self.uids.add(uid)
        return event


def _registration(start: datetime, capacity: int | None) -> dict:
    if capacity is None:
        return {"capacity": None}
    return {
        "capacity": capacity,
        "registration_opens_at": start - timedelta(days=14),
        "registration_closes_at": start - timedelta(hours=2),
    }


def _season_2021(make: _Maker) -> None:
    spring = _series(
        "jiangnan-2021-spring",
        "江南文化大讲堂 · 2021 春季",
        "江南文化大讲堂2021年春季系列，邀请专家学者解读吴地历史、艺术与生活。",
        "Jiangnan Culture Lecture Hall · Spring 2021",
        "The spring 2021 season of the Jiangnan Culture Lecture Hall: scholars on the "
        "history, arts and everyday life of the Wu region.",
    )
    autumn = _series(
        "jiangnan-2021-autumn",
        "江南文化大讲堂 · 2021 秋季",
        "江南文化大讲堂2021年秋季系列，继续讲述江南的文脉与传承。",
        "Jiangnan Culture Lecture Hall · Autumn 2021",
        "The autumn 2021 season of the Jiangnan Culture Lecture Hall, carrying on the "
        "story of Jiangnan's culture and traditions.",
    )
    for n, topic in enumerate(JIANGNAN_TOPICS):
        series, first = (spring, date(2021, 3, 6)) if n < 10 else (autumn, date(2021, 9, 4))
        day = first + timedelta(weeks=2 * (n % 10))
        venue = ("renmin", "学术报告厅") if n % 2 == 0 else ("second", "报告厅")
        name, title, bio = SPEAKERS[n % len(SPEAKERS)]
        start = _at(day, "14:30")
        make.event(
            f"jn2021-{n + 1:02d}",
            kind="lecture",
            title=topic,
            description=f"江南文化大讲堂第{n + 1}讲：{topic}。面向广大读者，免费参加，需提前报名。",
            title_en=TITLES_EN[topic],
            description_en=(
                f"Jiangnan Culture Lecture Hall, talk {n + 1}: {TITLES_EN[topic]}. "
                "Open to all readers; free, please register in advance."
            ),
            series=series,
            venue=venue,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            audience="seniors" if n % 5 == 3 else "adults" if n % 3 == 0 else "all",
            max_party_size=2,
            speaker_name=name,
            speaker_title=title,
            speaker_bio=bio,
            **_registration(start, 200),
        )
    for key, title, venue, first, last, curator in EXHIBITIONS_2021:
        start = _at(date.fromisoformat(first), "09:00")
        end = _at(date.fromisoformat(last), "17:00")
        exhibition = make.event(
            key,
            kind="exhibition",
            title=title,
            description=f"{title}。展览免费开放，无需预约；周一闭馆。",
            **english(title, "exhibition"),
            venue=venue,
            starts_at=start,
            ends_at=end,
            hours=(curator, HOURS),
            capacity=None,
        )
        if exhibition is None:
            continue
        for n in range(2):
            tour_start = _at(date.fromisoformat(first) + timedelta(days=12 + 28 * n), "10:00")
            make.event(
                f"{key}-tour-{n + 1}",
                kind="guided_tour",
                title=f"{title}·专家导览",
                title_en=f"{TITLES_EN[title]}: Curator's Tour",
                description_en=f"The curator shows you round {TITLES_EN[title]}. "
                + ABOUT_EN["guided_tour"],
                parent=exhibition,
                venue=venue,
                starts_at=tour_start,
                ends_at=tour_start + timedelta(hours=1),
                audience="families" if n else "all",
                max_party_size=4,
                speaker_name=curator,
                speaker_title="策展人",
                **_registration(tour_start, 25),
            )


def _centenary(make: _Maker) -> None:
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
        starts_at=_at(date.fromisoformat(first), "09:00"),
        ends_at=_at(date.fromisoformat(last), "17:00"),
        hours=(curator, HOURS),
        capacity=None,
    )
    for n, (kind, title, venue, day, audience, online, reason) in enumerate(CENTENARY):
        start = _at(date.fromisoformat(day), "19:00" if online else "14:00")
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
            **_registration(start, None if online else 80),
        )


def _coming(make: _Maker) -> None:
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
        starts_at=_at(today.replace(day=1), "09:00"),
        ends_at=_at(today.replace(day=1) + timedelta(days=75), "17:00"),
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
        series = _series(
            f"jiangnan-{day.year}",
            f"江南文化大讲堂 · {day.year}",
            f"江南文化大讲堂{day.year}年系列讲座。",
            f"Jiangnan Culture Lecture Hall · {day.year}",
            f"The Jiangnan Culture Lecture Hall's talks in {day.year}.",
        )
        for key, kind, title, venue, at, hours, audience, capacity, party in WEEKLY.get(
            day.weekday(), []
        ):
            start = _at(day, at)
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
                **_registration(start, capacity),
            )


def load() -> None:
    make = _Maker()
    if not make.venues:
        return None
    _season_2021(make)
    _centenary(make)
    _coming(make)
    db.session.flush()
    return None
