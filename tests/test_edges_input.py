"""Odd and hostile input at every door: line breaks and control characters in one-line
fields (and in rows stored before the rule), lone surrogates, deep JSON, files sent for
text fields, dates and ids far out of range; and the admin page of mails not sent."""

import io
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from test_api_support import assert_problem, auth

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import (
    AuditEntry,
    Branch,
    Campaign,
    Event,
    OutboxMessage,
    OutboxStatus,
    Registration,
    Role,
    Series,
    User,
    Venue,
)
from eventsys.services import events as event_service
from eventsys.services import outbox
from eventsys.services import registrations as registration_service
from eventsys.services.events import to_local
from eventsys.services.user_import import import_users
from eventsys.text import multi_line, single_line

# Anything a one-line field must not keep: C0 and C1 controls, DEL, Unicode line breaks.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
NASTY_TITLE = "昆曲\r\n之美\t\x1b[31m\x07\x85\u2028终"


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _local(value) -> str:
    return to_local(value).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def event_form(make_venue):
    start = utcnow().replace(second=0, microsecond=0) + timedelta(days=9)
    return {
        "kind": "lecture",
        "title": "昆曲六百年",
        "description": "讲述昆曲的历史。",
        "venue_id": str(make_venue(capacity=100).id),
        "series_id": "0",
        "campaign_id": "0",
        "parent_id": "0",
        "starts_at": _local(start),
        "ends_at": _local(start + timedelta(hours=2)),
        "audience": "all",
        "capacity": "80",
        "max_party_size": "2",
    }


# ---------------------------------------------------------------- the rule itself


def test_single_line_collapses_breaks_and_drops_controls():
    assert single_line(NASTY_TITLE) == "昆曲 之美 [31m 终"
    assert single_line("  陈老师 \n") == "陈老师"
    assert single_line(None) is None


def test_multi_line_keeps_line_breaks_and_drops_other_controls():
    assert multi_line("第一行\r\n第二行\r第三行\x07\x1b\t!") == "第一行\n第二行\n第三行\t!"


# ---------------------------------------------------------------- item 10: every door


