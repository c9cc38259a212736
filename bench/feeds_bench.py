"""Calendar feed benchmark: the app's feed against the bare icalendar library.

Builds a database of N events (default 5,000) inside the feed window, then measures, as
medians over several runs:

- app: GET /calendar/events.ics through the Flask test client with the feed cache emptied
  first (selection query, ETag, loading, VEVENT building, serialisation, storing the
  result in the cache, response);
- bare: the icalendar library alone building and serialising the same events from
  values already in memory (no database, no Flask);
- 304: the same GET with If-None-Match (one aggregate query, nothing serialised);
- cached: the same GET without conditional headers once the feed is in the cache (one
  aggregate query, the body taken from the worker's own copy), as calendar apps that
  poll do;
- shared: the same, with the worker's copies dropped first: the body read from the
  shared cache (Redis or the instance folder), as another worker's first poll is.

CPU seconds of this process are the headline (see timed); wall seconds are printed beside.

Usage: python bench/feeds_bench.py [--events 5000] [--runs 7] [--database-url URL]
       [--cache-url redis://127.0.0.1:6379/1]
(SQLite in a temporary folder by default; give a PostgreSQL URL to measure there. The
feed cache is a folder in the temporary instance folder unless --cache-url names one.)
"""

import argparse
import os
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import icalendar

from eventsys import create_app, feed_cache, worker_copies
from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Branch, Event, ExhibitionDetails, Series, Venue
from eventsys.services import ical

KINDS = ("lecture", "reading", "film", "workshop", "exhibition", "study_session")
DESCRIPTION = "江南文化源远流长，园林、昆曲、评弹与书画共同构成了苏州的文化图景。" * 3


def populate(n: int) -> None:
    now = utcnow().replace(microsecond=0)
    branch = Branch(code="centre", name="苏州图书馆", kind="centre", address="苏州市人民路858号")
    series = Series(slug="jiangnan", title="江南文化大讲堂", brand="jiangnan")
    venue = Venue(branch=branch, name="报告厅", capacity=300, latitude=31.3, longitude=120.6)
    db.session.add_all([branch, series, venue])
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        starts = now + timedelta(days=i % 360, hours=i % 9)
        event = Event(
            kind=kind,
            title=f"江南园林与文人生活 第{i}讲",
            description=DESCRIPTION,
            series=series if i % 2 else None,
            venue=venue,
            starts_at=starts,
            ends_at=starts + (timedelta(days=30) if kind == "exhibition" else timedelta(hours=2)),
            status="published",
            capacity=None if kind == "exhibition" else 100,
            speaker_name="王老师" if kind == "lecture" else "",
        )
        if kind == "exhibition":
            event.exhibition = ExhibitionDetails(opening_hours={"mon": "", "tue": "09:00-17:00"})
        db.session.add(event)
    db.session.commit()


def snapshot(app) -> list[dict]:
    """Plain values of every event, for the library-only baseline."""
    zone = ical.library_zone()
    rows = []
    for event in db.session.scalars(db.select(Event).order_by(Event.starts_at)):
        venue = event.venue
        rows.append(
            {
                "uid": event.uid,
                "stamp": event.updated_at,
                "created": event.created_at,
                "sequence": event.sequence,
                "summary": event.title,
                "exhibition": event.kind == "exhibition",
                "start": event.starts_at.astimezone(zone),
                "end": event.ends_at.astimezone(zone),
                "description": event.description,
                "location": f"{venue.branch.name} · {venue.name}, {venue.branch.address}",
                "geo": (venue.latitude, venue.longitude),
                "url": f"http://localhost/lectures/{event.id}",
                "categories": [event.kind, event.series.title if event.series else "", "all"],
            }
        )
    return rows


def bare_icalendar(rows: list[dict], zone) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//bench//EN")
    cal.add("version", "2.0")
    cal.add_component(icalendar.Timezone.from_tzinfo(zone, first_date=rows[0]["start"].date()))
    for row in rows:
        ve = icalendar.Event()
        ve.add("uid", row["uid"])
        ve.add("dtstamp", row["stamp"])
        ve.add("created", row["created"])
        ve.add("last-modified", row["stamp"])
        ve.add("sequence", row["sequence"])
        ve.add("status", "CONFIRMED")
        ve.add("summary", row["summary"])
        if row["exhibition"]:
            ve.add("dtstart", row["start"].date())
            ve.add("dtend", row["end"].date() + timedelta(days=1))
        else:
            ve.add("dtstart", row["start"])
            ve.add("dtend", row["end"])
        ve.add("description", row["description"])
        ve.add("location", row["location"])
        ve.add("geo", row["geo"])
        ve.add("url", row["url"])
        ve.add("categories", row["categories"])
        cal.add_component(ve)
    return cal.to_ical()


