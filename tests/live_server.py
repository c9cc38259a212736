"""A real server for tests that need real concurrency: gunicorn running the app, several
worker processes and threads, on the test's own database (SQLite file or PostgreSQL).

Use the ``live_server`` fixture (it yields the base URL, e.g. ``http://127.0.0.1:40123``)
after creating what the test needs through the ``app`` fixture and committing it.
Override ``live_server_options`` in a test module to change workers, threads or extra
environment variables. A server that does not come up fails the test with its log.
"""

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from gunicorn.config import KNOWN_SETTINGS

from eventsys.extensions import db

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0
# gunicorn 25.1 and later open a control socket at one path per user (~/.gunicorn), which
# servers running side by side would take from each other; test servers need none.
NO_CONTROL_SOCKET = (
    ["--no-control-socket"]
    if any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS)
    else []
)


@contextmanager
def running_server(
    database_url: str,
    instance_path: Path,
    *,
    secret_key: str = "live-server-secret",
    workers: int = 4,
    threads: int = 4,
    env: dict | None = None,
):
    """Start gunicorn on a free port, wait for /healthz, yield the base URL, stop it.

    The port is bound here and the socket handed to gunicorn (``fd://``), so a server
    started at the same time by another test process can never take the same port."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=2048)
    port = listener.getsockname()[1]
    instance_path.mkdir(parents=True, exist_ok=True)
    log_path = instance_path / "gunicorn.log"
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": secret_key,
        "RATELIMIT_ENABLED": "false",
        "EVENTSYS_INSTANCE_PATH": str(instance_path),
        "MAIL_BACKEND": "console",
        **(env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        str(workers),
        "--threads",
        str(threads),
        "-b",
        f"fd://{listener.fileno()}",
        "--timeout",
        "120",
        "--backlog",
        "2048",
        # The app is made once and the workers are forked from it, as `eventsys serve` does.
        "--preload",
        *NO_CONTROL_SOCKET,
        "eventsys:create_app()",
    ]
    with listener, open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=(listener.fileno(),),
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(process, base_url, log_path)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_until_up(process: subprocess.Popen, base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the live server exited early:\n{log_path.read_text(errors='replace')}")
        try:
            if requests.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    pytest.fail(f"the live server did not answer /healthz:\n{log_path.read_text(errors='replace')}")


@pytest.fixture
def live_server_options() -> dict:
    """Keyword arguments for ``running_server``: workers, threads, env."""
    return {}


@pytest.fixture
def live_server(app, database_url, live_server_options):
    """The base URL of gunicorn serving the app on this test's database and instance folder
    (so the server finds the posters the test stored)."""
    db.session.commit()  # what the test created is visible to the server; no lock is held
    with running_server(
        database_url,
        Path(app.instance_path),
        secret_key=app.config["SECRET_KEY"],
        **live_server_options,
    ) as base_url:
        yield base_url
    db.session.remove()
