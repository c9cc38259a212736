"""Where an event stands for a reader: one state per rule, in words, on every card."""

from datetime import timedelta

import pytest

from eventsys.db_types import utcnow
from eventsys.events.labels import state_label
from eventsys.events.state import ReaderState, few_seats_threshold, reader_state
from eventsys.models import Event
from eventsys.templating import local_datetime

NOW = utcnow().replace(microsecond=0)


def lecture(**fields) -> Event:
    """An unsaved published lecture in a week: 50 seats, none taken, waiting list on."""
    starts_at = fields.pop("starts_at", NOW + timedelta(days=7))
    return Event(
        kind=fields.pop("kind", "lecture"),
        title="江南园林与文人生活",
        starts_at=starts_at,
        ends_at=fields.pop("ends_at", starts_at + timedelta(hours=2)),
        status=fields.pop("status", "published"),
        capacity=fields.pop("capacity", 50),
        seats_taken=fields.pop("seats_taken", 0),
        waitlist_enabled=fields.pop("waitlist_enabled", True),
        **fields,
    )


@pytest.fixture
def english(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        yield


def label(event: Event) -> str:
    return state_label(event, now=NOW)


def test_open_event_says_how_many_seats_are_left(english):
    event = lecture(seats_taken=38)
    assert reader_state(event, NOW) is ReaderState.OPEN
    assert label(event) == "Open · 12 seats left"


@pytest.mark.parametrize(
    ("capacity", "taken", "state"),
    [
        (50, 45, ReaderState.FEW_LEFT),  # 5 left: a tenth of 50
        (50, 44, ReaderState.OPEN),  # 6 left
        (10, 7, ReaderState.FEW_LEFT),  # 3 left: never fewer than three counts as few
        (10, 6, ReaderState.OPEN),  # 4 left
        (400, 360, ReaderState.FEW_LEFT),  # 40 left of a large hall
        (400, 359, ReaderState.OPEN),
    ],
)
def test_few_seats_left_starts_at_a_tenth_of_the_room_and_at_least_three(capacity, taken, state):
    assert reader_state(lecture(capacity=capacity, seats_taken=taken), NOW) is state


def test_few_seats_label_gives_the_count(english):
    assert few_seats_threshold(50) == 5
    assert label(lecture(seats_taken=47)) == "Few seats left · 3"


def test_full_event_with_a_waiting_list_says_the_list_is_open(english):
    event = lecture(seats_taken=50)
    assert reader_state(event, NOW) is ReaderState.WAITLIST
    assert label(event) == "Full · waiting list open"


def test_full_event_without_a_waiting_list_is_just_full(english):
    event = lecture(seats_taken=50, waitlist_enabled=False)
    assert reader_state(event, NOW) is ReaderState.FULL
    assert label(event) == "Full"
    assert (
        reader_state(lecture(seats_taken=49, waitlist_enabled=False), NOW) is ReaderState.FEW_LEFT
    )


def test_registration_not_yet_open_says_when_it_opens(english):
    opens = NOW + timedelta(hours=1)
    event = lecture(registration_opens_at=opens)
    assert reader_state(event, NOW) is ReaderState.NOT_YET_OPEN
    assert label(event) == f"Registration opens {local_datetime(opens)}"
    assert reader_state(lecture(registration_opens_at=NOW), NOW) is ReaderState.OPEN


def test_registration_closed_once_the_window_ends(english):
    event = lecture(registration_closes_at=NOW)
    assert reader_state(event, NOW) is ReaderState.CLOSED
    assert label(event) == "Registration closed"
    later = lecture(registration_closes_at=NOW + timedelta(seconds=1))
    assert reader_state(later, NOW) is ReaderState.OPEN


def test_registration_closes_when_the_event_starts(english):
    started = lecture(starts_at=NOW, ends_at=NOW + timedelta(hours=2))
    assert reader_state(started, NOW) is ReaderState.CLOSED
    assert label(started) == "Registration closed"
    almost = lecture(starts_at=NOW + timedelta(seconds=1))
    assert reader_state(almost, NOW) is ReaderState.OPEN


def test_event_is_past_once_it_has_ended(english):
    ended = lecture(starts_at=NOW - timedelta(hours=2), ends_at=NOW)
    assert reader_state(ended, NOW) is ReaderState.PAST
    assert label(ended) == "Past"
    running = lecture(starts_at=NOW - timedelta(hours=2), ends_at=NOW + timedelta(seconds=1))
    assert reader_state(running, NOW) is ReaderState.CLOSED


def test_cancelled_wins_over_full_and_past(english):
    full = lecture(status="cancelled", seats_taken=50)
    ended = lecture(status="cancelled", starts_at=NOW - timedelta(days=2))
    assert reader_state(full, NOW) is ReaderState.CANCELLED
    assert reader_state(ended, NOW) is ReaderState.CANCELLED
    assert label(full) == "Cancelled"


def test_event_without_seats_needs_no_booking_and_says_when_it_is_on(english):
    coming = lecture(capacity=None)
    assert reader_state(coming, NOW) is ReaderState.DROP_IN
    assert label(coming) == "No booking needed"
    running = lecture(
        kind="exhibition",
        capacity=None,
        starts_at=NOW - timedelta(days=3),
        ends_at=NOW + timedelta(days=30),
    )
    assert reader_state(running, NOW) is ReaderState.DROP_IN
    assert label(running) == "Now on · no booking needed"
    over = lecture(capacity=None, starts_at=NOW - timedelta(days=3), ends_at=NOW)
    assert reader_state(over, NOW) is ReaderState.PAST


def test_cards_show_the_state_in_words_and_its_colour_class(client, make_event):
    make_event(title="名额紧张讲座", capacity=50, seats_taken=48)
    make_event(title="候补讲座", capacity=20, seats_taken=20)
    make_event(title="取消讲座", status="cancelled")
    text = client.get("/events/").text
    assert 'class="state state-few"' in text and "Few seats left · 2" in text
    assert 'class="state state-waitlist"' in text and "Full · waiting list open" in text
    assert 'class="state state-cancelled"' in text
