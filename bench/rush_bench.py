"""Registration rush benchmark: 1,000 readers register at once over the JSON API.

Builds a fresh database (SQLite file in a temporary folder, or a PostgreSQL database named
``eventsys_bench`` created and dropped on the server given by --database-url), runs
``eventsys db upgrade``, seeds 1,000 readers (one precomputed password hash, bulk insert),
one published 300-seat event per run and one API token per reader (inserted directly:
the token hash is computed here exactly as ``api.tokens.issue`` does, in one bulk insert;
1,000 calls of ``POST /api/v1/tokens`` would cost 1,000 scrypt checks, minutes on two
cores). Then starts gunicorn (gthread, 4 workers x 4 threads by default) on a free port
of 127.0.0.1 with RATELIMIT_ENABLED=false and, per run:

- rush: 1,000 ``POST /api/v1/events/<id>/registrations`` from 64 threads, each with its
  own keep-alive ``requests.Session``; then checks 300 confirmed, 700 waitlisted, the
  waitlist after every confirmed seat in arrival order, every reader once, zero errors;
- baseline: 1,000 ``GET /healthz`` with the same 64 connections.

Prints medians over the runs: requests per second, p50/p95/p99 latency and the ratio
rush / healthz throughput. Targets: ratio >= 0.30, rush p99 < 1 s.

Usage: python bench/rush_bench.py [--runs 3] [--workers 4] [--threads 4]
       [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import requests
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

READERS = 1000
SEATS = 300
WARM_READERS = 200  # other readers, who register for a warm-up event before the runs
CONNECTIONS = 64
BENCH_DB = "eventsys_bench"
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_postgres(server_url: str) -> str:
    """(Re)create the eventsys_bench database; returns its URL."""
    url = make_url(server_url)
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {BENCH_DB}"))
    admin.dispose()
    return url.set(database=BENCH_DB).render_as_string(hide_password=False)


def drop_postgres(server_url: str) -> None:
    url = make_url(server_url)
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"))
    admin.dispose()


def seed(env: dict, runs: int) -> tuple[list[int], list[str]]:
    """Readers, tokens, a warm-up event and one event per run.

    Returns the event ids (warm-up first) and the token secrets (the warm-up readers'
    last)."""
    os.environ.update(env)
    from eventsys import create_app
    from eventsys.api.tokens import token_hash
    from eventsys.db_types import utcnow
    from eventsys.extensions import db
    from eventsys.models import ApiToken, Branch, Event, User, Venue

    app = create_app({"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "SECRET_KEY": "bench"})
    with app.app_context():
        now = utcnow().replace(microsecond=0)
        password = generate_password_hash("bench-password", method="scrypt")  # once
        db.session.execute(
            sa.insert(User),
            [
                {
                    "email": f"reader{i:04d}@bench.example",
                    "display_name": f"读者{i:04d}",
                    "password_hash": password,
                    "role": "reader",
                    "created_at": now,
                }
                for i in range(READERS + WARM_READERS)
            ],
        )
        user_ids = db.session.scalars(sa.select(User.id).order_by(User.id)).all()
        secrets = [f"bench-token-{i:04d}-{os.urandom(16).hex()}" for i in range(len(user_ids))]
        db.session.execute(
            sa.insert(ApiToken),
            [
                {
                    "user_id": uid,
                    "token_hash": token_hash(secret),
                    "session_version": 1,
                    "created_at": now,
                    "expires_at": now + timedelta(days=1),
                }
                for uid, secret in zip(user_ids, secrets, strict=True)
            ],
        )
        branch = Branch(code="centre", name="苏州图书馆", kind="centre", address="人民路858号")
        venue = Venue(branch=branch, name="报告厅", capacity=SEATS)
        events = [
            Event(
                kind="lecture",
                title=f"名家讲座 第{run + 1}场",
                venue=venue,
                starts_at=now + timedelta(days=7),
                ends_at=now + timedelta(days=7, hours=2),
                status="published",
                capacity=SEATS,
                waitlist_enabled=True,
                speaker_name="王老师",
            )
            for run in range(runs + 1)
        ]
        events[0].title, events[0].capacity = "预热讲座", WARM_READERS // 2
        db.session.add_all([branch, venue, *events])
        db.session.commit()
        return [e.id for e in events], secrets


def check(env: dict, event_id: int) -> str:
    """The outcome in the database; raises AssertionError when it is wrong."""
    engine = sa.create_engine(env["DATABASE_URL"])
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT user_id, status FROM registrations WHERE event_id = :e "
                "ORDER BY created_at, id"
            ),
            {"e": event_id},
        ).all()
        seats = conn.execute(
            sa.text("SELECT seats_taken FROM events WHERE id = :e"), {"e": event_id}
        ).scalar_one()
    engine.dispose()
    statuses = [r.status for r in rows]
    confirmed, waitlisted = statuses.count("confirmed"), statuses.count("waitlisted")
    assert len({r.user_id for r in rows}) == READERS == len(rows), "a reader twice or missing"
    assert confirmed == SEATS == seats, f"{confirmed} confirmed, seats_taken {seats}"
    assert waitlisted == READERS - SEATS, f"{waitlisted} waitlisted"
    assert statuses == ["confirmed"] * SEATS + ["waitlisted"] * waitlisted, "order"
    return f"{confirmed} confirmed, {waitlisted} waitlisted in order"


def registrations(event_id: int, secrets: list[str]) -> list[tuple[str, str, dict, dict]]:
    """One registration request per token, for one seat."""
    return [
        (
            "POST",
            f"/api/v1/events/{event_id}/registrations",
            {"Authorization": f"Bearer {secret}"},
            {"party_size": 1},
        )
        for secret in secrets
    ]


def fire(base: str, requests_spec: list[tuple[str, str, dict, dict | None]]) -> dict:
    """Send the requests from CONNECTIONS threads, one keep-alive session each."""
    local = threading.local()

    def one(spec):
        method, path, headers, body = spec
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        started = time.perf_counter()
        try:
            response = session.request(method, base + path, headers=headers, json=body, timeout=30)
            status = response.status_code
        except requests.RequestException as exc:
            status = type(exc).__name__
        return time.perf_counter() - started, status

    started = time.perf_counter()
    with ThreadPoolExecutor(CONNECTIONS) as pool:
        results = list(pool.map(one, requests_spec))
    elapsed = time.perf_counter() - started
    latencies = sorted(r[0] for r in results)

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))]

    statuses: dict = {}
    for _lat, status in results:
        statuses[status] = statuses.get(status, 0) + 1
    return {
        "rps": len(results) / elapsed,
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "statuses": statuses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--database-url", default="", help="PostgreSQL server (any database)")
    parser.add_argument("--app", default="eventsys:create_app()", help="gunicorn app spec")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="rush-bench-"))
    if args.database_url:
        url = prepare_postgres(args.database_url)
    else:
        url = f"sqlite:///{folder / 'bench.db'}"
    env = {
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "RATELIMIT_ENABLED": "false",
        "EVENTSYS_INSTANCE_PATH": str(folder),
        "MAIL_BACKEND": "console",
    }
    child_env = {**os.environ, **env}
    server = None
    try:
        subprocess.run(
            [str(VENV_BIN / "eventsys"), "db", "upgrade"],
            env=child_env,
            check=True,
            capture_output=True,
        )
        t0 = time.perf_counter()
        event_ids, secrets = seed(env, args.runs)
        print(
            f"seeded {READERS} readers, tokens, {args.runs} events in "
            f"{time.perf_counter() - t0:.1f} s ({make_url(url).get_backend_name()})"
        )

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = open(folder / "gunicorn.log", "wb")  # noqa: SIM115
        server = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
                "--worker-class",
                "gthread",
                "--bind",
                f"127.0.0.1:{port}",
                "--keep-alive",
                "30",
                args.app,
            ],
            env=child_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for _ in range(300):
            try:
                if requests.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.1)
        else:
            raise SystemExit("gunicorn did not answer; see " + str(folder / "gunicorn.log"))
        # Warm every worker as a server that has been running is: imports, connections,
        # compiled and prepared statements, the database's caches. Other readers register
        # for another event (half confirmed, half waitlisted), so the rush's readers
        # still use their tokens for the first time.
        warm_event, event_ids = event_ids[0], event_ids[1:]
        warm_secrets, secrets = secrets[READERS:], secrets[:READERS]
        fire(base, [("GET", f"/api/v1/events/{warm_event}", {}, None)] * 200)
        warm = fire(base, registrations(warm_event, warm_secrets))
        assert warm["statuses"] == {201: WARM_READERS}, warm["statuses"]

        healthz = [("GET", "/healthz", {}, None)] * READERS
        rush_runs, health_runs = [], []
        for run, event_id in enumerate(event_ids):
            spec = registrations(event_id, secrets)
            rush = fire(base, spec)
            health = fire(base, healthz)
            assert rush["statuses"] == {201: READERS}, rush["statuses"]
            assert health["statuses"] == {200: READERS}, health["statuses"]
            outcome = check(env, event_id)
            rush_runs.append(rush)
            health_runs.append(health)
            print(
                f"run {run + 1}: rush {rush['rps']:.0f}/s p99 {rush['p99'] * 1000:.0f} ms; "
                f"healthz {health['rps']:.0f}/s; {outcome}; statuses {rush['statuses']}"
            )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if args.database_url:
            drop_postgres(args.database_url)
        shutil.rmtree(folder, ignore_errors=True)

    def med(runs, key):
        return statistics.median(r[key] for r in runs)

    print(
        f"\nmedians of {args.runs} runs; {READERS} requests, {CONNECTIONS} connections, "
        f"gunicorn gthread {args.workers} workers x {args.threads} threads"
    )
    print(f"{'':12}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for label, runs in (("registration", rush_runs), ("/healthz", health_runs)):
        print(
            f"{label:12}{med(runs, 'rps'):8.0f}{med(runs, 'p50') * 1000:9.0f}"
            f"{med(runs, 'p95') * 1000:9.0f}{med(runs, 'p99') * 1000:9.0f}"
        )
    ratio = statistics.median(
        r["rps"] / h["rps"] for r, h in zip(rush_runs, health_runs, strict=True)
    )
    print(f"throughput ratio registration / healthz: {ratio:.2f} (target >= 0.30)")
    print(f"registration p99: {med(rush_runs, 'p99') * 1000:.0f} ms (target < 1000 ms)")


if __name__ == "__main__":
    main()
