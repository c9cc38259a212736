"""Time a year's reader-activity figures (all splits) against one hand-written SQL query.

    .venv/bin/python bench/indicators_bench.py [--events 100000] [--registrations 2000000]
        [--runs 7] [--database-url postgresql://postgres@127.0.0.1:5432/eventsys_bench]

Seeds a SQLite file (or the given PostgreSQL database, emptied first) with bulk inserts,
then prints the median of several runs of ``services.indicators.figures`` and of the
equivalent hand-written query, their ratio, and whether both give the same numbers.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eventsys import create_app  # noqa: E402
from eventsys.extensions import db  # noqa: E402
from eventsys.models import Event  # noqa: E402
from eventsys.services import indicators  # noqa: E402

YEARS = (2019, 2020, 2021, 2022, 2023)
KINDS = ["lecture"] * 6 + ["exhibition", "guided_tour", "reading", "film", "workshop", "other"]
AUDIENCES = ["all", "children", "teens", "adults", "seniors", "families", "accessibility"]
STATUSES = ["published"] * 17 + ["draft", "cancelled", "cancelled"]

HAND_WRITTEN = """
WITH visits AS (
  SELECT event_id, SUM(visitors) AS visitors FROM visitor_counts
  WHERE day >= :d0 AND day < :d1 GROUP BY event_id
), counted AS (
  SELECT e.id, e.kind, e.series_id, e.campaign_id, e.online, e.audience,
         v.branch_id, b.kind AS branch_kind,
         CASE WHEN e.starts_at >= :start AND e.starts_at < :end THEN 1 ELSE 0 END AS sessions,
         CASE WHEN e.starts_at >= :start AND e.starts_at < :end
              THEN e.walk_ins + COALESCE((SELECT SUM(r.party_size) FROM registrations r
                   WHERE r.event_id = e.id AND r.checked_in_at IS NOT NULL
                     AND r.status <> 'cancelled'), 0)
              ELSE 0 END + COALESCE(vs.visitors, 0) AS participants
  FROM events e
  LEFT JOIN visits vs ON vs.event_id = e.id
  LEFT JOIN venues v ON v.id = e.venue_id
  LEFT JOIN branches b ON b.id = v.branch_id
  WHERE e.status = 'published' AND e.starts_at <= :now
    AND ((e.starts_at >= :start AND e.starts_at < :end)
         OR e.id IN (SELECT event_id FROM visits))
)
SELECT 'total', NULL, SUM(sessions), SUM(participants) FROM counted
UNION ALL SELECT 'branch', CAST(branch_id AS VARCHAR), SUM(sessions), SUM(participants)
  FROM counted GROUP BY branch_id
UNION ALL SELECT 'branch_kind', branch_kind, SUM(sessions), SUM(participants)
  FROM counted GROUP BY branch_kind
UNION ALL SELECT 'kind', kind, SUM(sessions), SUM(participants) FROM counted GROUP BY kind
UNION ALL SELECT 'series', CAST(series_id AS VARCHAR), SUM(sessions), SUM(participants)
  FROM counted GROUP BY series_id
UNION ALL SELECT 'online', CAST(online AS VARCHAR), SUM(sessions), SUM(participants)
  FROM counted GROUP BY online
UNION ALL SELECT 'audience', audience, SUM(sessions), SUM(participants)
  FROM counted GROUP BY audience
UNION ALL SELECT 'campaign', CAST(campaign_id AS VARCHAR), SUM(sessions), SUM(participants)
  FROM counted GROUP BY campaign_id
