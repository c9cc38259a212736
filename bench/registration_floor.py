"""What one registration must ask of the database and Redis, against the CPU time a
registration at 0.30 of ``/healthz`` may cost the machine (bench/README.md explains).

Measures ``/healthz`` under wrk against ``eventsys serve`` as wrk_rush.py starts it; then
CLIENTS processes register readers for a 300-seat lecture sending only a registration's
statements and Redis commands through the raw drivers, no HTTP, Flask or ORM
("statements"), and on PostgreSQL also as one call of a PL/pgSQL function ("one call").

Usage: python bench/registration_floor.py [--runs 3] [--clients 4] [--registrations N]
       [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
Needs what wrk_rush.py needs (Debian's wrk, Redis on 127.0.0.1:6379).
"""

import argparse
import fcntl
import json
import multiprocessing
import os
import shutil
import sqlite3
import statistics
import tempfile
import threading
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import redis
import sqlalchemy as sa
from psycopg.rows import dict_row
from sqlalchemy.engine import make_url
from wrk_rush import (
    REDIS_URL,
    VENV_BIN,
    check,
    cpu_seconds,
    cpu_spent,
    free_port,
    production_env,
    recreate_postgres,
    run_command,
    seed,
    start_server,
    wrk,
)

from eventsys.api.tokens import token_hash
from eventsys.database import _sqlite_pragmas

TARGET = 0.30
WRK = argparse.Namespace(wrk_threads=2, connections=64)  # wrk_rush.py's settings

# One registration's statements (tests/test_registration_statements.py counts them): the
# token with its reader and the event, read first; then, in one transaction, the seat (or,
# once the hall is full, the event's lock), the registration, its waitlist place, the
# mail, the token's last use (each reader's token is new, so it is written).
STATEMENTS = {
    "token": (
        "SELECT t.id AS token_id, t.user_id AS reader_id, u.email AS reader_email, t.*, u.* "
        "FROM api_tokens t LEFT OUTER JOIN users u ON u.id = t.user_id "
        "WHERE t.token_hash = {p}"
    ),
    "event": "SELECT * FROM events WHERE id = {p}",
    "take seat": (
        "UPDATE events SET seats_taken = seats_taken + 1, updated_at = updated_at "
        "WHERE id = {p} AND capacity IS NOT NULL AND seats_taken + 1 <= capacity"
    ),
    "lock event": (
        "UPDATE events SET seats_taken = seats_taken, updated_at = updated_at WHERE id = {p} "
        "RETURNING seats_taken, capacity, waitlist_enabled"
    ),
    "registration": (
        "INSERT INTO registrations (event_id, user_id, party_size, status, needs, needs_note, "
        "checkin_code, source, created_at, confirmed_at, cancelled_at, checked_in_at) "
        "VALUES ({p}, {p}, 1, {p}, '', '', {p}, 'online', {p}, {p}, NULL, NULL) RETURNING id"
    ),
    "waiting ahead": (
        "SELECT count(*) FROM registrations WHERE event_id = {p} AND status = 'waitlisted' "
        "AND (created_at < {p} OR created_at = {p} AND id < {p})"
    ),
    "mail": (
        "INSERT INTO outbox (created_at, to_address, subject, body, attachments, dedupe_key, "
        "status, attempts, next_attempt_at) "
        "VALUES ({p}, {p}, {p}, {p}, {p}, {p}, 'pending', 0, {p}) "
        "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id"
    ),
    "last use": "UPDATE api_tokens SET last_used_at = {p} WHERE id = {p}",
}

