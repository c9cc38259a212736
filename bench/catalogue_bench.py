"""Catalogue benchmark: list and search pages with 10,000 events.

Seeds N published events (default 10,000, bulk insert; lectures, readings, films,
workshops, exhibitions, study sessions over the coming year in 4 branches and 3 series,
Chinese titles), then requests each page through the Flask test client and reports, per
page, the median server time (wall, and CPU of this process) over several runs and the
number of SQL statements (a ``before_cursor_execute`` listener), for the first page and a
late page (page 40, i.e. events 781-800 of the result).

Usage: python bench/catalogue_bench.py [--events 10000] [--runs 7] [--database-url URL]
(SQLite in a temporary folder by default; give a PostgreSQL URL to measure there.)
"""

import argparse
import os
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from eventsys import create_app
from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Branch, Event, Series, Venue

KINDS = ("lecture", "reading", "film", "workshop", "exhibition", "study_session")
TOPICS = ("江南园林", "苏州评弹", "昆曲艺术", "宋代书画", "红色记忆", "运河文化", "古籍修复")
LATE = 40

PAGES = [
    ("lectures", "/lectures/"),
    ("all events", "/events/"),
    ("search q=昆曲", "/events/?q=%E6%98%86%E6%9B%B2"),
    ("search q=garden (no hit)", "/events/?q=garden"),
    ("filter kind+branch", "/events/?kind=workshop&branch=2"),
    ("filter series+dates", "/lectures/?series=1&date_from=2027-01-01&date_to=2027-06-30"),
]


def populate(n: int) -> None:
    now = utcnow().replace(microsecond=0)
    branches = [Branch(code=f"b{i}", name=f"苏州图书馆分馆{i}", kind="branch") for i in range(4)]
    venues = [Venue(branch=b, name="报告厅", capacity=200) for b in branches]
    series = [Series(slug=f"s{i}", title=f"系列{i}", brand="") for i in range(3)]
    db.session.add_all([*branches, *venues, *series])
    db.session.flush()
    rows = []
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        starts = now + timedelta(days=1 + i % 365, hours=i % 9)
        rows.append(
            {
                "uid": f"bench-{i}@eventsys",
                "kind": kind,
                "title": f"{TOPICS[i % len(TOPICS)]}系列活动 第{i}场",
                "description": "江南文化源远流长，园林、昆曲、评弹与书画共同构成了苏州的文化图景。",
                "series_id": series[i % 3].id if kind == "lecture" else None,
                "venue_id": venues[i % 4].id,
                "starts_at": starts,
                "ends_at": starts + timedelta(hours=2),
                "status": "published",
                "capacity": None if kind == "exhibition" else 100,
                "speaker_name": "王老师" if kind == "lecture" else "",
                "created_at": now,
                "updated_at": now,
            }
        )
    db.session.execute(sa.insert(Event), rows)
    db.session.commit()


def ensure_database(url: str) -> None:
    """Create a PostgreSQL database named in ``url`` when it does not exist yet."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}
        ).scalar()
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="catalogue-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    ensure_database(url)
    os.environ["EVENTSYS_INSTANCE_PATH"] = str(folder)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
            "EVENTSYS_REQUEST_LOG": False,
        }
    )
    statements = [0]
    with app.app_context():
        db.drop_all()
        db.create_all()
        populate(args.events)
        db.session.remove()
        sa.event.listen(
            db.engine,
            "before_cursor_execute",
            lambda *a: statements.__setitem__(0, statements[0] + 1),
        )
    client = app.test_client()
    results = []
    for label, path in PAGES:
        for page_label, page in (("first", 1), ("late", LATE)):
            full = f"{path}{'&' if '?' in path else '?'}page={page}"
            response = client.get(full)  # warm up
            assert response.status_code == 200, (full, response.status_code)
            walls, cpus, counts = [], [], []
            for _ in range(args.runs):
                statements[0] = 0
                cpu, wall = time.process_time(), time.perf_counter()
                response = client.get(full)
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
                counts.append(statements[0])
                assert response.status_code == 200
            results.append(
                (label, page_label, statistics.median(walls), statistics.median(cpus), max(counts))
            )
    with app.app_context():
        db.session.remove()
        db.drop_all()

    print(f"{args.events} events, medians of {args.runs} runs, late page = page {LATE}")
    print(f"{'page':28}{'which':>7}{'wall ms':>10}{'CPU ms':>9}{'SQL':>5}")
    for label, which, wall, cpu, count in results:
        print(f"{label:28}{which:>7}{wall * 1000:10.1f}{cpu * 1000:9.1f}{count:5d}")


if __name__ == "__main__":
    main()
