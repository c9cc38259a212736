"""Registration rush and reader pages under wrk, against ``eventsys serve`` as shipped.

The server is started as the README's production section says: ``EVENTSYS_ENV=production``,
a ``SECRET_KEY``, ``DATABASE_URL`` (an SQLite file in the instance folder, or a fresh
PostgreSQL database ``eventsys_bench`` on the server given by --database-url), rate-limit
counters in Redis, then ``eventsys serve --workers 4`` (which upgrades the database). The
demo data is loaded first (``eventsys demo load``). Only the registration limit is raised
(every reader of the rush comes from 127.0.0.1); the limiter itself stays on.

Seeded beside the demo: readers with one API token each (inserted directly; the token hash
as ``api.tokens.issue`` computes it), one published 300-seat lecture per run and a warm-up
lecture. Per run, with the same wrk settings (``-t2 -c64 -d5s`` by default):

- rush: ``wrk -s bench/wrk/rush.lua``: every request a different reader, one seat each;
  afterwards the database must hold exactly 300 confirmed and the rest waitlisted, the
  waitlist after every confirmed seat in arrival order, one registration per 201 answer;
- ``/healthz``, the baseline: the same server's answer to a trivial request;
- API read: ``GET /api/v1/me/registrations``, each request with the token of one of the
  warm-up's readers (one registration each): what the stack costs a reader's
  authenticated call that writes nothing, the floor a registration stands on;
- pages (``--pages``): the home page, ``/events``, an event page and the cached
  ``/calendar/events.ics``.

Prints each run and the medians: requests/s, p50/p99, the ratio to ``/healthz`` and the
registrations' ratio to the API read.
Needs Debian's wrk (``apt-get install wrk``) and Redis on 127.0.0.1:6379.

Usage: python bench/wrk_rush.py [--runs 3] [--workers 4] [--duration 5] [--pages]
       [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

SEATS = 300
READERS_PER_RUN = 4000  # more than a 5 s rush can use at 800 registrations/s
WARM_READERS = 400
BENCH_DB = "eventsys_bench"
REDIS_URL = "redis://127.0.0.1:6379/14"
HERE = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
RESULT = re.compile(r"RESULT (.*)")
READ_PATH = "/api/v1/me/registrations"  # a reader's own registrations, by their token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def admin_engine(server_url: str) -> sa.Engine:
    url = make_url(server_url).set(database="postgres")
    return sa.create_engine(url, isolation_level="AUTOCOMMIT")


def recreate_postgres(server_url: str, keep: bool) -> str:
    """A fresh eventsys_bench database (or none, when keep is False); returns its URL."""
    engine = admin_engine(server_url)
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"))
        if keep:
            conn.execute(sa.text(f"CREATE DATABASE {BENCH_DB}"))
    engine.dispose()
    return make_url(server_url).set(database=BENCH_DB).render_as_string(hide_password=False)


def run_command(args: list[str], env: dict) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def seed(database_url: str, runs: int) -> tuple[int, list[int], list[list[str]], int]:
    """Readers and tokens, a warm-up event and one event per run, in the demo's main hall.

    Returns the warm-up event, the run events, the token lists (warm-up first) and the id
    of a published demo event for the page measurements."""
    from eventsys.api.tokens import token_hash
    from eventsys.db_types import utcnow
    from eventsys.models import ApiToken, Event, User, Venue

    engine = sa.create_engine(database_url)
    # The models' tables, so that column defaults apply to the bulk inserts.
    users, tokens, events, venues = (m.__table__ for m in (User, ApiToken, Event, Venue))
    now = utcnow().replace(microsecond=0)
    groups = [WARM_READERS] + [READERS_PER_RUN] * runs
    password = generate_password_hash("bench-password", method="scrypt")  # once for all
    secrets: list[list[str]] = []
    with engine.begin() as conn:
        for group, size in enumerate(groups):
            emails = [f"rush{group}-{i:05d}@bench.example" for i in range(size)]
            conn.execute(
                users.insert(),
                [
                    {
                        "email": email,
                        "display_name": f"读者{group}-{i:05d}",
                        "password_hash": password,
                        "role": "reader",
                        "locale": "zh_Hans",
                        "created_at": now,
                    }
                    for i, email in enumerate(emails)
                ],
            )
            ids = (
                conn.execute(
                    sa.select(users.c.id).where(users.c.email.in_(emails)).order_by(users.c.id)
                )
                .scalars()
                .all()
            )
            group_secrets = [f"rush-{group}-{i}-{os.urandom(16).hex()}" for i in range(size)]
            conn.execute(
                tokens.insert(),
                [
                    {
                        "user_id": uid,
                        "token_hash": token_hash(secret),
                        "session_version": 1,
                        "created_at": now,
                        "expires_at": now + timedelta(days=1),
                    }
                    for uid, secret in zip(ids, group_secrets, strict=True)
                ],
            )
            secrets.append(group_secrets)
        venue_id = conn.execute(sa.select(sa.func.min(venues.c.id))).scalar_one()
        event_ids = []
        for n in range(len(groups)):
            title = "预热讲座" if n == 0 else f"名家讲座 第{n}场"
            event_ids.append(
                conn.execute(
                    events.insert().returning(events.c.id),
                    {
                        "uid": f"rush-{n}-{os.urandom(6).hex()}@eventsys",
                        "sequence": 0,
                        "kind": "lecture",
                        "title": title,
                        "venue_id": venue_id,
                        "starts_at": now + timedelta(days=30, hours=n),
                        "ends_at": now + timedelta(days=30, hours=n + 2),
                        "online": False,
                        "audience": "all",
                        "capacity": SEATS,
                        "waitlist_enabled": True,
                        "max_party_size": 1,
                        "status": "published",
                        "speaker_name": "王老师",
                        "seats_taken": 0,
                        "walk_ins": 0,
                        "created_at": now,
                        "updated_at": now,
                    },
                ).scalar_one()
            )
        page_event = (
            conn.execute(
                sa.select(events.c.id)
                .where(events.c.status == "published", events.c.starts_at > now)
                .where(events.c.id.not_in(event_ids))
                .order_by(events.c.starts_at)
                .limit(1)
            ).scalar()
            or event_ids[0]
        )
    engine.dispose()
    return event_ids[0], event_ids[1:], secrets, page_event


def check(database_url: str, event_id: int, answered: int, sent: int) -> str:
    """The rush's outcome in the database; raises AssertionError when it is wrong."""
    engine = sa.create_engine(database_url)
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
    assert len({r.user_id for r in rows}) == len(rows), "a reader registered twice"
    # Requests still in flight when wrk stops may be registered without wrk seeing the answer.
    assert answered <= len(rows) <= sent, f"{len(rows)} registrations, {answered} answered"
    expected = min(SEATS, len(rows))  # a short or slow run may not fill the hall
    assert confirmed == expected == seats, f"{confirmed} confirmed, seats_taken {seats}"
    assert statuses == ["confirmed"] * expected + ["waitlisted"] * waitlisted, "arrival order"
    return f"{confirmed} confirmed, {waitlisted} waitlisted in order"


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# Who spent the machine's CPU during a wrk run, by process name.
CPU_GROUPS = {"eventsys": "server", "redis-server": "redis", "postgres": "postgres"}