# The same statements in one round trip (PostgreSQL only; created in the bench database).
REGISTER_FUNCTION = """
CREATE FUNCTION floor_register(
  p_hash text, p_event int, p_code text,
  p_confirmed_subject text, p_confirmed_body text, p_confirmed_attachments json,
  p_waitlisted_subject text, p_waitlisted_body text, p_waitlisted_attachments json)
RETURNS TABLE (registration_id int, registration_status text, place bigint)
LANGUAGE plpgsql AS $$
DECLARE
  tok api_tokens%ROWTYPE; reader users%ROWTYPE; ev events%ROWTYPE;
  got_seat boolean := false; new_id int; stamp timestamptz;
BEGIN
  SELECT * INTO tok FROM api_tokens WHERE token_hash = p_hash;
  SELECT * INTO reader FROM users WHERE id = tok.user_id;
  SELECT * INTO ev FROM events WHERE id = p_event;
  IF ev.seats_taken + 1 <= ev.capacity THEN
    UPDATE events SET seats_taken = seats_taken + 1, updated_at = updated_at
     WHERE id = p_event AND seats_taken + 1 <= capacity;
    got_seat := FOUND;
  END IF;
  IF NOT got_seat THEN
    UPDATE events SET seats_taken = seats_taken, updated_at = updated_at WHERE id = p_event;
  END IF;
  stamp := clock_timestamp();  -- arrival: under the event's lock, as the server stamps it
  registration_status := CASE WHEN got_seat THEN 'confirmed' ELSE 'waitlisted' END;
  INSERT INTO registrations (event_id, user_id, party_size, status, needs, needs_note,
                             checkin_code, source, created_at, confirmed_at)
  VALUES (p_event, tok.user_id, 1, registration_status, '', '', p_code, 'online', stamp,
          CASE WHEN got_seat THEN stamp END)
  RETURNING id INTO new_id;
  IF got_seat THEN
    INSERT INTO outbox (created_at, to_address, subject, body, attachments, dedupe_key,
                        status, attempts, next_attempt_at)
    VALUES (stamp, reader.email, p_confirmed_subject, p_confirmed_body,
            p_confirmed_attachments, 'registered:registration:' || new_id, 'pending', 0, stamp)
    ON CONFLICT (dedupe_key) DO NOTHING;
  ELSE
    SELECT count(*) + 1 INTO place FROM registrations
     WHERE event_id = p_event AND status = 'waitlisted'
       AND (created_at < stamp OR created_at = stamp AND id < new_id);
    INSERT INTO outbox (created_at, to_address, subject, body, attachments, dedupe_key,
                        status, attempts, next_attempt_at)
    VALUES (stamp, reader.email, p_waitlisted_subject, p_waitlisted_body,
            p_waitlisted_attachments, 'waitlisted:registration:' || new_id, 'pending', 0, stamp)
    ON CONFLICT (dedupe_key) DO NOTHING;
  END IF;
  UPDATE api_tokens SET last_used_at = stamp WHERE id = tok.id;
  registration_id := new_id;
  RETURN NEXT;
END $$
"""

# Flask-Limiter's counter in Redis: one script per limit, counting and setting the expiry.
COUNT_SCRIPT = (
    "local n = redis.call('incrby', KEYS[1], ARGV[2]) "
    "if n == tonumber(ARGV[2]) then redis.call('expire', KEYS[1], ARGV[1]) end return n"
)


@dataclass(frozen=True)
class Mail:
    """A mail as a real registration queued it, and the cause its dedupe key starts with."""

    cause: str
    subject: str
    body: str
    attachments: str  # JSON, as stored


@dataclass(frozen=True)
class Target:
    """Where the clients register: the database, the lecture, the mails, the turn file."""

    postgres: bool
    dsn: str  # psycopg's conninfo, or the SQLite file
    event_id: int
    mails: dict[str, Mail]  # by the registration's status
    turn_file: str


