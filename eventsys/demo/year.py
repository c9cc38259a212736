"""The 2021 year at the scale of a large city library, laid out around the hand-made season.

Every venue follows a weekly plan (lectures on weekend mornings and afternoons, children's
activities on weekends and in the school holidays, reading salons in the evenings...);
the galleries' free weeks are filled with exhibitions that have daily visitor counts on
their opening days. Past registrable events get registrations with check-ins, no-shows
and cancellations; shifts at lectures, children's activities and exhibitions get
volunteers with credited hours. Everything comes from one seeded ``random.Random``, so
the year is the same on every load, and it is written with bulk inserts in one go: if the
year's marker event exists, nothing is loaded again.

Titles and descriptions name only things that existed on the event's date; speakers are
named by their role, never by a person's name.
"""

import random
import secrets
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from eventsys.db_types import utcnow
from eventsys.demo import DEMO_PASSWORD
from eventsys.extensions import db
from eventsys.local_time import library_zone
from eventsys.models import (
    Branch,
    Campaign,
    Event,
    ExhibitionDetails,
    Registration,
    Series,
    Shift,
    ShiftSignup,
    User,
    Venue,
    VisitorCount,
    VolunteerApplication,
    VolunteerRole,
)
from eventsys.models.registrations import CHECKIN_ALPHABET, CHECKIN_CODE_LENGTH
from eventsys.models.users import hash_password

YEAR = 2021
SEED = 20210101
MARKER_UID = "demo-y2021-marker@eventsys"
READERS = 400
VOLUNTEERS = 40
HOURS = {day: "09:00-17:00" for day in ("tue", "wed", "thu", "fri", "sat", "sun")} | {"mon": ""}

# Days the library was closed (Spring Festival) and days with an outside cause to cancel.
CLOSED = {date(2021, 2, 11), date(2021, 2, 12)}
TYPHOON = {date(2021, 7, 25), date(2021, 7, 26)}
OUTBREAK = (date(2021, 7, 29), date(2021, 8, 31))  # activities suspended in Jiangsu
PARTY_HISTORY_FROM = date(2021, 2, 20)  # the Party-history study campaign began
WINTER = (date(2021, 1, 25), date(2021, 2, 25))
SUMMER = (date(2021, 7, 5), date(2021, 8, 31))
HOLIDAYS = {
    date(2021, 1, 1),
    date(2021, 4, 5),
    *(date(2021, 5, d) for d in range(1, 6)),
    date(2021, 6, 14),
    date(2021, 9, 21),
    *(date(2021, 10, d) for d in range(1, 8)),
}

SCHOLARS = [
    "苏州大学文学院教授",
    "苏州大学历史系教授",
    "苏州博物馆研究馆员",
    "苏州市非遗保护中心研究员",
    "苏州科技大学建筑学院教授",
    "苏州图书馆古籍部馆员",
    "苏州市地方志办公室研究员",
    "昆曲表演艺术家",
    "评弹团国家一级演员",
    "苏绣工艺美术大师",
]
GENERAL = [
    "高校心理学副教授",
    "三甲医院主任医师",
    "执业律师",
    "中学语文特级教师",
    "科普作家",
    "天文馆科普讲师",
    "市作家协会会员",
    "财经专栏作者",
]
INTERNATIONAL = ["高校外国语学院教授", "外籍驻苏文化交流学者", "国际关系学院副教授", "翻译家"]