class CpuReading(NamedTuple):
    """CPU seconds used so far by each server, Redis and PostgreSQL process, keyed by pid
    and start time (a pid can be reused), and by the whole machine."""

    processes: dict[tuple[str, str], tuple[str, float]]  # -> (group, seconds)
    all: float


def cpu_seconds() -> CpuReading:
    """A reading from /proc of the CPU time used so far."""
    processes = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        group = CPU_GROUPS.get(name)
        if group:
            fields = text[text.rindex(")") + 2 :].split()
            seconds = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
            processes[(stat.parent.name, fields[19])] = (group, seconds)
    with open("/proc/stat") as machine:
        user, nice, system, _idle, _iowait, irq, softirq = machine.readline().split()[1:8]
    busy = sum(int(t) for t in (user, nice, system, irq, softirq))  # guest is within user
    return CpuReading(processes, busy / CLOCK_TICKS)


def cpu_spent(before: CpuReading, after: CpuReading) -> dict[str, float]:
    """CPU seconds spent between two readings, by group and in all. A process that ended
    in between (an autovacuum worker, say) is left out rather than counted negative, and
    so is one that started and ended in between; the whole machine's figure holds both."""
    spent = dict.fromkeys(CPU_GROUPS.values(), 0.0)
    for key, (group, seconds) in after.processes.items():
        earlier = before.processes.get(key)
        spent[group] += seconds - (earlier[1] if earlier else 0.0)
    spent["all"] = after.all - before.all
    return spent


