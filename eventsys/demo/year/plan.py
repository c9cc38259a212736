"""When and where the demo's 2021 happens: the year's closed days and holidays, each
venue's weekly plan and the lecture series."""

from datetime import date

YEAR = 2021
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