def timed(fn) -> tuple[float, float, object]:
    """CPU and wall seconds of one call. CPU time of this process is steadier on a shared
    machine; it counts SQLite's work (in-process) but not a PostgreSQL server's."""
    cpu, wall = time.process_time(), time.perf_counter()
    result = fn()
    return time.process_time() - cpu, time.perf_counter() - wall, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--cache-url", default="filesystem://")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="feeds-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    os.environ["EVENTSYS_INSTANCE_PATH"] = str(folder)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
            "EVENTSYS_CACHE_URL": args.cache_url,
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        populate(args.events)
        rows = snapshot(app)
        db.session.remove()
        zone = ical.library_zone()
        client = app.test_client()

        def app_feed() -> bytes:
            response = client.get("/calendar/events.ics")
            assert response.status_code == 200
            return response.data

        feed_cache.clear()
        app_feed(), bare_icalendar(rows, zone)  # warm up (imports, statement cache)
        # Interleaved, so a busy machine slows both sides alike.
        app_runs, bare_runs = [], []
        for _ in range(args.runs):
            feed_cache.clear()
            *app_seconds, body = timed(app_feed)
            app_runs.append(app_seconds)
            *bare_seconds, bare_body = timed(lambda: bare_icalendar(rows, zone))
            bare_runs.append(bare_seconds)
        etag = client.get("/calendar/events.ics").headers["ETag"]

        def conditional() -> int:
            response = client.get("/calendar/events.ics", headers={"If-None-Match": etag})
            assert response.status_code == 304
            return response.status_code

        app_feed()  # into the cache
        not_modified_runs, cached_runs, shared_runs = [], [], []
        for _ in range(args.runs * 5):
            not_modified_runs.append(timed(conditional)[:2])
            *cached_seconds, cached_body = timed(app_feed)
            assert cached_body == body, "the cached feed differs from a fresh build"
            cached_runs.append(cached_seconds)
            worker_copies.drop()
            *shared_seconds, shared_body = timed(app_feed)
            assert shared_body == body, "the shared cache's feed differs from a fresh build"
            shared_runs.append(shared_seconds)
        feed_cache.clear()
        events_in_feed = body.count(b"BEGIN:VEVENT")
        db.session.remove()  # requests shared this app context and its open transaction
        db.drop_all()

    def median(runs, which: int) -> float:
        return statistics.median(r[which] for r in runs)

    print(f"events in feed: {events_in_feed}; medians of {args.runs} interleaved runs")
    print(f"{'':22}{'CPU ms':>10}{'wall ms':>10}")
    for label, runs in (("app feed (HTTP)", app_runs), ("bare icalendar", bare_runs)):
        print(f"{label:22}{median(runs, 0) * 1000:10.1f}{median(runs, 1) * 1000:10.1f}")
    for which, name in ((0, "CPU"), (1, "wall")):
        ratio = median(app_runs, which) / median(bare_runs, which)
        print(f"ratio app / bare ({name}){ratio:>{14 - len(name)}.2f}x   (target <= 1.2x)")
    answers = (
        ("304 answer", not_modified_runs),
        ("cached (no validators)", cached_runs),
        ("shared (no validators)", shared_runs),
    )
    for label, runs in answers:
        print(f"{label:22}{median(runs, 0) * 1000:10.2f}{median(runs, 1) * 1000:10.2f}")
    for kept, runs in (("cached", cached_runs), ("shared", shared_runs)):
        for which, name in ((0, "CPU"), (1, "wall")):
            ratio = median(runs, which) / median(not_modified_runs, which)
            print(f"ratio {kept} / 304 ({name}){ratio:>{12 - len(name)}.2f}x   (target <= 3x)")
    print(f"sizes: app {len(body) / 1e6:.2f} MB, bare {len(bare_body) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