# category: kind, audience(s), capacity, max party, hours, series key, speaker roles, topics
CATEGORIES = {
    "window": (
        "lecture",
        ("adults", "all"),
        80,
        2,
        2,
        "window",
        SCHOLARS,
        [
            "苏州古城的街巷肌理",
            "寒山寺与枫桥诗意",
            "太湖石的审美",
            "苏州状元文化",
            "吴歌的前世今生",
            "宋代平江图解读",
            "江南船拳与民俗",
            "苏州书院的往事",
            "苏州老字号的故事",
            "虎丘的千年传说",
            "江南丝竹赏析",
            "苏扇的工艺与雅趣",
            "《浮生六记》里的苏州",
            "沧浪亭与江南文人",
            "江南水乡的桥",
            "苏州玉雕漫谈",
            "吴地节令风俗",
            "姑苏繁华图里的市井",
        ],
    ),
    "forum": (
        "lecture",
        ("adults", "all"),
        100,
        2,
        2,
        "forum",
        GENERAL,
        [
            "如何陪伴孩子爱上阅读",
            "情绪管理与心理健康",
            "民法典与百姓生活",
            "走进浩瀚星空",
            "科学饮食与慢病预防",
            "家庭理财的基本常识",
            "写作的门径",
            "古典诗词的读法",
            "人工智能与日常生活",
            "中国传统节日的文化内涵",
            "垃圾分类与绿色生活",
            "阅读改变人生",
            "红楼梦人物漫谈",
            "唐诗里的中国",
        ],
    ),
    "seniors": (
        "lecture",
        ("seniors",),
        60,
        1,
        2,
        "seniors",
        GENERAL,
        [
            "老年人常见病防治",
            "识破电信诈骗",
            "秋冬季养生之道",
            "老年人科学用药",
            "快乐晚年与心理调适",
            "太极拳与健康",
            "防跌倒小常识",
        ],
    ),
    "intl": (
        "lecture",
        ("adults", "all"),
        100,
        2,
        2,
        "intl",
        INTERNATIONAL,
        [
            "丝绸之路上的文明互鉴",
            "世界图书馆建筑巡礼",
            "走近莎士比亚",
            "日本茶道与中国茶文化",
            "欧洲古典音乐欣赏",
            "跨文化交流中的礼仪",
            "外国文学里的中国形象",
            "世界遗产与城市保护",
        ],
    ),
    "film": (
        "film",
        ("all", "families"),
        100,
        4,
        2,
        None,
        None,
        [
            "经典影片赏析：《城南旧事》",
            "经典影片赏析：《林家铺子》",
            "经典影片赏析：《小城之春》",
            "经典影片赏析：《城市之光》",
            "经典影片赏析：《罗马假日》",
            "经典影片赏析：《音乐之声》",
            "动画电影放映：《大闹天宫》",
            "动画电影放映：《哪吒闹海》",
            "纪录片放映：《苏州园林》",
            "纪录片放映：《我在故宫修文物》",
        ],
    ),
    "story": (
        "reading",
        ("children",),
        30,
        3,
        1,
        None,
        None,
        [
            "绘本故事会：好饿的毛毛虫",
            "绘本故事会：猜猜我有多爱你",
            "绘本故事会：小蝌蚪找妈妈",
            "绘本故事会：团圆",
            "绘本故事会：年",
            "绘本故事会：我爸爸",
            "绘本故事会：逃家小兔",
            "绘本故事会：小房子",
            "英文绘本故事会",
            "苏州话童谣会",
        ],
    ),
    "kids": (
        "workshop",
        ("children",),
        25,
        2,
        1,
        None,
        None,
        [
            "少儿科学实验工作坊",
            "少儿剪纸工作坊",
            "桃花坞年画拓印体验",
            "少儿书法入门",
            "折纸与创意手工",
            "少儿编程启蒙",
            "小小图书管理员体验",
            "少儿国画体验",
        ],
    ),
    "family": (
        "reading",
        ("families",),
        40,
        4,
        1,
        None,
        None,
        ["亲子共读时光", "亲子阅读指导", "家庭读书会", "亲子手工绘本制作"],
    ),
    "teen": (
        "workshop",
        ("teens",),
        30,
        1,
        2,
        None,
        None,
        [
            "青少年古籍修复体验",
            "青少年辩论工作坊",
            "中学生写作营",
            "青少年摄影入门",
            "模拟联合国活动",
        ],
    ),
    "salon": (
        "reading",
        ("adults",),
        25,
        1,
        2,
        None,
        None,
        [
            "读书沙龙：《红楼梦》",
            "读书沙龙：《浮生六记》",
            "读书沙龙：《平凡的世界》",
            "读书沙龙：《边城》",
            "读书沙龙：《围城》",
            "读书沙龙：《人间词话》",
            "读书沙龙：《乡土中国》",
            "读书沙龙：《百年孤独》",
        ],
    ),
    "digital": (
        "workshop",
        ("seniors",),
        30,
        1,
        2,
        None,
        None,
        [
            "老年人智能手机课堂：健康码与出行",
            "老年人智能手机课堂：视频通话",
            "老年人智能手机课堂：移动支付",
            "老年人智能手机课堂：网上挂号",
        ],
    ),
    "resources": (
        "other",
        ("adults",),
        30,
        1,
        1,
        None,
        None,
        ["数字资源使用培训：电子书平台", "数字资源使用培训：学术数据库", "读者证与借阅服务介绍"],
    ),
    "access": (
        "other",
        ("accessibility",),
        20,
        2,
        2,
        None,
        None,
        ["口述影像电影欣赏", "视障读者有声阅读会", "无障碍阅读设备体验", "手语读书会"],
    ),
    "c100": (
        "study_session",
        ("adults",),
        40,
        1,
        2,
        None,
        None,
        [
            "党史学习教育读书会",
            "红色经典共读：《红星照耀中国》",
            "红色经典共读：《共产党宣言》",
            "“学党史、悟思想”分享会",
            "红色家书诵读",
        ],
    ),
}