def test_api_stores_a_title_with_line_breaks_on_one_line(client, make_user, make_venue):
    headers = auth(client, make_user(Role.STAFF))
    body = {
        "kind": "lecture",
        "title": NASTY_TITLE,
        "description": "第一行\r\n第二行\x07",
        "speaker_name": "陈\n老师",
        "venue_id": make_venue().id,
        "starts_at": "2031-05-01T19:00:00+08:00",
        "ends_at": "2031-05-01T21:00:00+08:00",
    }
    response = client.post("/api/v1/events", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    event = db.session.get(Event, response.get_json()["id"])
    assert event.title == "昆曲 之美 [31m 终"
    assert event.speaker_name == "陈 老师"
    assert event.description == "第一行\n第二行"


def test_api_title_of_only_line_breaks_is_refused(client, make_user, make_venue):
    headers = auth(client, make_user(Role.STAFF))
    body = {
        "kind": "lecture",
        "title": "\r\n\x07",
        "venue_id": make_venue().id,
        "starts_at": "2031-05-01T19:00:00+08:00",
        "ends_at": "2031-05-01T21:00:00+08:00",
    }
    problem = assert_problem(
        client.post("/api/v1/events", json=body, headers=headers), 422, "validation"
    )
    assert "title" in problem["errors"]
    assert _count(Event) == 0


def test_staff_form_stores_a_title_with_line_breaks_on_one_line(client_as, event_form):
    staff = client_as(Role.STAFF)
    data = {**event_form, "title": NASTY_TITLE, "speaker_name": "陈\r\n老师\x1b"}
    response = staff.post("/staff/events/new", data=data)
    assert response.status_code == 302, response.text
    event = db.session.scalar(sa.select(Event))
    assert event.title == "昆曲 之美 [31m 终"
    assert event.speaker_name == "陈 老师"


@pytest.mark.parametrize(
    "role, path, data, stored",
    [
        (
            Role.STAFF,
            "/staff/series/new",
            {"slug": "kunqu", "title": "昆曲\n讲座\x1b", "brand": ""},
            lambda: db.session.scalar(sa.select(Series.title)),
        ),
        (
            Role.STAFF,
            "/staff/campaigns/new",
            {"slug": "c100", "title": "建党\r\n百年\x07", "year": "2021"},
            lambda: db.session.scalar(sa.select(Campaign.title)),
        ),
        (
            Role.STAFF,
            "/staff/branches/new",
            {
                "code": "wz",
                "name": "吴中\n分馆\x01",
                "name_en": "Wuzhong\r\nBranch",
                "kind": "branch",
            },
            lambda: db.session.scalar(sa.select(Branch.name).where(Branch.code == "wz")),
        ),
    ],
)
def test_staff_forms_store_names_on_one_line(client_as, role, path, data, stored):
    response = client_as(role).post(path, data=data)
    assert response.status_code in (302, 400)
    value = stored()
    assert value is not None, response.text
    assert not CONTROL.search(value) and " " in value


def test_venue_form_stores_its_name_on_one_line(client_as, make_venue):
    hall = make_venue()
    data = {
        "branch_id": str(hall.branch_id),
        "name": "二楼\r\n报告厅\x1b",
        "kind": "lecture_hall",
        "capacity": "80",
    }
    assert client_as(Role.STAFF).post("/staff/venues/new", data=data).status_code == 302
    name = db.session.scalar(sa.select(Venue.name).order_by(Venue.id.desc()))
    assert name == "二楼 报告厅"


def test_signup_and_profile_store_the_name_on_one_line(client):
    data = {
        "email": "reader@example.org",
        "display_name": "王\r\n小明\x1b",
        "password": "a long enough pass",
        "confirm": "a long enough pass",
    }
    assert client.post("/auth/signup", data=data).status_code == 302
    user = db.session.scalar(sa.select(User))
    assert user.display_name == "王 小明"
    response = client.post(
        "/auth/account", data={"display_name": "李\n四\x85", "phone": "", "locale": "en"}
    )
    assert response.status_code in (200, 302)
    db.session.refresh(user)
    assert user.display_name == "李 四"


def test_event_service_refuses_control_characters_in_one_line_fields(make_venue):
    values = {
        "title": "昆曲\n之美",
        "speaker_name": "陈\x1b老师",
        "venue_id": make_venue().id,
        "starts_at": utcnow() + timedelta(days=3),
        "ends_at": utcnow() + timedelta(days=3, hours=2),
    }
    with pytest.raises(event_service.EventError) as refused:
        event_service.create_event(None, values)
    assert {"title", "speaker_name"} <= set(refused.value.errors)


def test_import_stores_display_names_on_one_line(app):
    data = 'email,display_name\nreader@example.org,"王\r\n小明\x1b"\n'.encode()
    report = import_users(data)
    assert len(report.created) == 1, report
    assert db.session.scalar(sa.select(User.display_name)) == "王 小明"


# ---------------------------------------------------------------- item 10: stored rows


def test_a_stored_title_with_a_line_break_does_not_stop_its_mails(app, make_event, make_user):
    event = make_event(title="昆曲\r\n之美\x07")
    registration_service.register(event, make_user())
    sent = []
    counts = outbox.send_due(deliver=sent.append)
    assert counts["failed"] == 0 and counts["sent"] >= 1, counts
    subjects = [mail["Subject"] for mail in sent]
    assert any("昆曲 之美" in subject for subject in subjects), subjects
    assert not any(CONTROL.search(subject) for subject in subjects)


def test_stored_control_characters_never_reach_calendar_lines(client, make_event, make_venue):
    venue = make_venue(name="报告厅\x0b一")
    event = make_event(
        title="a\x1bb\rc\nd",
        speaker_name="陈\x07老师",
        description="第一行\r\n第二行\x1b",
        venue=venue,
    )
    response = client.get(f"/calendar/event/{event.id}.ics")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    lines = text.split("\r\n")
    assert all(not CONTROL.search(line) for line in lines), [
        line for line in lines if CONTROL.search(line)
    ]
    assert "SUMMARY:ab c d" in lines


# ---------------------------------------------------------------- item 10: failed mails


def _mail(**fields) -> OutboxMessage:
    message = OutboxMessage(
        to_address=fields.pop("to", "reader@example.org"),
        subject=fields.pop("subject", "Your registration"),
        body="Hello",
        attachments=[],
        **fields,
    )
    db.session.add(message)
    db.session.commit()
    return message


@pytest.fixture
def mails(app):
    later = utcnow() + timedelta(minutes=30)
    return {
        "failed": _mail(
            to="failed@example.org",
            subject="Failed subject",
            status=OutboxStatus.FAILED,
            attempts=8,
            last_error="SMTPRecipientsRefused: mailbox unavailable",
        ),
        "retrying": _mail(
            to="retrying@example.org",
            subject="Retrying subject",
            attempts=2,
            next_attempt_at=later,
            last_error="ConnectionRefusedError: [Errno 111]",
        ),
        "sent": _mail(
            to="sent@example.org", subject="Sent subject", status=OutboxStatus.SENT, attempts=1
        ),
        "waiting": _mail(to="waiting@example.org", subject="Waiting subject"),
    }


def test_admin_sees_failed_and_retrying_mails(client_as, mails):
    page = client_as(Role.ADMIN).get("/admin/outbox")
    assert page.status_code == 200
    for shown in (
        "failed@example.org",
        "Failed subject",
        "mailbox unavailable",
        "Retrying subject",
    ):
        assert shown in page.text
    assert "retrying@example.org" in page.text and "Errno 111" in page.text
    assert "Sent subject" not in page.text and "Waiting subject" not in page.text


def test_admin_index_links_to_failed_mails(client_as):
    assert "/admin/outbox" in client_as(Role.ADMIN).get("/admin/").text


def test_admin_retries_one_mail_and_it_is_audited_and_sent(client_as, mails):
    admin = client_as(Role.ADMIN)
    failed = mails["failed"]
    response = admin.post("/admin/outbox/retry", data={"message_id": str(failed.id)})
    assert response.status_code == 302
    db.session.refresh(failed)
    assert failed.status == OutboxStatus.PENDING and failed.attempts == 0
    assert failed.next_attempt_at <= utcnow()
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "outbox.retry"))
    assert entry is not None and entry.entity_id == failed.id and entry.actor_id == admin.user.id
    sent = []
    outbox.send_due(deliver=sent.append)
    assert "failed@example.org" in [mail["To"] for mail in sent]