def real_mails(base: str, event_id: int, secrets: list[str], database_url: str) -> dict:
    """The mails of two real registrations through the API: the first reader confirmed,
    the second waitlisted once the event is made full."""
    engine = sa.create_engine(database_url)
    mails = {}
    for status, cause, secret in (
        ("confirmed", "registered", secrets[0]),
        ("waitlisted", "waitlisted", secrets[1]),
    ):
        if status == "waitlisted":
            with engine.begin() as conn:
                conn.execute(
                    sa.text("UPDATE events SET capacity = seats_taken WHERE id = :e"),
                    {"e": event_id},
                )
        request = urllib.request.Request(
            f"{base}/api/v1/events/{event_id}/registrations",
            data=json.dumps({"party_size": 1}).encode(),
            headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            answer = json.load(response)
        assert answer["status"] == status, answer
        with engine.connect() as conn:
            row = conn.execute(
                sa.text("SELECT subject, body, attachments FROM outbox WHERE dedupe_key = :k"),
                {"k": f"{cause}:registration:{answer['id']}"},
            ).one()
        attachments = row.attachments
        if not isinstance(attachments, str):  # PostgreSQL's json comes back parsed
            attachments = json.dumps(attachments)
        mails[status] = Mail(cause, row.subject, row.body, attachments)
    engine.dispose()
    return mails


def _client(target: Target, way: str, hashes: list[str], gates: tuple) -> None:
    """One client process: a registration for each token hash, sent ``way``.

    It connects before the first CPU reading (``ready``, then ``go``) and stays connected
    until after the last (``done``, then ``leave``): a PostgreSQL backend that has ended
    takes its CPU time with it out of /proc."""
    ready, go, done, leave = gates
    try:
        r = redis.Redis.from_url(REDIS_URL)
        r.script_load(COUNT_SCRIPT)  # connected, and the script known, before the readings
        count = r.register_script(COUNT_SCRIPT)
        if target.postgres:
            conn = psycopg.connect(
                target.dsn, prepare_threshold=0, autocommit=True, row_factory=dict_row
            )
            turn, placeholder = conn.transaction, "%s"
        else:
            conn = sqlite3.connect(target.dsn, isolation_level=None)
            conn.row_factory = sqlite3.Row
            _sqlite_pragmas(conn, None)
            turn_fd = os.open(target.turn_file, os.O_RDWR | os.O_CREAT)
            turn, placeholder = _sqlite_turn(conn, turn_fd), "?"
        sql = {name: text.format(p=placeholder) for name, text in STATEMENTS.items()}
        ready.wait()
        go.wait()
        for hashed in hashes:
            if way == "one call":
                _call(conn, target, hashed)
            else:
                _register(conn.execute, turn, sql, target, hashed)
            count(keys=[f"floor/token/{hashed[:32]}"], args=[60, 1], client=r)
            count(keys=["floor/addr/127.0.0.1"], args=[60, 1], client=r)
            r.set("floor/generation", os.urandom(8).hex())  # the page cache's renewal
        done.wait()
    except threading.BrokenBarrierError:
        return  # another client failed; the bench says so
    except BaseException:
        ready.abort()  # the bench stops at once instead of waiting for this client
        done.abort()
        raise
    leave.wait()
    conn.close()
    if not target.postgres:
        os.close(turn_fd)


def _sqlite_turn(conn: sqlite3.Connection, turn_fd: int):
    """The server's write turn on SQLite (a file lock between processes), around
    BEGIN … COMMIT."""

    @contextmanager
    def turn():
        fcntl.flock(turn_fd, fcntl.LOCK_EX)
        try:
            conn.execute("BEGIN")
            yield
            conn.execute("COMMIT")
        finally:
            fcntl.flock(turn_fd, fcntl.LOCK_UN)

    return turn


def _register(execute, turn, sql: dict, target: Target, hashed: str) -> None:
    """One registration's statements, as the server sends them."""
    token = execute(sql["token"], (hashed,)).fetchone()
    event = execute(sql["event"], (target.event_id,)).fetchone()
    with turn():
        took = event["seats_taken"] + 1 <= event["capacity"]
        if took:
            took = execute(sql["take seat"], (target.event_id,)).rowcount == 1
        if not took:
            execute(sql["lock event"], (target.event_id,)).fetchone()
        now = _stamp(target)  # arrival: under the event's lock, as the server stamps it
        status = "confirmed" if took else "waitlisted"
        code = os.urandom(4).hex()
        values = (target.event_id, token["reader_id"], status, code, now, now if took else None)
        new_id = execute(sql["registration"], values).fetchone()["id"]
        if not took:
            execute(sql["waiting ahead"], (target.event_id, now, now, new_id)).fetchone()
        mail = target.mails[status]
        key = f"{mail.cause}:registration:{new_id}"
        values = (now, token["reader_email"], mail.subject, mail.body, mail.attachments, key, now)
        execute(sql["mail"], values).fetchone()
        execute(sql["last use"], (now, token["token_id"]))


def _stamp(target: Target) -> datetime | str:
    """Now, as the server binds it: aware on PostgreSQL, UTC without offset on SQLite."""
    now = datetime.now(UTC)
    if target.postgres:
        return now
    return now.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _call(conn, target: Target, hashed: str) -> None:
    confirmed, waitlisted = target.mails["confirmed"], target.mails["waitlisted"]
    conn.execute(
        "SELECT * FROM floor_register(%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            hashed,
            target.event_id,
            os.urandom(4).hex(),
            *(confirmed.subject, confirmed.body, confirmed.attachments),
            *(waitlisted.subject, waitlisted.body, waitlisted.attachments),
        ),
    ).fetchone()