# (branch code, venue name) -> [(weekdays (Mon = 0), local start, category, also on
# school-holiday weekdays)]
PLAN = {
    ("renmin", "学术报告厅"): [
        ({5, 6}, "09:30", "window", False),
        ({6}, "14:30", "forum", False),
        ({2}, "14:30", "seniors", False),
        ({4}, "19:00", "film", False),
    ],
    ("second", "报告厅"): [
        ({5}, "09:30", "intl", False),
        ({6}, "09:30", "forum", False),
        ({3}, "14:30", "seniors", False),
        ({4}, "19:00", "film", False),
    ],
    ("wuzhong", "多功能厅"): [
        ({5}, "14:30", "forum", False),
        ({6}, "10:00", "family", False),
        ({2}, "14:30", "seniors", False),
    ],
    ("wujiang", "报告厅"): [
        ({5}, "14:30", "window", False),
        ({6}, "14:30", "film", False),
        ({1}, "14:30", "seniors", False),
    ],
    ("renmin", "多功能活动室"): [
        ({1, 3}, "09:30", "digital", False),
        ({2}, "19:00", "salon", False),
        ({5}, "10:00", "c100", False),
        ({6}, "14:00", "access", False),
        ({4}, "14:00", "resources", False),
    ],
    ("renmin", "少儿活动室"): [
        ({5, 6}, "10:00", "story", True),
        ({5, 6}, "15:00", "kids", True),
        ({2}, "16:30", "story", False),
    ],
    ("second", "研讨室"): [
        ({1}, "19:00", "salon", False),
        ({3}, "19:00", "c100", False),
        ({5}, "14:00", "teen", True),
        ({4}, "14:00", "resources", False),
    ],
    ("second", "少儿馆故事屋"): [
        ({5, 6}, "10:00", "story", True),
        ({5, 6}, "15:00", "kids", True),
        ({4}, "16:30", "story", False),
    ],
    ("sip", "阅读活动室"): [
        ({5}, "10:00", "family", False),
        ({6}, "14:00", "teen", True),
        ({2}, "19:00", "salon", False),
        ({4}, "16:30", "story", False),
    ],
    ("pingjiang", "阅读活动室"): [
        ({5}, "14:00", "salon", False),
        ({6}, "10:00", "story", False),
        ({3}, "14:30", "c100", False),
    ],
}