def wrk(args: argparse.Namespace, url: str, script: str, env: dict | None = None) -> dict:
    """One wrk run; the numbers of its RESULT line, with requests/s and ms, and the CPU
    milliseconds per request each kind of process spent (``cpu``)."""
    command = [
        "wrk",
        f"-t{args.wrk_threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--timeout",
        "10s",
        "-s",
        str(HERE / "wrk" / script),
        url,
    ]
    before = cpu_seconds()
    done = subprocess.run(
        command, env={**os.environ, **(env or {})}, capture_output=True, text=True, check=True
    )
    after = cpu_seconds()
    match = RESULT.search(done.stdout)
    if not match:
        raise SystemExit(f"wrk printed no result:\n{done.stdout}\n{done.stderr}")
    result = {k: int(v) for k, v in (pair.split("=") for pair in match.group(1).split())}
    result["seconds"] = result["duration_us"] / 1e6
    result["errors"] = sum(
        result[k] for k in ("status_errors", "connect", "read", "write", "timeout")
    )
    for p in ("p50", "p90", "p99", "max"):
        result[p] = result[f"{p}_us"] / 1000
    answered = max(result["requests"], 1)
    result["cpu"] = {k: v * 1000 / answered for k, v in cpu_spent(before, after).items()}
    return result


def production_env(database_url: str, base: str, folder: Path) -> dict:
    """The environment of ``eventsys serve`` as the README's production section sets it,
    with the rate limiter's counters in Redis and the instance in ``folder``."""
    return {
        **os.environ,
        "EVENTSYS_ENV": "production",
        "SECRET_KEY": os.urandom(32).hex(),
        "DATABASE_URL": database_url,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "EVENTSYS_BASE_URL": base,
        "EVENTSYS_INSTANCE_PATH": str(folder),
    }


