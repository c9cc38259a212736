"""The least a registration costs the machine, against what a ratio of 0.30 to /healthz allows.

A registration at 0.30 of ``/healthz`` may cost the whole machine at most ``/healthz ÷ 0.30``
of CPU time. Whatever the code around it, a registration must send its SQL statements and
its Redis commands, and answer an HTTP request (which costs at least what ``/healthz``
costs). This measures those parts on their own, on the machine and servers the wrk bench
uses, and prints what they leave for everything else: reading the request, checking the
token, the rate limits' and the rule's Python, and the answer.

1. ``/healthz`` under wrk against ``eventsys serve`` as ``wrk_rush.py`` starts it: the whole
   machine's CPU ms per answer, and the budget at 0.30.
2. **statements**: the SQL one registration sends (the statements
   ``tests/test_registration_statements.py`` counts: two reads, then the writes between
   BEGIN and COMMIT, with the mail a real registration queued) and its three Redis
   commands (two rate-limit counters, the page cache's new generation), from CLIENTS
   processes at once with the raw drivers (psycopg with prepared statements, or sqlite3
   with the server's pragmas): no HTTP, no Flask, no ORM. 300 seats, then the waitlist,
   as in a rush.
3. On PostgreSQL, **one call**: the same statements inside a PL/pgSQL function (created in
   the bench database only), one round trip instead of eight or nine: the fewest there
   can be.

Usage: python bench/registration_floor.py [--runs 3] [--clients 4]
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
import subprocess
import tempfile
import urllib.request
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import redis
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from wrk_rush import (
    REDIS_URL,
    VENV_BIN,
    check,
    cpu_seconds,
    cpu_spent,
    free_port,
    recreate_postgres,
    run_command,
    seed,
    wait_until_up,
    wrk,
)

from eventsys.api.tokens import token_hash

TARGET = 0.30

# The statements of one registration, in the order the API sends them (see
# tests/test_registration_statements.py): the event, the token with its reader, the claim
# of a seat (or the event's lock once it is full), the registration, its waitlist place,
# the mail, the token's last use. Each reader's token is new, so the last use is written.
STATEMENTS = {
    # Each read starts with the columns used here, then the whole row as the ORM loads it.
    "event": "SELECT seats_taken AS taken, capacity AS seats, * FROM events WHERE id = {p}",
    "token": (
        "SELECT t.id AS token_id, t.user_id AS reader, t.*, u.* FROM api_tokens t "
        "LEFT OUTER JOIN users u ON u.id = t.user_id WHERE t.token_hash = {p}"
    ),
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

# The same, in one round trip (PostgreSQL only).
REGISTER_FUNCTION = """
CREATE FUNCTION floor_register(p_hash text, p_event int, p_code text, p_to text,
                               p_subject text, p_body text, p_attachments json)
RETURNS TABLE (registration_id int, registration_status text, place bigint)
LANGUAGE plpgsql AS $$
DECLARE
  tok api_tokens%ROWTYPE; reader users%ROWTYPE; ev events%ROWTYPE;
  got_seat boolean; new_id int; stamp timestamptz;
BEGIN
  SELECT * INTO ev FROM events WHERE id = p_event;
  SELECT * INTO tok FROM api_tokens WHERE token_hash = p_hash;
  SELECT * INTO reader FROM users WHERE id = tok.user_id;
  got_seat := false;
  IF ev.seats_taken + 1 <= ev.capacity THEN
    UPDATE events SET seats_taken = seats_taken + 1, updated_at = updated_at
     WHERE id = p_event AND seats_taken + 1 <= capacity;
    got_seat := FOUND;
  END IF;
  IF NOT got_seat THEN
    UPDATE events SET seats_taken = seats_taken, updated_at = updated_at WHERE id = p_event;
  END IF;
  stamp := clock_timestamp();  -- arrival: under the event's lock
  registration_status := CASE WHEN got_seat THEN 'confirmed' ELSE 'waitlisted' END;
  INSERT INTO registrations (event_id, user_id, party_size, status, needs, needs_note,
                             checkin_code, source, created_at, confirmed_at)
  VALUES (p_event, tok.user_id, 1, registration_status, '', '', p_code, 'online', stamp,
          CASE WHEN got_seat THEN stamp END)
  RETURNING id INTO new_id;
  IF NOT got_seat THEN
    SELECT count(*) + 1 INTO place FROM registrations
     WHERE event_id = p_event AND status = 'waitlisted'
       AND (created_at < stamp OR created_at = stamp AND id < new_id);
  END IF;
  INSERT INTO outbox (created_at, to_address, subject, body, attachments, dedupe_key, status,
                      attempts, next_attempt_at)
  VALUES (stamp, p_to, p_subject, p_body, p_attachments, 'registered:registration:' || new_id,
          'pending', 0, stamp)
  ON CONFLICT (dedupe_key) DO NOTHING;
  UPDATE api_tokens SET last_used_at = stamp WHERE id = tok.id;
  registration_id := new_id;
  RETURN NEXT;