# key: slug, title, brand, English title, what the series is about in English
SERIES = {
    "window": (
        "jiangnan-window-2021",
        "江南文化之窗 · 2021",
        "jiangnan_window",
        "A Window on Jiangnan Culture · 2021",
        "Talks on the streets, crafts, customs and stories of old Suzhou.",
    ),
    "forum": (
        "forum-2021",
        "苏图讲坛 · 2021",
        "",
        "Suzhou Library Forum · 2021",
        "Talks on health, law, science, books and everyday life.",
    ),
    "seniors": (
        "seniors-2021",
        "银龄讲堂 · 2021",
        "",
        "Seniors' Lecture Hall · 2021",
        "Afternoon talks for older readers.",
    ),
    "intl": (
        "intl-2021",
        "国际文化交流讲座 · 2021",
        "",
        "International Culture Talks · 2021",
        "Talks on the cultures of the world and their meeting with Jiangnan.",
    ),
}

# (gallery, title, curator's role) filling the galleries' free weeks.
EXHIBITIONS = [
    "苏州园林摄影展",
    "江南民间木版年画展",
    "馆藏地方文献珍品展",
    "苏州老照片里的城市记忆",
    "吴门书画名家作品展",
    "少儿绘画作品展",
    "世界各地图书插画展",
    "丝绸与刺绣艺术展",
    "运河人家图片展",
]

REASONS_OUTBREAK = "因疫情防控要求，本场活动取消。"
REASONS_TYPHOON = "因台风天气，本场活动取消。"
REASONS_OTHER = ("主讲人行程冲突，活动取消，另行安排。", "因场馆设备检修，本场活动取消。")


def _zone() -> ZoneInfo:
    return library_zone()


