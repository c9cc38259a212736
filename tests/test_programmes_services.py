"""The catalogue's rules: validation, sequence, audit, publish, cancel, duplicate, visitors."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import (
    AuditEntry,
    Event,
    OutboxMessage,
    Registration,
    Role,
    Series,
    VisitorCount,
)
from eventsys.services import events as svc
from eventsys.services.events import CapacityNeedsConfirmation, EventError


@pytest.fixture(autouse=True)
def request_context(app):
    """Messages are translated for the person asking, so rules run inside a request."""
    with app.test_request_context():
        yield


@pytest.fixture
def staff(make_user):
    return make_user(Role.STAFF)


@pytest.fixture
def values(make_venue):
    venue = make_venue(capacity=100)
    start = utcnow().replace(microsecond=0) + timedelta(days=10)
    return {
        "kind": "lecture",
        "title": "苏州园林的前世今生",
        "venue_id": venue.id,
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "capacity": 80,
        "max_party_size": 2,
        "speaker_name": "王教授",
        "speaker_title": "苏州大学教授",
    }


def _audits(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def test_create_makes_an_audited_draft_with_a_uid(staff, values):
    event = svc.create_event(staff, values)
    db.session.commit()
    assert event.status == "draft" and event.sequence == 0
    assert event.uid.endswith("@eventsys")
    assert event.created_by_id == staff.id
    [entry] = _audits("event.create")
    assert entry.after["title"] == "苏州园林的前世今生"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_at": "same"}, "ends_at"),
        ({"ends_at": "before"}, "ends_at"),
        ({"registration_closes_at": "after"}, "registration_closes_at"),
        ({"registration_opens_at": "after_close"}, "registration_opens_at"),
        ({"capacity": -1}, "capacity"),
        ({"max_party_size": 0}, "max_party_size"),
        ({"venue_id": 99999}, "venue_id"),
        ({"title": "  "}, "title"),
        ({"online": True, "online_url": ""}, "online_url"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
        ({"audience": "martians"}, "audience"),
        ({"kind": "party"}, "kind"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_saved(staff, values, change, field):
    start = values["starts_at"]
    resolved = {}
    for key, value in change.items():
        if value == "same":
            value = start
        elif value == "before":
            value = start - timedelta(hours=1)
        elif value == "after":
            value = start + timedelta(minutes=1)
        elif value == "after_close":
            resolved["registration_closes_at"] = start - timedelta(days=2)
            value = start - timedelta(days=1)
        resolved[key] = value
    with pytest.raises(EventError) as raised:
        svc.create_event(staff, {**values, **resolved})
    assert field in raised.value.errors
    assert str(raised.value)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Event.id))) == 0


def test_registration_may_close_exactly_at_start(staff, values):
    opens = values["starts_at"] - timedelta(days=5)
    event = svc.create_event(
        staff,
        {**values, "registration_opens_at": opens, "registration_closes_at": values["starts_at"]},
    )
    assert event.registration_closes_at == values["starts_at"]


def test_capacity_above_venue_needs_confirmation(staff, values):
    with pytest.raises(CapacityNeedsConfirmation) as raised:
        svc.create_event(staff, {**values, "capacity": 150})
    assert "confirm_capacity" in raised.value.errors
    db.session.rollback()
    event = svc.create_event(staff, {**values, "capacity": 150}, confirm_capacity=True)
    db.session.commit()
    assert event.capacity == 150


def test_time_or_place_change_raises_sequence_and_is_audited(staff, values, make_venue):
    event = svc.create_event(staff, values)
    db.session.commit()
    svc.update_event(event, staff, {"title": "新标题"})
    db.session.commit()
    assert event.sequence == 0
    svc.update_event(event, staff, {"starts_at": values["starts_at"] + timedelta(hours=1)})
    db.session.commit()
    assert event.sequence == 1
    other = make_venue(capacity=200)
    svc.update_event(event, staff, {"venue_id": other.id})
    assert event.sequence == 2
    svc.update_event(event, staff, {"online": True, "online_url": "https://live.example.org/1"})
    assert event.sequence == 3
    db.session.commit()
    entries = _audits("event.update")
    assert len(entries) == 4
    assert entries[0].before == {"title": "苏州园林的前世今生"}
    assert entries[0].after == {"title": "新标题"}
    assert "venue_id" in entries[2].after


def test_refused_update_changes_nothing(staff, values):
    event = svc.create_event(staff, values)
    db.session.commit()
    with pytest.raises(EventError):
        svc.update_event(event, staff, {"title": "x", "ends_at": values["starts_at"]})
    db.session.rollback()
    assert db.session.get(Event, event.id).title == "苏州园林的前世今生"


def test_publish_changes_status_and_sequence(staff, values):
    event = svc.create_event(staff, values)
    svc.publish(event, staff)
    db.session.commit()
    assert event.status == "published" and event.sequence == 1
    assert _audits("event.publish")[0].after["status"] == "published"


def test_cancel_needs_a_reason(staff, values):
    event = svc.create_event(staff, values)
    svc.publish(event, staff)
    with pytest.raises(EventError):
        svc.cancel(event, "   ", staff)
    assert event.status == "published"


def test_cancel_notifies_active_registrations_once(staff, values, make_user):
    event = svc.create_event(staff, values)
    svc.publish(event, staff)
    db.session.commit()
    readers = [make_user() for _ in range(4)]
    for reader, status in zip(
        readers, ("confirmed", "waitlisted", "cancelled", "no_show"), strict=True
    ):
        db.session.add(Registration(event=event, user=reader, status=status, party_size=1))
    db.session.commit()
    svc.cancel(event, "主讲人因病无法到场", staff)
    db.session.commit()
    sequence = event.sequence
    svc.cancel(event, "again", staff)  # harmless
    db.session.commit()
    mails = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.to_address)).all()
    assert sorted(m.to_address for m in mails) == sorted([readers[0].email, readers[1].email])
    assert all("主讲人因病无法到场" in m.body for m in mails)
    assert event.status == "cancelled" and event.cancel_reason == "主讲人因病无法到场"
    assert event.sequence == sequence
    assert len(_audits("event.cancel")) == 1


def test_cancelled_event_cannot_be_published_again(staff, values):
    event = svc.create_event(staff, values)
    svc.publish(event, staff)
    svc.cancel(event, "场馆维修", staff)
    with pytest.raises(EventError):
        svc.publish(event, staff)


def test_duplicate_is_a_new_draft_session_of_the_series(staff, values):
    series = Series(
        slug="jiangnan-2021-spring", title="江南文化大讲堂 · 2021 春季", brand="jiangnan"
    )
    db.session.add(series)
    db.session.flush()
    event = svc.create_event(
        staff,
        {
            **values,
            "series_id": series.id,
            "registration_opens_at": values["starts_at"] - timedelta(days=7),
            "registration_closes_at": values["starts_at"] - timedelta(hours=1),
        },
    )
    svc.publish(event, staff)
    event.seats_taken = 10
    db.session.commit()
    copy = svc.duplicate(event, staff)
    db.session.commit()
    assert copy.id != event.id and copy.uid != event.uid
    assert copy.status == "draft" and copy.seats_taken == 0 and copy.sequence == 0
    assert copy.series_id == series.id and copy.speaker_name == "王教授"
    assert copy.starts_at == event.starts_at + timedelta(days=7)
    assert copy.registration_closes_at == event.registration_closes_at + timedelta(days=7)


def _exhibition(staff, make_venue):
    venue = make_venue(kind="gallery", capacity=0)
    start = utcnow().replace(microsecond=0, hour=1, minute=0, second=0) - timedelta(days=3)
    return svc.create_event(
        staff,
        {
            "kind": "exhibition",
            "title": "吴门画派特展",
            "venue_id": venue.id,
            "starts_at": start,
            "ends_at": start + timedelta(days=30),
        },
        exhibition={"curator": "李老师", "opening_hours": {"mon": "", "tue": "09:00-17:00"}},
    )


def test_exhibition_keeps_curator_and_hours(staff, make_venue):
    event = _exhibition(staff, make_venue)
    db.session.commit()
    assert event.exhibition.curator == "李老师"
    assert event.exhibition.opening_hours["tue"] == "09:00-17:00"


def test_bad_opening_hours_are_refused(staff, make_venue):
    with pytest.raises(EventError):
        svc.validate_opening_hours({"mon": "17:00-09:00"})
    with pytest.raises(EventError):
        svc.validate_opening_hours({"mon": "9am"})


def test_visitor_counts_are_recorded_and_corrected(staff, make_venue):
    event = _exhibition(staff, make_venue)
    first, last = svc.local_day_range(event)
    svc.record_visitors(event, first, 120, staff)
    svc.record_visitors(event, first, 130, staff)
    db.session.commit()
    rows = db.session.scalars(sa.select(VisitorCount)).all()
    assert [(r.day, r.visitors) for r in rows] == [(first, 130)]
    assert len(_audits("exhibition.visitors")) == 2


@pytest.mark.parametrize("bad", ["negative", "before", "after"])
def test_bad_visitor_counts_are_refused(staff, make_venue, bad):
    event = _exhibition(staff, make_venue)
    first, last = svc.local_day_range(event)
    day, visitors = first, 10
    if bad == "negative":
        visitors = -1
    elif bad == "before":
        day = first - timedelta(days=1)
    else:
        day = last + timedelta(days=1)
    with pytest.raises(EventError):
        svc.record_visitors(event, day, visitors, staff)


def test_visitor_counts_only_for_exhibitions(staff, values):
    event = svc.create_event(staff, values)
    with pytest.raises(EventError):
        svc.record_visitors(event, date.today(), 5, staff)


def test_series_and_campaign_slugs_are_unique(staff):
    svc.save_series(staff, {"slug": "jn-2021", "title": "江南文化大讲堂 · 2021 秋季"})
    db.session.commit()
    with pytest.raises(EventError):
        svc.save_series(staff, {"slug": "jn-2021", "title": "重复"})
    with pytest.raises(EventError):
        svc.save_campaign(staff, {"slug": "Bad Slug", "title": "x", "year": 2021})
    with pytest.raises(EventError):
        svc.save_campaign(staff, {"slug": "c", "title": "x", "year": 12})