END $$
"""

# Flask-Limiter's counter: one script per limit, which counts and sets the window's expiry.
COUNT_SCRIPT = (
    "local n = redis.call('incrby', KEYS[1], ARGV[2]) "
    "if n == tonumber(ARGV[2]) then redis.call('expire', KEYS[1], ARGV[1]) end return n"
)


def real_mail(base: str, event_id: int, secret: str, database_url: str) -> dict:
    """Register one reader through the API; the mail that registration queued."""
    request = urllib.request.Request(
        f"{base}/api/v1/events/{event_id}/registrations",
        data=json.dumps({"party_size": 1}).encode(),
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201, response.status
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT to_address, subject, body, attachments FROM outbox ORDER BY id DESC LIMIT 1"
            )
        ).one()
    engine.dispose()
    attachments = row.attachments
    if not isinstance(attachments, str):
        attachments = json.dumps(attachments)
    return {"to": row.to_address, "subject": row.subject, "body": row.body, "att": attachments}


def _redis_commands(client: redis.Redis, count, n: int) -> None:
    count(keys=[f"floor/token/{n}"], args=[60, 1], client=client)
    count(keys=["floor/addr/127.0.0.1"], args=[60, 1], client=client)
    client.set("floor/generation", os.urandom(8).hex())


def _client(kind, dsn, event_id, hashes, mail, lock, gates) -> None:
    """One client process: a registration for each token, as the API would send it.

    ``gates`` (ready, go, done, leave): it connects before the first reading of the CPU
    time and stays connected until after the last, so that the time counted holds neither
    connecting nor a PostgreSQL backend that has ended (its CPU time would be gone from
    /proc)."""
    ready, go, done, leave = gates
    r = redis.Redis.from_url(REDIS_URL)
    count = r.register_script(COUNT_SCRIPT)
    if kind == "sqlite":
        conn = sqlite3.connect(dsn, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000"):
            conn.execute(f"PRAGMA {pragma}")
        turn = _sqlite_turn(conn, os.open(lock, os.O_RDWR | os.O_CREAT))
        placeholder = "?"
    else:
        conn = psycopg.connect(dsn, prepare_threshold=0, autocommit=True)
        turn = conn.transaction
        placeholder = "%s"
    sql = {name: text.format(p=placeholder) for name, text in STATEMENTS.items()}
    ready.wait()
    go.wait()
    try:
        for n, hashed in enumerate(hashes):
            code = os.urandom(4).hex()
            if kind == "one call":
                mailed = (mail[k] for k in ("to", "subject", "body", "att"))
                conn.execute(
                    "SELECT * FROM floor_register(%s, %s, %s, %s, %s, %s, %s)",
                    (hashed, event_id, code, *mailed),
                ).fetchone()
            else:
                _register(conn.execute, turn, sql, event_id, hashed, code, mail)
            _redis_commands(r, count, n)
    except BaseException:
        done.abort()  # the bench stops at once instead of waiting for this client
        raise
    done.wait()
    leave.wait()
    conn.close()


def _sqlite_turn(conn: sqlite3.Connection, turn_file: int):
    """The server's write turn between processes (a file lock), around BEGIN … COMMIT."""

    @contextmanager
    def turn():
        fcntl.flock(turn_file, fcntl.LOCK_EX)
        try:
            conn.execute("BEGIN")
            yield
            conn.execute("COMMIT")
        finally:
            fcntl.flock(turn_file, fcntl.LOCK_UN)

    return turn


def _register(execute, turn, sql: dict, event_id: int, hashed: str, code: str, mail: dict):
    """One registration's statements: the reads, then the writes in one transaction."""
    event = execute(sql["event"], (event_id,)).fetchone()
    token = execute(sql["token"], (hashed,)).fetchone()
    with turn():
        took = event[0] + 1 <= event[1]
        if took:
            took = execute(sql["take seat"], (event_id,)).rowcount == 1
        if not took:
            execute(sql["lock event"], (event_id,)).fetchone()
        now = datetime.now(UTC)  # arrival: under the event's lock, as the server stamps it
        status = "confirmed" if took else "waitlisted"
        values = (event_id, token[1], status, code, now, now if took else None)
        new_id = execute(sql["registration"], values).fetchone()[0]
        if not took:
            execute(sql["waiting ahead"], (event_id, now, now, new_id)).fetchone()
        values = (now, mail["to"], mail["subject"], mail["body"], mail["att"], f"r:{new_id}", now)
        execute(sql["mail"], values).fetchone()
        execute(sql["last use"], (now, token[0]))