def test_admin_retries_all_failed_mails(client_as, mails):
    other = _mail(to="other@example.org", status=OutboxStatus.FAILED, attempts=8)
    response = client_as(Role.ADMIN).post("/admin/outbox/retry-failed")
    assert response.status_code == 302
    for message in (mails["failed"], other):
        db.session.refresh(message)
        assert message.status == OutboxStatus.PENDING and message.attempts == 0
    db.session.refresh(mails["sent"])
    assert mails["sent"].status == OutboxStatus.SENT
    retried = db.session.scalars(
        sa.select(AuditEntry.entity_id).where(AuditEntry.action == "outbox.retry")
    ).all()
    assert sorted(retried) == sorted([mails["failed"].id, other.id])


def test_a_sent_or_unknown_mail_is_not_retried(client_as, mails):
    admin = client_as(Role.ADMIN)
    admin.post("/admin/outbox/retry", data={"message_id": str(mails["sent"].id)})
    admin.post("/admin/outbox/retry", data={"message_id": "99999999999999999999"})
    db.session.refresh(mails["sent"])
    assert mails["sent"].status == OutboxStatus.SENT and mails["sent"].attempts == 1
    assert _count(AuditEntry) == 0


# ---------------------------------------------------------------- item 13: JSON


def test_lone_surrogate_in_a_token_request_is_a_bad_request(client):
    body = '{"email": "\\ud800@x.org", "password": "whatever"}'
    response = client.post("/api/v1/tokens", data=body, content_type="application/json")
    assert_problem(response, 400, "bad-request")


