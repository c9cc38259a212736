"""Several `eventsys reminders send` runs at once (cron on two machines) queue each
reminder once, and none of them fails."""

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import OutboxMessage, Registration

pytestmark = pytest.mark.slow  # several command processes at once

READERS = 40
EVENTSYS = str(Path(sys.executable).with_name("eventsys"))


def test_concurrent_reminder_runs_queue_each_reminder_once(app, make_user, make_event, tmp_path):
    event = make_event(starts_at=utcnow() + timedelta(hours=12), capacity=READERS)
    for _ in range(READERS):
        db.session.add(Registration(event=event, user=make_user(), status="confirmed"))
    db.session.commit()
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "EVENTSYS_INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test",
    }

    runs = [
        subprocess.Popen(
            [EVENTSYS, "reminders", "send"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]

    assert [run.returncode for run in runs] == [0, 0], [err for _, err in outputs]
    queued = [int(re.search(r"reminders queued: (\d+)", out).group(1)) for out, _ in outputs]
    assert sum(queued) == READERS
    db.session.commit()
    keys = list(db.session.scalars(sa.select(OutboxMessage.dedupe_key)))
    assert len(keys) == len(set(keys)) == READERS