def start_server(env: dict, port: int, workers: int, folder: Path) -> subprocess.Popen:
    """``eventsys serve --workers N`` on 127.0.0.1:port, once it answers; its output goes
    to serve.log in ``folder``."""
    log_path = folder / "serve.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [
                str(VENV_BIN / "eventsys"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(f"http://127.0.0.1:{port}", log_path)
    except BaseException:
        server.terminate()
        raise
    return server


def wait_until_up(base: str, log: Path) -> None:
    for _ in range(600):
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"eventsys serve did not answer; see {log}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--pages", action="store_true", help="also measure the reader pages")
    parser.add_argument("--database-url", default="", help="PostgreSQL server (any database)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")

    folder = Path(tempfile.mkdtemp(prefix="wrk-rush-"))
    if args.database_url:
        database_url = recreate_postgres(args.database_url, keep=True)
    else:
        database_url = f"sqlite:///{folder / 'eventsys.db'}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # Only the registration limit is raised: every reader of the rush comes from 127.0.0.1.
    env = {
        **production_env(database_url, base, folder),
        "RATELIMIT_REGISTRATION": "100000 per minute",
    }
    subprocess.run(
        ["redis-cli", "-n", REDIS_URL.rsplit("/", 1)[1], "flushdb"], check=True, capture_output=True
    )
    server = None
    try:
        eventsys = str(VENV_BIN / "eventsys")
        run_command([eventsys, "db", "upgrade"], env)
        started = time.perf_counter()
        run_command([eventsys, "demo", "load"], env)
        warm_event, run_events, secrets, page_event = seed(database_url, args.runs)
        print(
            f"demo and {sum(map(len, secrets))} readers seeded in "
            f"{time.perf_counter() - started:.0f} s ({make_url(database_url).get_backend_name()})"
        )

        server = start_server(env, port, args.workers, folder)
        # Warm every worker as a running server is (imports, connections, caches): pages,
        # /healthz, and other readers registering for another event.
        for path in ("/healthz", "/", "/events/", f"/events/{page_event}"):
            wrk(args, base + path, "get.lua")
        warm_tokens = folder / "warm.txt"
        warm_tokens.write_text("\n".join(secrets[0]) + "\n")
        warm = wrk(
            args,
            base,
            "rush.lua",
            {
                "TOKENS": str(warm_tokens),
                "EVENT": str(warm_event),
                "NTHREADS": str(args.wrk_threads),
            },
        )
        assert warm["errors"] == 0, warm
        warm_read = wrk(args, base + READ_PATH, "get.lua", {"TOKENS": str(warm_tokens)})
        assert warm_read["errors"] == 0, warm_read

        pages = {
            "home": "/",
            "/events": "/events/",
            "event page": f"/events/{page_event}",
            "events.ics": "/calendar/events.ics",
        }
        runs = []
        for n, event_id in enumerate(run_events, start=1):
            tokens = folder / f"run{n}.txt"
            tokens.write_text("\n".join(secrets[n]) + "\n")
            rush = wrk(
                args,
                base,
                "rush.lua",
                {"TOKENS": str(tokens), "EVENT": str(event_id), "NTHREADS": str(args.wrk_threads)},
            )
            registrations = rush["requests"] - rush["errors"]
            outcome = check(database_url, event_id, registrations, rush["sent"])
            rush["rps"] = registrations / rush["seconds"]
            health = wrk(args, base + "/healthz", "get.lua")
            health["rps"] = health["requests"] / health["seconds"]
            read = wrk(args, base + READ_PATH, "get.lua", {"TOKENS": str(warm_tokens)})
            read["rps"] = read["requests"] / read["seconds"]
            measured = {"registration": rush, "/healthz": health, "API read": read}
            if args.pages:
                for label, path in pages.items():
                    page = wrk(args, base + path, "get.lua")
                    page["rps"] = page["requests"] / page["seconds"]
                    measured[label] = page
            runs.append(measured)
            print(
                f"run {n}: "
                + "; ".join(
                    f"{label} {m['rps']:.0f}/s p99 {m['p99']:.0f} ms errors {m['errors']}"
                    for label, m in measured.items()
                )
                + f"; {outcome}"
            )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if args.database_url:
            recreate_postgres(args.database_url, keep=False)
        shutil.rmtree(folder, ignore_errors=True)

    print(
        f"\nmedians of {args.runs} runs: wrk -t{args.wrk_threads} -c{args.connections} "
        f"-d{args.duration}s against eventsys serve --workers {args.workers} "
        f"({make_url(database_url).get_backend_name()})"
    )
    print(f"{'':14}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'× /healthz':>12}{'errors':>8}")
    for label in runs[0]:
        rps = statistics.median(r[label]["rps"] for r in runs)
        ratio = statistics.median(r[label]["rps"] / r["/healthz"]["rps"] for r in runs)
        p50 = statistics.median(r[label]["p50"] for r in runs)
        p99 = statistics.median(r[label]["p99"] for r in runs)
        errors = sum(r[label]["errors"] for r in runs)
        print(f"{label:14}{rps:8.0f}{p50:9.0f}{p99:9.0f}{ratio:12.2f}{errors:8d}")
    to_read = statistics.median(r["registration"]["rps"] / r["API read"]["rps"] for r in runs)
    print(f"registrations ÷ API reads: {to_read:.2f}")
    groups = list(runs[0]["/healthz"]["cpu"])
    print("\nCPU ms per request (medians), by process: " + ", ".join(groups))
    print(f"{'':14}" + "".join(f"{g:>10}" for g in groups))
    for label in runs[0]:
        cpu = [statistics.median(r[label]["cpu"][g] for r in runs) for g in groups]
        print(f"{label:14}" + "".join(f"{c:10.2f}" for c in cpu))


if __name__ == "__main__":
    main()