"""


def seed(n_events: int, n_registrations: int) -> None:
    rng = random.Random(2021)
    per_event = max(1, n_registrations // n_events)
    conn = db.session.connection()
    if db.engine.dialect.name == "sqlite":  # a throw-away file: no need to wait for the disk
        conn.exec_driver_sql("PRAGMA synchronous=OFF")
    conn.execute(
        sa.text(
            "INSERT INTO branches (id, code, name, name_en, kind, address) VALUES "
            "(:id, :code, :name, '', :kind, '')"
        ),
        [
            {
                "id": i,
                "code": f"b{i}",
                "name": f"分馆 {i}",
                "kind": "centre" if i <= 2 else "branch",
            }
            for i in range(1, 13)
        ],
    )
    conn.execute(
        sa.text(
            "INSERT INTO venues (id, branch_id, name, name_en, kind, address, capacity) VALUES "
            "(:id, :branch, :name, '', 'other', '', 200)"
        ),
        [{"id": i, "branch": 1 + i % 12, "name": f"厅 {i}"} for i in range(1, 61)],
    )
    conn.execute(
        sa.text(
            "INSERT INTO series (id, slug, title, brand, description) "
            "VALUES (:id, :slug, :title, '', '')"
        ),
        [{"id": i, "slug": f"s{i}", "title": f"系列 {i}"} for i in range(1, 201)],
    )
    conn.execute(
        sa.text(
            "INSERT INTO campaigns (id, slug, title, year, description) "
            "VALUES (1, 'c', 'c', 2021, '')"
        )
    )
    conn.execute(
        sa.text(
            "INSERT INTO users (id, email, display_name, password_hash, role, locale, active, "
            "created_at, session_version) VALUES (:id, :email, 'r', '!', 'reader', 'zh_Hans', "
            ":active, :at, 1)"
        ),
        [
            {"id": i, "email": f"r{i}@example.org", "active": True, "at": datetime.now(UTC)}
            for i in range(1, 5001)
        ],
    )
    base = datetime(YEARS[0], 1, 1, tzinfo=UTC)
    span = (datetime(YEARS[-1] + 1, 1, 1, tzinfo=UTC) - base).total_seconds()
    rows = []
    for i in range(1, n_events + 1):
        start = base + timedelta(seconds=rng.uniform(0, span))
        kind = rng.choice(KINDS)
        online = kind == "lecture" and rng.random() < 0.2
        rows.append(
            {
                "id": i,
                "uid": f"bench-{i}",
                "sequence": 0,
                "kind": kind,
                "title": f"活动 {i}",
                "description": "",
                "series_id": rng.randint(1, 200) if kind == "lecture" else None,
                "campaign_id": 1 if start.year == 2021 and rng.random() < 0.05 else None,
                "venue_id": None if online else rng.randint(1, 60),
                "starts_at": start,
                "ends_at": start + timedelta(days=60 if kind == "exhibition" else 0, hours=2),
                "online": online,
                "online_url": "",
                "audience": rng.choice(AUDIENCES),
                "capacity": None,
                "waitlist_enabled": True,
                "max_party_size": 4,
                "status": rng.choice(STATUSES),
                "cancel_reason": "",
                "speaker_name": "",
                "speaker_title": "",
                "speaker_bio": "",
                "seats_taken": 0,
                "walk_ins": rng.randint(0, 30),
                "created_at": start,
                "updated_at": start,
            }
        )
    conn.execute(sa.insert(Event.__table__), rows)
    # Registrations and visitor counts in one INSERT ... SELECT each, generated by the database.
    conn.execute(
        sa.text(
            "INSERT INTO registrations (event_id, user_id, party_size, status, needs, needs_note, "
            "checkin_code, source, created_at, checked_in_at) "
            "WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k + 1 < :per) "
            "SELECT e.id, ((e.id * 7 + n.k) % 5000) + 1, 1 + (e.id + n.k) % 3, "
            "CASE WHEN (e.id + n.k) % 10 = 0 THEN 'cancelled' ELSE 'confirmed' END, '', '', "
            "'c' || e.id || '-' || n.k, 'online', e.starts_at, "
            "CASE WHEN (e.id + n.k) % 3 <> 0 THEN e.starts_at END FROM events e, n"
        ),
        {"per": per_event},
    )
    next_day = (
        "date(e.starts_at, '+' || n.k || ' days')"
        if db.engine.dialect.name == "sqlite"
        else "CAST(e.starts_at AS date) + n.k"
    )
    conn.execute(
        sa.text(
            "INSERT INTO visitor_counts (event_id, day, visitors, recorded_at) "
            "WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k + 1 < 60) "
            f"SELECT e.id, {next_day}, 20 + (e.id + n.k) % 80, e.starts_at "
            "FROM events e, n WHERE e.kind = 'exhibition'"
        )
    )
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(sa.text("VACUUM ANALYZE"))
    else:
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def median_seconds(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--registrations", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--reuse", default="", help="A SQLite file seeded by an earlier run.")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="indicators-bench-"))
    url = args.database_url or f"sqlite:///{args.reuse or workdir / 'bench.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context(), app.test_request_context():
        started = time.perf_counter()
        if args.reuse:
            for table in db.metadata.sorted_tables:  # indexes added since the file was seeded
                for index in table.indexes:
                    index.create(db.engine, checkfirst=True)
            db.session.execute(sa.text("ANALYZE"))
        else:
            db.drop_all()
            db.create_all()
            seed(args.events, args.registrations)
        counts = {
            t: db.session.scalar(sa.text(f"SELECT COUNT(*) FROM {t}"))
            for t in ("events", "registrations", "visitor_counts")
        }
        print(
            f"{db.engine.dialect.name} {url}: {counts}, "
            f"ready in {time.perf_counter() - started:.1f} s"
        )

        period = indicators.year_period(args.year)
        now = datetime.now(UTC)
        params = {
            "start": period.start,
            "end": period.end,
            "d0": period.first_day,
            "d1": period.end_day,
            "now": now,
        }
        if db.engine.dialect.name == "sqlite":  # stored as naive UTC text, as UTCDateTime does
            for key in ("start", "end", "now"):
                params[key] = params[key].replace(tzinfo=None)

        def ours():
            return indicators.figures(period, now)

        def hand():
            return db.session.execute(sa.text(HAND_WRITTEN), params).all()

        ours(), hand()  # warm the caches
        figures, rows = ours(), hand()
        total = next(r for r in rows if r[0] == "total")
        same = (figures.sessions, figures.participants) == (int(total[2]), int(total[3]))
        t_ours, t_hand = median_seconds(ours, args.runs), median_seconds(hand, args.runs)
        print(
            f"year {args.year}: {figures.sessions} sessions, {figures.participants} participants "
            f"(hand-written query agrees: {same})"
        )
        print(f"figures() with all splits: median {t_ours * 1000:.0f} ms over {args.runs} runs")
        print(f"hand-written SQL:          median {t_hand * 1000:.0f} ms")
        print(f"ratio: {t_ours / t_hand:.2f}x (target <= 2x; SQLite target < 1000 ms)")


if __name__ == "__main__":
    main()
