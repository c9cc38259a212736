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

What lives where: ``plan`` (the calendar and each venue's weekly plan), ``topics`` (what
the activities are about), ``state`` (what the load carries from step to step),
``events``, ``attendance`` (registrations and visitors) and ``people`` (readers,
volunteers and their shifts).
"""

from datetime import date

import sqlalchemy as sa

from eventsys.demo.year import attendance, events, people
from eventsys.demo.year.plan import SERIES, YEAR
from eventsys.demo.year.state import YearState
from eventsys.demo.year.topics import CATEGORIES, EXHIBITIONS, GENERAL, INTERNATIONAL, SCHOLARS
from eventsys.extensions import db
from eventsys.models import Campaign, Event, ExhibitionDetails

__all__ = ["CATEGORIES", "EXHIBITIONS", "GENERAL", "INTERNATIONAL", "SCHOLARS", "load"]

MARKER_UID = "demo-y2021-marker@eventsys"


def load() -> None:
    if db.session.scalar(sa.select(Event.id).where(Event.uid == MARKER_UID)) is not None:
        return None  # loaded before
    year = YearState()
    if not year.venues:
        return None
    series_ids = {key: events.series_id_for(*values) for key, values in SERIES.items()}
    campaign_id = db.session.scalar(
        sa.select(Campaign.id).where(Campaign.slug == "party-centenary-2021")
    )
    events.mark_hand_made(year)
    details = events.exhibitions(year)
    events.sessions(year, series_ids, campaign_id)
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
    exhibitions = year.exhibitions(Event.id, Event.venue_id, Event.starts_at, Event.ends_at)
    events.tours(year, exhibitions)
    if year.events:
        db.session.execute(Event.__table__.insert(), year.events)
    readers = people.users("reader2021-", people.READERS, "reader", "SZR")
    attendance.registrations(year, readers)
    attendance.visitor_counts(year)
    people.volunteers(year)
    db.session.expire_all()
    return None
