"""The 2021 season: the Jiangnan Culture Lecture Hall's spring and autumn talks and the
year's exhibitions with their curators' tours."""

from datetime import date, timedelta

from eventsys.demo.programmes.english import ABOUT_EN, TITLES_EN, english
from eventsys.demo.programmes.maker import (
    HOURS,
    Maker,
    find_or_add_series,
    local_instant,
    registration_fields,
)

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


def season_2021(make: Maker) -> None:
    spring = find_or_add_series(
        "jiangnan-2021-spring",
        "江南文化大讲堂 · 2021 春季",
        "江南文化大讲堂2021年春季系列，邀请专家学者解读吴地历史、艺术与生活。",
        "Jiangnan Culture Lecture Hall · Spring 2021",
        "The spring 2021 season of the Jiangnan Culture Lecture Hall: scholars on the "
        "history, arts and everyday life of the Wu region.",
    )
    autumn = find_or_add_series(
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
        start = local_instant(day, "14:30")
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
            **registration_fields(start, 200),
        )
    for key, title, venue, first, last, curator in EXHIBITIONS_2021:
        start = local_instant(date.fromisoformat(first), "09:00")
        end = local_instant(date.fromisoformat(last), "17:00")
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
            tour_start = local_instant(
                date.fromisoformat(first) + timedelta(days=12 + 28 * n), "10:00"
            )
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
                **registration_fields(tour_start, 25),
            )