class _Year:
    def __init__(self):
        self.rng = random.Random(SEED)
        self.zone = _zone()
        self.now = utcnow()
        rows = db.session.execute(sa.select(Venue, Branch.code).join(Venue.branch)).all()
        self.venues = {(code, venue.name): venue for venue, code in rows}
        self.busy: dict[tuple[int, date], list[tuple[datetime, datetime]]] = {}
        self.events: list[dict] = []
        self.codes: set[str] = set()

    def at(self, day: date, hhmm: str) -> datetime:
        hour, minute = (int(x) for x in hhmm.split(":"))
        return datetime.combine(day, time(hour, minute), tzinfo=self.zone).astimezone(UTC)

    def local_day(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()

    def free(self, venue_id: int, start: datetime, end: datetime) -> bool:
        taken = self.busy.setdefault((venue_id, self.local_day(start)), [])
        if any(s < end and start < e for s, e in taken):
            return False
        taken.append((start, end))
        return True

    def code(self) -> str:
        """An unguessable check-in code (not from the seeded generator), unique in the load."""
        size = len(CHECKIN_ALPHABET)
        while True:
            number = int.from_bytes(secrets.token_bytes(6)) % size**CHECKIN_CODE_LENGTH
            code = ""
            for _ in range(CHECKIN_CODE_LENGTH):
                number, digit = divmod(number, size)
                code += CHECKIN_ALPHABET[digit]
            if code not in self.codes:
                self.codes.add(code)
                return code


def _series(slug: str, title: str, brand: str, title_en: str, about_en: str) -> int:
    series_id = db.session.scalar(sa.select(Series.id).where(Series.slug == slug))
    if series_id is None:
        series = Series(
            slug=slug,
            title=title,
            brand=brand,
            description=f"{title}系列讲座，免费参加。",
            title_en=title_en,
            description_en=f"{about_en} Free to attend.",
        )
        db.session.add(series)
        db.session.flush()
        series_id = series.id
    return series_id


def _mark_hand_made(year: _Year) -> None:
    """The season's own events keep their places; generated ones go around them."""
    first, last = year.at(date(YEAR, 1, 1), "00:00"), year.at(date(YEAR + 1, 1, 1), "00:00")
    for venue_id, starts_at, ends_at, kind in db.session.execute(
        sa.select(Event.venue_id, Event.starts_at, Event.ends_at, Event.kind).where(
            Event.venue_id.is_not(None), Event.starts_at < last, Event.ends_at > first
        )
    ):
        if kind == "exhibition":
            continue
        year.free(venue_id, starts_at, ends_at)


def _cancel_reason(year: _Year, day: date) -> str:
    if day in TYPHOON:
        return REASONS_TYPHOON
    if OUTBREAK[0] <= day <= OUTBREAK[1] and year.rng.random() < 0.85:
        return REASONS_OUTBREAK
    if year.rng.random() < 0.015:
        return year.rng.choice(REASONS_OTHER)
    return ""


def _is_holiday(day: date) -> bool:
    return day in HOLIDAYS or WINTER[0] <= day <= WINTER[1] or SUMMER[0] <= day <= SUMMER[1]


def _scale() -> float:
    """The share of the year's days with generated sessions (and of the seats booked):
    all of them, unless the app is told otherwise (DEMO_YEAR_SCALE); test apps take
    a tenth unless told."""
    default = 0.1 if current_app.testing else 1.0
    return float(current_app.config.get("DEMO_YEAR_SCALE", default))


def _sessions(year: _Year, series_ids: dict, campaign_id: int | None) -> None:
    rng = year.rng
    counters: dict[str, int] = {}
    every = max(1, round(1 / max(_scale(), 0.01)))
    day = date(YEAR, 1, 1)
    while day.year == YEAR:
        if day not in CLOSED and day.toordinal() % every == 0:
            holiday = _is_holiday(day)
            for venue_key, slots in PLAN.items():
                venue = year.venues.get(venue_key)
                if venue is None:
                    continue
                for weekdays, hhmm, category, in_holidays in slots:
                    on_day = day.weekday() in weekdays or (
                        in_holidays and holiday and day.weekday() < 5
                    )
                    if not on_day or rng.random() < 0.08:
                        continue
                    if category == "c100" and day < PARTY_HISTORY_FROM:
                        category = "salon"
                    _session(year, day, venue, hhmm, category, series_ids, campaign_id, counters)
        day += timedelta(days=1)


def _session(year, day, venue, hhmm, category, series_ids, campaign_id, counters) -> None:
    rng = year.rng
    kind, audiences, capacity, party, hours, series, roles, topics = CATEGORIES[category]
    start = year.at(day, hhmm)
    end = start + timedelta(hours=hours)
    if not year.free(venue.id, start, end):
        return
    n = counters[category] = counters.get(category, 0) + 1
    title = topics[(n - 1) % len(topics)]
    role = rng.choice(roles) if roles else ""
    reason = _cancel_reason(year, day)
    online = kind == "lecture" and rng.random() < 0.12
    capacity = min(capacity, venue.capacity or capacity)
    brief = f"主讲：{role}。" if role else ""
    year.events.append(
        {
            "uid": f"demo-y2021-{day.isoformat()}-{venue.id}-{hhmm.replace(':', '')}@eventsys",
            "kind": kind,
            "title": title,
            "description": f"{title}。{brief}免费参加，请提前在线报名，凭签到码入场。"
            + ("同步网络直播。" if online else ""),
            "series_id": series_ids.get(series) if series else None,
            "campaign_id": campaign_id if category == "c100" else None,
            "venue_id": venue.id,
            "starts_at": start,
            "ends_at": end,
            "online": online,
            "online_url": f"https://live.example.org/suzhou-library/{day:%Y%m%d}-{venue.id}"
            if online
            else "",
            "audience": rng.choice(audiences),
            "capacity": capacity,
            "max_party_size": party,
            "registration_opens_at": start - timedelta(days=7),
            "registration_closes_at": start - timedelta(hours=2),
            "status": "cancelled" if reason else "published",
            "cancel_reason": reason,
            "sequence": 2 if reason else 1,
            "speaker_name": role,
            "speaker_title": "",
            "walk_ins": 0,
            "seats_taken": 0,
        }
    )


def _gaps(year: _Year, venue_id: int) -> list[tuple[date, date]]:
    """The gallery's free spans in the year, between the exhibitions already there."""
    taken = sorted(
        (year.local_day(s), year.local_day(e))
        for s, e in db.session.execute(
            sa.select(Event.starts_at, Event.ends_at).where(
                Event.venue_id == venue_id, Event.kind == "exhibition"
            )
        )
    )
    gaps, cursor = [], date(YEAR, 1, 5)
    for first, last in taken:
        if first > cursor:
            gaps.append((cursor, min(first - timedelta(days=4), date(YEAR, 12, 20))))
        cursor = max(cursor, last + timedelta(days=4))
    if cursor < date(YEAR, 12, 20):
        gaps.append((cursor, date(YEAR, 12, 20)))
    return [(a, b) for a, b in gaps if (b - a).days >= 20]


def _exhibitions(year: _Year) -> list[dict]:
    """New exhibitions in the galleries' free weeks; returns their ExhibitionDetails rows."""
    rng, titles, details = year.rng, iter(EXHIBITIONS * 3), []
    for key in (("renmin", "一楼展厅"), ("second", "国际交流展厅")):
        venue = year.venues.get(key)
        if venue is None:
            continue
        for first, last in _gaps(year, venue.id):
            cursor = first
            while (last - cursor).days >= 20:
                end = min(last, cursor + timedelta(days=rng.choice((27, 34, 41))))
                title = next(titles)
                uid = f"demo-y2021-ex-{cursor.isoformat()}-{venue.id}@eventsys"
                year.events.append(
                    {
                        "uid": uid,
                        "kind": "exhibition",
                        "title": title,
                        "description": f"{title}。免费参观，无需预约；周一闭馆。",
                        "series_id": None,
                        "campaign_id": None,
                        "venue_id": venue.id,
                        "starts_at": year.at(cursor, "09:00"),
                        "ends_at": year.at(end, "17:00"),
                        "online": False,
                        "online_url": "",
                        "audience": "all",
                        "capacity": None,
                        "max_party_size": 1,
                        "registration_opens_at": None,
                        "registration_closes_at": None,
                        "status": "published",
                        "cancel_reason": "",
                        "sequence": 1,
                        "speaker_name": "",
                        "speaker_title": "",
                        "walk_ins": 0,
                        "seats_taken": 0,
                    }
                )
                details.append({"uid": uid, "curator": "馆藏部策展人", "opening_hours": HOURS})
                cursor = end + timedelta(days=5)
    return details


def _tours(year: _Year, exhibitions: list[tuple[int, int, datetime, datetime]]) -> None:
    """A guided tour each Saturday morning of every exhibition, from its second week."""
    for event_id, venue_id, starts_at, ends_at in exhibitions:
        day = year.local_day(starts_at) + timedelta(days=7)
        while day <= year.local_day(ends_at) and day.year == YEAR:
            if day.weekday() == 5 and day not in CLOSED:
                start = year.at(day, "10:30")
                if year.free(venue_id, start, start + timedelta(hours=1)):
                    reason = _cancel_reason(year, day)
                    year.events.append(
                        {
                            "uid": f"demo-y2021-tour-{day.isoformat()}-{venue_id}@eventsys",
                            "kind": "guided_tour",
                            "title": "展览导览",
                            "description": "由策展人或讲解志愿者带领参观展览，约一小时。",
                            "parent_id": event_id,
                            "series_id": None,
                            "campaign_id": None,
                            "venue_id": venue_id,
                            "starts_at": start,
                            "ends_at": start + timedelta(hours=1),
                            "online": False,
                            "online_url": "",
                            "audience": year.rng.choice(("all", "families")),
                            "capacity": 25,
                            "max_party_size": 4,
                            "registration_opens_at": start - timedelta(days=7),
                            "registration_closes_at": start - timedelta(hours=2),
                            "status": "cancelled" if reason else "published",
                            "cancel_reason": reason,
                            "sequence": 2 if reason else 1,
                            "speaker_name": "展览讲解员",
                            "speaker_title": "",
                            "walk_ins": 0,
                            "seats_taken": 0,
                        }
                    )
            day += timedelta(days=1)


def _users(prefix: str, count: int, role: str, card: str) -> list[int]:
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


def _registrations(year: _Year, readers: list[int]) -> None:
    """Past registrable events: parties booked, most came, some were no-shows, some cancelled."""
    rng, rows = year.rng, []
    events = db.session.execute(
        sa.select(
            Event.id,
            Event.capacity,
            Event.max_party_size,
            Event.starts_at,
            Event.ends_at,
            Event.status,
            Event.kind,
            Event.seats_taken,
        ).where(
            Event.capacity.is_not(None),
            Event.starts_at >= year.at(date(YEAR, 1, 1), "00:00"),
            Event.starts_at < year.at(date(YEAR + 1, 1, 1), "00:00"),
            Event.starts_at < year.now,
            Event.closed_at.is_(None),
        )
    ).all()
    taken_by = {
        (event_id, user_id)
        for event_id, user_id in db.session.execute(
            sa.select(Registration.event_id, Registration.user_id).where(
                Registration.event_id.in_([e.id for e in events])
            )
        )
    }
    updates, scale = [], min(_scale(), 1.0)
    for event_id, capacity, max_party, starts_at, ends_at, status, kind, held in events:
        free = capacity - held
        wanted = (
            int(free * rng.uniform(0.35, 0.75))
            if kind != "lecture"
            else int(free * rng.uniform(0.3, 0.6))
        )
        wanted = int(wanted * scale)
        people = rng.sample(readers, min(len(readers), wanted + 5))
        seats = 0
        for user_id in people:
            if seats >= wanted or (event_id, user_id) in taken_by:
                continue
            party = min(max_party, rng.choice((1, 1, 2, 2, 3)))
            booked = starts_at - timedelta(hours=rng.randint(3, 24 * 6))
            row = {
                "event_id": event_id,
                "user_id": user_id,
                "party_size": party,
                "source": "online",
                "created_at": booked,
                "confirmed_at": booked,
                "cancelled_at": None,
                "checked_in_at": None,
                "needs": "wheelchair" if rng.random() < 0.01 else "",
                "needs_note": "",
                "checkin_code": year.code(),
            }
            fate = rng.random()
            if status == "cancelled":
                row["status"], row["cancelled_at"] = "cancelled", starts_at - timedelta(days=1)
            elif fate < 0.08:
                row["status"] = "cancelled"
                row["cancelled_at"] = booked + (starts_at - booked) * rng.uniform(0.2, 0.9)
            elif fate < 0.19:
                row["status"] = "no_show"
            else:
                row["status"] = "confirmed"
                row["checked_in_at"] = starts_at - timedelta(minutes=rng.randint(0, 25))
                seats += party
            rows.append(row)
        if status == "published":
            walk_ins = rng.randint(30, 120) if kind == "lecture" else rng.randint(0, 8)
            updates.append(
                {
                    "b_id": event_id,
                    "b_seats": held + seats,
                    "b_walk_ins": walk_ins,
                    "b_closed": ends_at + timedelta(minutes=30),
                }
            )
    if rows:
        db.session.execute(Registration.__table__.insert(), rows)
    if updates:
        table = Event.__table__
        db.session.execute(
            table.update()
            .where(table.c.id == sa.bindparam("b_id"))
            .values(
                seats_taken=sa.bindparam("b_seats"),
                walk_ins=sa.bindparam("b_walk_ins"),
                closed_at=sa.bindparam("b_closed"),
            ),
            updates,
            execution_options={"synchronize_session": False},
        )


def _visitors(year: _Year) -> None:
    """Daily walk-in visitors of the year's exhibitions, on the days they were open."""
    rng, rows = year.rng, []
    exhibitions = db.session.execute(
        sa.select(Event.id, Event.starts_at, Event.ends_at, Event.campaign_id).where(
            Event.kind == "exhibition",
            Event.status == "published",
            Event.starts_at < year.at(date(YEAR + 1, 1, 1), "00:00"),
            Event.ends_at >= year.at(date(YEAR, 1, 1), "00:00"),
        )
    ).all()
    counted = set(db.session.scalars(sa.select(VisitorCount.event_id).distinct()))
    today = year.local_day(year.now)
    for event_id, starts_at, ends_at, campaign_id in exhibitions:
        if event_id in counted:
            continue
        base = rng.randint(180, 420) + (200 if campaign_id else 0)
        day = year.local_day(starts_at)
        while day <= min(year.local_day(ends_at), today - timedelta(days=1)):
            if day.weekday() != 0 and day not in CLOSED:
                if OUTBREAK[0] <= day <= OUTBREAK[1]:
                    visitors = rng.randint(20, 80)  # only on appointment
                else:
                    weekend = day.weekday() >= 5 or day in HOLIDAYS
                    visitors = int(base * (1.8 if weekend else 1) * rng.uniform(0.7, 1.3))
                rows.append({"event_id": event_id, "day": day, "visitors": visitors})
            day += timedelta(days=1)
    if rows:
        db.session.execute(VisitorCount.__table__.insert(), rows)


# Volunteer roles by event kind, with slots per shift.
SHIFT_ROLES = {
    "lecture": ("讲座服务", 2),
    "reading": ("少儿故事会", 1),
    "guided_tour": ("展览讲解", 1),
}


def _volunteers(year: _Year) -> None:
    """Volunteers, approved; shifts at the year's lectures, story times and tours, and a
    docent at each gallery on weekends; attendance recorded and hours credited."""
    rng = year.rng
    ids = _users("volunteer2021-", VOLUNTEERS, "volunteer", "SZV")
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


def load() -> None:
    if db.session.scalar(sa.select(Event.id).where(Event.uid == MARKER_UID)) is not None:
        return None  # loaded before
    year = _Year()
    if not year.venues:
        return None
    series_ids = {key: _series(*values) for key, values in SERIES.items()}
    campaign_id = db.session.scalar(
        sa.select(Campaign.id).where(Campaign.slug == "party-centenary-2021")
    )
    _mark_hand_made(year)
    details = _exhibitions(year)
    _sessions(year, series_ids, campaign_id)
    # The marker: a reader-facing event like the others, so that it is not an odd one out.
    year.events.append(
        {
            **year.events[-1],
            "uid": MARKER_UID,
            "title": "岁末读书分享会",
            "description": "岁末读书分享会。读者分享一年来的阅读收获，免费参加。",
            "kind": "reading",
            "series_id": None,
            "campaign_id": None,
            "venue_id": year.venues[("renmin", "多功能活动室")].id,
            "starts_at": year.at(date(YEAR, 12, 30), "19:00"),
            "ends_at": year.at(date(YEAR, 12, 30), "21:00"),
            "status": "published",
            "cancel_reason": "",
            "sequence": 1,
            "audience": "adults",
            "online": False,
            "online_url": "",
        }
    )
    plain = [e for e in year.events if e["kind"] != "guided_tour"]
    db.session.execute(Event.__table__.insert(), plain)
    uids = {d["uid"] for d in details}
    by_uid = dict(
        db.session.execute(sa.select(Event.uid, Event.id).where(Event.uid.in_(uids))).all()
    )
    db.session.execute(
        ExhibitionDetails.__table__.insert(),
        [
            {
                "event_id": by_uid[d["uid"]],
                "curator": d["curator"],
                "opening_hours": d["opening_hours"],
            }
            for d in details
        ],
    )
    year.events = []
    exhibitions = db.session.execute(
        sa.select(Event.id, Event.venue_id, Event.starts_at, Event.ends_at).where(
            Event.kind == "exhibition",
            Event.status == "published",
            Event.starts_at < year.at(date(YEAR + 1, 1, 1), "00:00"),
            Event.ends_at >= year.at(date(YEAR, 1, 1), "00:00"),
        )
    ).all()
    _tours(year, exhibitions)
    if year.events:
        db.session.execute(Event.__table__.insert(), year.events)
    readers = _users("reader2021-", READERS, "reader", "SZR")
    _registrations(year, readers)
    _visitors(year)
    _volunteers(year)
    db.session.expire_all()
    return None
