"""A registration costs a bounded number of SQL statements, whatever else grows around it.

The registration rush (bench/wrk_rush.py) is as fast as the work of one registration:
each statement is a round trip. A change that adds a query per registration (a lazy load,
a lookup in a loop) fails here long before anyone measures the speed again.
"""

import pytest
import sqlalchemy as sa
from test_api_support import auth

from eventsys.extensions import db

# The token and its last-used stamp, the event, the claim of a seat, the registration and
# the mail; on a full event the lock instead of the claim, and the waitlist position.
# Raise them only for a reason worth a round trip on every registration of a rush.
MAX_CONFIRMED = 6
MAX_WAITLISTED = 7


class StatementCounter:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.statements: list[str] = []

    def __enter__(self) -> "StatementCounter":
        sa.event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement.split()[0].upper() + " " + statement[:120])


def _counted_registration(app, client, headers, event_id: int) -> list[str]:
    with app.app_context(), StatementCounter(db.engine) as counter:
        response = client.post(
            f"/api/v1/events/{event_id}/registrations", json={"party_size": 1}, headers=headers
        )
    assert response.status_code == 201, response.get_json()
    return counter.statements


@pytest.mark.parametrize(
    ("seats", "bound"), [(5, MAX_CONFIRMED), (1, MAX_WAITLISTED)], ids=["confirmed", "waitlisted"]
)
def test_one_registration_runs_a_bounded_number_of_statements(
    app, client, make_user, make_event, seats, bound
):
    event = make_event(capacity=seats, waitlist_enabled=True)
    first = make_user(email="first@example.org")
    client.post(
        f"/api/v1/events/{event.id}/registrations",
        json={"party_size": 1},
        headers=auth(client, first),
    )
    headers = auth(client, make_user(email="second@example.org"))

    statements = _counted_registration(app, client, headers, event.id)

    listing = "\n".join(statements)
    assert len(statements) <= bound, f"{len(statements)} statements:\n{listing}"
    # No statement runs twice the same way: a repeat is a lookup that belongs in one query.
    assert len(set(statements)) == len(statements), listing


def test_the_check_in_image_is_drawn_by_the_sender_not_the_request(
    app, client, make_user, make_event
):
    from eventsys.models import OutboxMessage
    from eventsys.services import outbox

    event = make_event(capacity=5)
    reader = make_user(email="reader@example.org")
    response = client.post(
        f"/api/v1/events/{event.id}/registrations",
        json={"party_size": 1},
        headers=auth(client, reader),
    )
    assert response.status_code == 201
    with app.app_context():
        mail = db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.to_address == reader.email)
        ).one()
        qr = next(a for a in mail.attachments if a["content_type"] == "image/png")
        assert len(qr["content"]) < 40  # the code only, not an image
        sent = outbox.to_email(mail)
        images = [p for p in sent.walk() if p.get_content_type() == "image/png"]
        assert images and images[0].get_payload(decode=True).startswith(b"\x89PNG")


def test_waitlist_places_of_a_list_come_from_one_query(app, make_user, make_event):
    from eventsys.services import registrations as reg

    event = make_event(capacity=1, waitlist_enabled=True)
    other = make_event(capacity=1, waitlist_enabled=True)
    made = [
        reg.register(e, make_user(email=f"r{i}@example.org"))
        for i, e in enumerate([event, event, other, event, other, event])
    ]
    db.session.expire_all()  # forget the places counted when each registered
    rows = [db.session.get(type(r), r.id) for r in made]

    with StatementCounter(db.engine) as counter:
        places = reg.waitlist_positions(rows)
    assert len(counter.statements) == 1
    # The same places as counting one by one, per event, in arrival order.
    db.session.expire_all()
    one_by_one = {r.id: reg.waitlist_position(db.session.get(type(r), r.id)) for r in made}
    assert places == {k: v for k, v in one_by_one.items() if v is not None}
    assert sorted(places.values()) == [1, 1, 2, 3]


def test_the_staff_list_does_not_query_once_per_waiting_party(
    app, client_as, make_user, make_event
):
    from eventsys.services import registrations as reg

    staff = client_as("staff")

    def statements_for_list(waiting: int) -> int:
        event = make_event(capacity=1, waitlist_enabled=True)
        for i in range(waiting + 1):
            reg.register(event, make_user(email=f"w{waiting}-{i}@example.org"))
        event_id = event.id
        with StatementCounter(db.engine) as counter:
            response = staff.get(f"/staff/events/{event_id}/registrations")
        assert response.status_code == 200
        return len(counter.statements)

    assert statements_for_list(2) == statements_for_list(6)
