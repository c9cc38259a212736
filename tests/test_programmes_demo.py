"""The demo season: the 2021 programme plus coming events, loaded twice without doubling."""

import re
from datetime import timedelta

import sqlalchemy as sa

from eventsys import demo
from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Branch, Campaign, Event, Series


def _count(*where) -> int:
    return db.session.scalar(sa.select(sa.func.count(Event.id)).where(*where))


def test_demo_season_loads_once(app):
    demo.load()
    total = _count()
    demo.load()
    assert _count() == total
    spring = db.session.scalar(sa.select(Series).where(Series.slug == "jiangnan-2021-spring"))
    autumn = db.session.scalar(sa.select(Series).where(Series.slug == "jiangnan-2021-autumn"))
    assert _count(Event.series_id.in_([spring.id, autumn.id])) == 20
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.year == 2021))
    assert _count(Event.campaign_id == campaign.id) >= 28
    assert _count(Event.campaign_id == campaign.id, Event.online.is_(True)) >= 3
    assert _count(Event.campaign_id == campaign.id, Event.status == "cancelled") >= 3
    kinds = set(db.session.scalars(sa.select(Event.kind).where(Event.campaign_id == campaign.id)))
    assert {"lecture", "exhibition", "reading", "film", "contest", "study_session"} <= kinds
    assert _count(Event.kind == "exhibition", Event.campaign_id.is_(None)) >= 4
    assert _count(Event.kind == "guided_tour", Event.parent_id.is_not(None)) >= 8
    soon = utcnow() + timedelta(days=28)
    assert _count(Event.starts_at > utcnow(), Event.starts_at < soon) >= 30


def test_new_user_finds_next_weeks_seniors_lecture_at_second_library_in_two_clicks(app, client):
    demo.load()
    db.session.commit()
    home = client.get("/").text
    second = db.session.scalar(sa.select(Branch).where(Branch.code == "second"))
    # Click 1: the home page's filter, "Seniors" at the Second Library.
    form = re.search(r'<form method="get" action="(/events/)">(.*?)</form>', home, re.S)
    assert form, "no filter form on the home page"
    assert 'name="audience"' in form[2] and 'value="seniors"' in form[2]
    assert 'name="branch"' in form[2] and f'value="{second.id}"' in form[2]
    listing = client.get(f"{form[1]}?audience=seniors&branch={second.id}").text
    # Click 2: a lecture for seniors at the Second Library next week.
    next_week = [
        e
        for e in db.session.scalars(
            sa.select(Event).where(
                Event.kind == "lecture",
                Event.audience == "seniors",
                Event.status == "published",
                Event.starts_at > utcnow() + timedelta(days=7 - utcnow().weekday()),
                Event.starts_at < utcnow() + timedelta(days=14 - utcnow().weekday()),
            )
        )
        if e.venue.branch_id == second.id
    ]
    assert next_week
    assert f'href="/lectures/{next_week[0].id}"' in listing
    assert client.get(f"/lectures/{next_week[0].id}").status_code == 200


def test_home_page_is_never_empty_with_demo_data(app, client):
    demo.load()
    db.session.commit()
    text = client.get("/").text
    assert "No exhibition is open right now." not in text
    assert "No session is announced yet." not in text