def test_lone_surrogate_in_needs_note_is_a_bad_request(client, make_user, make_event):
    headers = auth(client, make_user())
    url = f"/api/v1/events/{make_event().id}/registrations"
    body = '{"party_size": 1, "needs_note": "a\\udc00b"}'
    response = client.post(url, data=body, content_type="application/json", headers=headers)
    assert_problem(response, 400, "bad-request")
    assert _count(Registration) == 0


def test_paired_surrogates_are_a_character_like_any_other(client, make_user, make_event):
    headers = auth(client, make_user())
    url = f"/api/v1/events/{make_event().id}/registrations"
    body = '{"party_size": 1, "needs_note": "\\ud83d\\ude00"}'
    response = client.post(url, data=body, content_type="application/json", headers=headers)
    assert response.status_code == 201, response.get_json()


def test_json_nested_1500_deep_is_a_bad_request(client, client_as):
    deep = "[" * 1500 + "]" * 1500
    response = client.post("/api/v1/tokens", data=deep, content_type="application/json")
    assert "deeper than 32 levels" in assert_problem(response, 400, "bad-request")["detail"]
    nested = '{"a":' * 1500 + "1" + "}" * 1500
    response = client.post("/api/v1/tokens", data=nested, content_type="application/json")
    assert "deeper than 32 levels" in assert_problem(response, 400, "bad-request")["detail"]
    # Deep enough to refuse, not deep enough to break the parser: refused by the walk.
    response = client.post(
        "/api/v1/tokens", data="[" * 40 + "]" * 40, content_type="application/json"
    )
    assert "deeper than 32 levels" in assert_problem(response, 400, "bad-request")["detail"]
    # Web forms read JSON bodies too (Flask-WTF): the same refusal, as a page.
    reader = client_as(Role.READER)
    response = reader.post("/auth/account", data=deep, content_type="application/json")
    assert response.status_code == 400 and response.mimetype == "text/html"


def test_ordinary_json_still_works(client, make_user):
    user = make_user()
    body = json.dumps({"email": user.email, "password": "correct horse battery"})
    response = client.post("/api/v1/tokens", data=body, content_type="application/json")
    assert response.status_code == 201


# ---------------------------------------------------------------- item 13: forms


def test_a_file_sent_for_needs_note_is_refused(client_as, make_event):
    reader = client_as(Role.READER)
    event = make_event()
    data = {"party_size": "1", "needs_note": (io.BytesIO(b"not a note"), "note.txt")}
    response = reader.post(
        f"/events/{event.id}/register", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert _count(Registration) == 0


def test_a_multipart_form_without_files_still_works(client_as, make_event):
    reader = client_as(Role.READER)
    event = make_event()
    response = reader.post(
        f"/events/{event.id}/register",
        data={"party_size": "1", "needs_note": "轮椅"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert _count(Registration) == 1


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"starts_at": "0001-01-01T00:00"}, "starts_at"),
        ({"ends_at": "9999-12-31T23:59"}, "ends_at"),
        ({"registration_opens_at": "0001-01-01T00:00"}, "registration_opens_at"),
        ({"series_id": "99999999999999999999"}, "series_id"),
        ({"campaign_id": "-99999999999999999999"}, "campaign_id"),
        ({"venue_id": "99999999999999999999"}, "venue_id"),
        ({"capacity": "99999999999999999999"}, "capacity"),
    ],
)
def test_staff_event_form_refuses_dates_and_ids_out_of_range(client_as, event_form, changes, field):
    staff = client_as(Role.STAFF)
    response = staff.post("/staff/events/new", data={**event_form, **changes})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert _count(Event) == 0
    assert f'id="{field}"' in response.text and 'aria-invalid="true"' in response.text


def test_event_service_refuses_far_dates_and_huge_ids(make_venue):
    start = utcnow() + timedelta(days=3)
    values = {
        "title": "昆曲",
        "venue_id": make_venue().id,
        "series_id": 10**20,
        "starts_at": start.replace(year=2300),
        "ends_at": start.replace(year=2300) + timedelta(hours=2),
    }
    with pytest.raises(event_service.EventError) as refused:
        event_service.create_event(None, values)
    assert {"series_id", "starts_at"} <= set(refused.value.errors)