def floor(target: Target, way: str, secrets: list[str], clients: int, database_url: str):
    """CPU ms per registration of PostgreSQL, Redis and the whole machine, and the clients'
    registrations per second; checks that the seats were confirmed and the rest waitlisted
    in arrival order."""
    hashes = [token_hash(s) for s in secrets]
    ready, done = multiprocessing.Barrier(clients + 1), multiprocessing.Barrier(clients + 1)
    go, leave = multiprocessing.Event(), multiprocessing.Event()
    workers = [
        multiprocessing.Process(
            target=_client,
            args=(target, way, hashes[i::clients], (ready, go, done, leave)),
            daemon=True,
        )
        for i in range(clients)
    ]
    for w in workers:
        w.start()
    try:
        ready.wait(timeout=60)
        before, started = cpu_seconds(), time.perf_counter()
        go.set()
        done.wait(timeout=600)
        after, seconds = cpu_seconds(), time.perf_counter() - started
    except threading.BrokenBarrierError:
        raise SystemExit(f"a {way} client failed (its error is above) or hung") from None
    finally:
        go.set()
        leave.set()
        for w in workers:
            w.join(timeout=30)
    check(database_url, target.event_id, len(hashes), len(hashes))
    spent = {k: v * 1000 / len(hashes) for k, v in cpu_spent(before, after).items()}
    return {**spent, "rate": len(hashes) / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4, help="as many as server workers")
    parser.add_argument(
        "--registrations",
        type=int,
        help="per run; by default about as many as a 5 s wrk rush registers here: "
        "2000 on SQLite, 1300 on PostgreSQL",
    )
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk on /healthz")
    parser.add_argument("--database-url", default="", help="PostgreSQL server (any database)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    wrk_settings = argparse.Namespace(**vars(WRK), duration=args.duration)

    postgres = bool(args.database_url)
    args.registrations = args.registrations or (1300 if postgres else 2000)
    ways = ["statements", "one call"] if postgres else ["statements"]
    folder = Path(tempfile.mkdtemp(prefix="registration-floor-"))
    if postgres:
        database_url = recreate_postgres(args.database_url, keep=True)
        dsn = make_url(database_url).set(drivername="postgresql")
        dsn = dsn.render_as_string(hide_password=False)
    else:
        database_url = f"sqlite:///{folder / 'eventsys.db'}"
        dsn = str(folder / "eventsys.db")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = production_env(database_url, base, folder)
    server = None
    rows = []
    try:
        eventsys = str(VENV_BIN / "eventsys")
        run_command([eventsys, "db", "upgrade"], env)
        run_command([eventsys, "demo", "load"], env)
        warm_event, events, secrets, _page = seed(database_url, args.runs * len(ways))
        if postgres:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(REGISTER_FUNCTION)
                # Analysed once; autovacuum, which the runs' rows would call in, stays out
                # of the readings: this is the least a registration costs.
                conn.execute("VACUUM ANALYZE")
                for table in ("events", "registrations", "outbox", "api_tokens", "users"):
                    conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = off)")
        server = start_server(env, port, 4, folder)
        mails = real_mails(base, warm_event, secrets[0], database_url)
        wrk(wrk_settings, base + "/healthz", "get.lua")  # warm the workers
        turn_file = str(folder / "write-turn.lock")
        for run in range(args.runs):
            health = wrk(wrk_settings, base + "/healthz", "get.lua")
            busy = health["cpu"]["all"] * health["requests"] / health["seconds"] / 1000
            row = {"/healthz": health["cpu"]["all"], "busy": busy / os.cpu_count()}
            for k, way in enumerate(ways):
                n = run * len(ways) + k
                target = Target(postgres, dsn, events[n], mails, turn_file)
                readers = secrets[n + 1][: args.registrations]
                row[way] = floor(target, way, readers, args.clients, database_url)
            rows.append(row)
            print(
                f"run {run + 1}: /healthz {row['/healthz']:.2f} ms "
                f"(CPUs {row['busy']:.0%} busy); {_costs(row, ways, postgres)}"
            )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if postgres:
            recreate_postgres(args.database_url, keep=False)
        shutil.rmtree(folder, ignore_errors=True)

    health = statistics.median(r["/healthz"] for r in rows)
    budget = health / TARGET
    medians = {
        way: {k: statistics.median(r[way][k] for r in rows) for k in rows[0][way]} for way in ways
    }
    print(
        f"\nmedians of {args.runs} runs ({make_url(database_url).get_backend_name()}, "
        f"{args.clients} client{'s' if args.clients > 1 else ''}, "
        f"{args.registrations} registrations per run), "
        "CPU ms of the whole machine:"
    )
    print(f"  /healthz under wrk            {health:6.2f}")
    print(f"  a registration at {TARGET:.2f} at most {budget:6.2f}  (/healthz ÷ {TARGET:.2f})")
    print(f"  its statements and commands:  {_costs(medians, ways, postgres)}")
    for way in ways:
        left = budget - health - medians[way]["all"]
        print(f"  left beyond a /healthz for the request's own work ({way}): {left:.2f}")


def _costs(row: dict, ways: list[str], postgres: bool) -> str:
    """Each way's CPU ms per registration (the whole machine, then PostgreSQL and Redis)
    and the rate the clients reached."""
    parts = []
    for way in ways:
        spent = row[way]
        database = f"PostgreSQL {spent['postgres']:.2f}, " if postgres else ""
        parts.append(
            f"{way} {spent['all']:.2f} ({database}Redis {spent['redis']:.2f}; "
            f"{spent['rate']:.0f}/s)"
        )
    return "; ".join(parts)


if __name__ == "__main__":
    main()
