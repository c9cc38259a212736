"""CPU time per request of the reader pages, the cached calendar feed, a reader's API read
(``GET /api/v1/me/registrations`` with their token) and an API registration, through the
Flask test client: no server, no network, no client in the figures, so it shows what a
change to the application costs or saves even on a busy machine.

Set up as ``wrk_rush.py`` sets up its server (production settings, demo data, readers with
API tokens, rate-limit counters in Redis), in a temporary instance folder. Each page is
asked for in batches; the figure is the fastest batch's CPU time per request (the least
disturbed by other processes). ``--profile NAME`` runs cProfile over that page instead and
prints the functions by cumulative time (``--sort tottime``: by their own time).

Usage: python bench/pages_cpu.py [--requests 200] [--batches 5] [--profile home [--sort tottime]]
       [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

import argparse
import cProfile
import itertools
import logging
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import wrk_rush

READERS = 3000  # API registrations measured at most, one reader each
READING = 50  # readers whose registration ``api read`` reads back, round and round


def prepare(folder: Path, database_url: str) -> tuple[int, int, list[str]]:
    """Database, demo data and readers; the registration's event, an event page's event and
    the readers' tokens."""
    env = {
        **os.environ,
        "EVENTSYS_ENV": "production",
        "SECRET_KEY": os.urandom(32).hex(),
        "DATABASE_URL": database_url,
        "RATELIMIT_STORAGE_URI": wrk_rush.REDIS_URL,
        "RATELIMIT_REGISTRATION": "100000 per minute",
        "EVENTSYS_BASE_URL": "http://127.0.0.1:5000",
        "EVENTSYS_INSTANCE_PATH": str(folder),
    }
    subprocess.run(
        ["redis-cli", "-n", wrk_rush.REDIS_URL.rsplit("/", 1)[1], "flushdb"],
        check=True,
        capture_output=True,
    )
    eventsys = str(wrk_rush.VENV_BIN / "eventsys")
    wrk_rush.run_command([eventsys, "db", "upgrade"], env)
    wrk_rush.run_command([eventsys, "demo", "load"], env)
    wrk_rush.READERS_PER_RUN = READERS
    _warm, (event,), secrets, page_event = wrk_rush.seed(env["DATABASE_URL"], 1)
    os.environ.update(env)
    return event, page_event, secrets[1]


def cpu_ms(ask, requests: int, batches: int) -> float:
    """The fastest batch's CPU milliseconds per request."""
    for _ in range(5):
        ask()
    best = float("inf")
    for _ in range(batches):
        started = time.process_time()
        for _ in range(requests):
            ask()
        best = min(best, time.process_time() - started)
    return best / requests * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per batch")
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument(
        "--profile", default="", help="home, events, event, events.ics, api read or register"
    )
    parser.add_argument("--sort", default="cumulative", help="pstats order of the profile")
    parser.add_argument("--database-url", default="", help="PostgreSQL server (any database)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="pages-cpu-"))
    if args.database_url:
        database_url = wrk_rush.recreate_postgres(args.database_url, keep=True)
    else:
        database_url = f"sqlite:///{folder / 'eventsys.db'}"
    app = None
    try:
        event, page_event, tokens = prepare(folder, database_url)
        from eventsys import create_app

        app = create_app()
        # Request log lines are still made, as in production, but not written anywhere.
        logging.getLogger().handlers[:] = [logging.NullHandler()]
        client = app.test_client()
        chinese = {"Accept-Language": "zh-CN,zh;q=0.9"}
        unused = iter(tokens)
        # The first readers register before anything is measured, so their own
        # registrations can be read back.
        readers = [next(unused) for _ in range(READING)]

        def register(token=None):
            answer = client.post(
                f"/api/v1/events/{event}/registrations",
                json={"party_size": 1},
                headers={"Authorization": f"Bearer {token or next(unused)}"},
            )
            assert answer.status_code == 201, answer.data

        for token in readers:
            register(token)
        reading = itertools.cycle(readers)

        def read():
            answer = client.get(
                "/api/v1/me/registrations",
                headers={"Authorization": f"Bearer {next(reading)}"},
            )
            assert answer.status_code == 200 and len(answer.json["items"]) == 1, answer.data

        pages = {
            "home": lambda: client.get("/", headers=chinese),
            "home (English)": lambda: client.get("/", headers={"Accept-Language": "en"}),
            "events": lambda: client.get("/events/", headers=chinese),
            "event": lambda: client.get(f"/events/{page_event}", headers=chinese),
            "events.ics": lambda: client.get("/calendar/events.ics"),
            "healthz": lambda: client.get("/healthz"),
            "api read": read,
            "register": register,
        }
        registrations = min(args.requests, (READERS - READING - 5) // args.batches)
        if args.profile:
            ask = pages[args.profile]
            ask()
            profile = cProfile.Profile()
            profile.runcall(
                lambda: [ask() for _ in range(min(args.requests, READERS - READING - 1))]
            )
            pstats.Stats(profile).sort_stats(args.sort).print_stats(60)
            return
        print(f"CPU ms per request, fastest of {args.batches} batches:")
        for name, ask in pages.items():
            requests = registrations if name == "register" else args.requests
            print(f"{name:16}{cpu_ms(ask, requests, args.batches):8.2f}   ({requests} per batch)")
    finally:
        if args.database_url:
            if app is not None:
                from eventsys.extensions import db

                with app.app_context():
                    db.engine.dispose()  # so that the database can be dropped
            wrk_rush.recreate_postgres(args.database_url, keep=False)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
