"""The demo's 2021 events: the weekly sessions, the exhibitions in the galleries' free
weeks and their guided tours, around the hand-made season's own events."""

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from eventsys.demo.year.plan import (
    CLOSED,
    HOLIDAYS,
    HOURS,
    OUTBREAK,
    PARTY_HISTORY_FROM,
    PLAN,
    SUMMER,
    TYPHOON,
    WINTER,
    YEAR,
)
from eventsys.demo.year.state import YearState, demo_scale
from eventsys.demo.year.topics import CATEGORIES, EXHIBITIONS
from eventsys.extensions import db
from eventsys.models import Event, Series

REASONS_OUTBREAK = "因疫情防控要求，本场活动取消。"
REASONS_TYPHOON = "因台风天气，本场活动取消。"
REASONS_OTHER = ("主讲人行程冲突，活动取消，另行安排。", "因场馆设备检修，本场活动取消。")


def series_id_for(slug: str, title: str, brand: str, title_en: str, about_en: str) -> int:
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


def mark_hand_made(year: YearState) -> None:
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


def _cancel_reason(year: YearState, day: date) -> str:
    if day in TYPHOON:
        return REASONS_TYPHOON
    if OUTBREAK[0] <= day <= OUTBREAK[1] and year.rng.random() < 0.85:
        return REASONS_OUTBREAK
    if year.rng.random() < 0.015:
        return year.rng.choice(REASONS_OTHER)
    return ""


def _is_holiday(day: date) -> bool:
    return day in HOLIDAYS or WINTER[0] <= day <= WINTER[1] or SUMMER[0] <= day <= SUMMER[1]


def sessions(year: YearState, series_ids: dict, campaign_id: int | None) -> None:
    rng = year.rng
    counters: dict[str, int] = {}
    every = max(1, round(1 / max(demo_scale(), 0.01)))
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


def _gaps(year: YearState, venue_id: int) -> list[tuple[date, date]]:
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


def exhibitions(year: YearState) -> list[dict]:
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


def tours(year: YearState, exhibitions: list[tuple[int, int, datetime, datetime]]) -> None:
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