def floor(kind, dsn, database_url, event_id, secrets, mail, clients, lock) -> dict:
    """CPU ms per registration of the database, Redis and the whole machine."""
    hashes = [token_hash(s) for s in secrets]
    ready, done = multiprocessing.Barrier(clients + 1), multiprocessing.Barrier(clients + 1)
    go, leave = multiprocessing.Event(), multiprocessing.Event()
    workers = [
        multiprocessing.Process(
            target=_client,
            args=(kind, dsn, event_id, hashes[i::clients], mail, lock, (ready, go, done, leave)),
        )
        for i in range(clients)
    ]
    for w in workers:
        w.start()
    ready.wait(timeout=60)
    before = cpu_seconds()
    go.set()
    done.wait(timeout=600)
    after = cpu_seconds()
    leave.set()
    for w in workers:
        w.join()
        assert w.exitcode == 0, f"a {kind} client failed"
    check(database_url, event_id, len(hashes), len(hashes))  # 300 confirmed, then in order
    return {k: v * 1000 / len(hashes) for k, v in cpu_spent(before, after).items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4, help="as many as server workers")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--database-url", default="", help="PostgreSQL server (any database)")
    args = parser.parse_args()
    # wrk's settings, as wrk_rush.py's defaults
    args.connections, args.wrk_threads = 64, 2
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")

    postgres = bool(args.database_url)
    kinds = ["statements", "one call"] if postgres else ["sqlite"]
    folder = Path(tempfile.mkdtemp(prefix="registration-floor-"))
    database_url = (
        recreate_postgres(args.database_url, keep=True)
        if postgres
        else f"sqlite:///{folder / 'eventsys.db'}"
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "EVENTSYS_ENV": "production",
        "SECRET_KEY": os.urandom(32).hex(),
        "DATABASE_URL": database_url,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "EVENTSYS_BASE_URL": base,
        "EVENTSYS_INSTANCE_PATH": str(folder),
    }
    server = None
    rows = []
    try:
        eventsys = str(VENV_BIN / "eventsys")
        run_command([eventsys, "db", "upgrade"], env)
        run_command([eventsys, "demo", "load"], env)
        warm_event, events, secrets, _page = seed(database_url, args.runs * len(kinds))
        if postgres:
            dsn = make_url(database_url).set(drivername="postgresql")
            dsn = dsn.render_as_string(hide_password=False)
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(REGISTER_FUNCTION)
        else:
            dsn = str(folder / "eventsys.db")
        log_path = folder / "serve.log"
        with open(log_path, "wb") as log:
            server = subprocess.Popen(
                [eventsys, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "4"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until_up(base, log_path)
        mail = real_mail(base, warm_event, secrets[0][0], database_url)
        wrk(args, base + "/healthz", "get.lua")  # warm the workers
        lock = str(folder / "write-turn.lock")
        for run in range(args.runs):
            health = wrk(args, base + "/healthz", "get.lua")
            row = {"/healthz": health["cpu"]["all"]}
            for k, kind in enumerate(kinds):
                n = run * len(kinds) + k
                row[kind] = floor(
                    kind, dsn, database_url, events[n], secrets[n + 1], mail, args.clients, lock
                )
            rows.append(row)
            print(f"run {run + 1}: /healthz {row['/healthz']:.2f} ms; " + _shares(row, kinds))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if postgres:
            recreate_postgres(args.database_url, keep=False)
        shutil.rmtree(folder, ignore_errors=True)

    backend = make_url(database_url).get_backend_name()
    health = statistics.median(r["/healthz"] for r in rows)
    budget = health / TARGET
    medians = {
        kind: {k: statistics.median(r[kind][k] for r in rows) for k in rows[0][kind]}
        for kind in kinds
    }
    print(
        f"\nmedians of {args.runs} runs ({backend}, {args.clients} clients, "
        f"{len(secrets[1])} registrations per run), CPU ms of the whole machine:"
    )
    print(f"  /healthz under wrk            {health:6.2f}")
    print(f"  a registration at {TARGET:.2f} at most {budget:6.2f}  (/healthz ÷ {TARGET:.2f})")
    print(f"  its statements and commands:  {_shares(medians, kinds)}")
    for kind in kinds:
        left = budget - health - medians[kind]["all"]
        print(f"  left beyond a /healthz for the request's own work ({kind}): {left:.2f}")


def _shares(row: dict, kinds: list[str]) -> str:
    """Each kind's CPU ms per registration: the whole machine, then PostgreSQL and Redis."""
    parts = []
    for kind in kinds:
        spent = row[kind]
        server = f"PostgreSQL {spent['postgres']:.2f}, " if kind != "sqlite" else ""
        parts.append(f"{kind} {spent['all']:.2f} ({server}Redis {spent['redis']:.2f})")
    return "; ".join(parts)


if __name__ == "__main__":
    main()
