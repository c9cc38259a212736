"""What mails say and link to: links on the configured base URL whatever Host a request
names, a check-in code and QR image a reader can use from the mail alone, and reminders
that say "today" or "tomorrow" truly."""

import struct
import zlib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import segno
import sqlalchemy as sa

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import OutboxMessage, Registration, Role, VolunteerRole
from eventsys.services import outbox, reminders, shifts
from eventsys.services import registrations as reg
from tests.conftest import PASSWORD

BASE = "https://events.example.org"
EVIL = "evil.example"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def app_config():
    return {"EVENTSYS_BASE_URL": BASE}


def _mails(to: str | None = None) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if to:
        query = query.where(OutboxMessage.to_address == to)
    return list(db.session.scalars(query))


def _everything_in(mail: OutboxMessage) -> str:
    return mail.body + "".join(a["content"] for a in mail.attachments)


def _assert_only_base_links(mail: OutboxMessage) -> None:
    text = _everything_in(mail)
    assert EVIL not in text
    assert "localhost" not in text
    assert BASE + "/" in text


# --- 7: links follow EVENTSYS_BASE_URL, never the Host header ---------------------------


def test_registering_through_a_forged_host_mails_links_on_the_base_url(app, make_event, make_user):
    event = make_event()
    reader = make_user()
    browser = app.test_client()
    headers = {"Host": EVIL}
    response = browser.post(
        "/auth/login", data={"email": reader.email, "password": PASSWORD}, headers=headers
    )
    assert response.status_code == 302

    response = browser.post(
        f"/events/{event.id}/register", data={"party_size": "1"}, headers=headers
    )
    assert response.status_code == 302, response.get_data(as_text=True)

    registration = db.session.scalar(sa.select(Registration))
    (mail,) = _mails(reader.email)
    assert f"{BASE}/registrations/{registration.id}" in mail.body
    _assert_only_base_links(mail)
    (calendar,) = [a for a in mail.attachments if a["filename"].endswith(".ics")]
    assert f"URL:{BASE}/lectures/{event.id}" in calendar["content"]


def test_promotion_and_cancellation_mails_through_a_forged_host_link_to_the_base_url(
    app, make_event, make_user
):
    event = make_event(capacity=1)
    first, second = make_user(), make_user()
    with app.test_request_context("/", base_url=f"http://{EVIL}"):
        held = reg.register(event, first)
        reg.register(event, second)
        reg.cancel_registration(held, first)
    for reader in (first, second):
        for mail in _mails(reader.email):
            assert EVIL not in _everything_in(mail)
    promoted = _mails(second.email)[-1]
    assert promoted.subject.startswith("A seat for you")
    _assert_only_base_links(promoted)
    _assert_only_base_links(_mails(first.email)[-1])


def test_feed_url_property_uses_the_base_url(client, make_event):
    event = make_event()
    body = client.get(f"/calendar/event/{event.id}.ics", headers={"Host": EVIL}).data
    assert f"URL:{BASE}/lectures/{event.id}".encode() in body
    assert EVIL.encode() not in body


def test_subscription_addresses_on_pages_use_the_base_url(client, client_as, make_event):
    """Feed addresses shown for copying leave the page for a calendar app: no forged host."""
    event = make_event()
    pages = [client.get("/calendar/", headers={"Host": EVIL}).data]
    reader = client_as(Role.READER)
    reader.post("/calendar/token", data={})
    pages.append(reader.get("/auth/account", headers={"Host": EVIL}).data)
    pages.append(client.get(f"/lectures/{event.id}", headers={"Host": EVIL}).data)
    for page in pages:
        assert EVIL.encode() not in page
    assert f"webcal://{BASE.split('://', 1)[1]}/calendar/".encode() in pages[0]


def test_shift_move_mail_links_to_the_base_url(app, make_user, make_venue):
    role = VolunteerRole(name="阅读指导", name_en="Reading guide")
    db.session.add(role)
    db.session.commit()
    starts = utcnow().replace(second=0, microsecond=0) + timedelta(days=3)
    shift = shifts.create_shift(
        None,
        role_id=role.id,
        venue_id=make_venue().id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        slots=2,
    )
    volunteer = make_user(Role.VOLUNTEER)
    shifts.sign_up(shift.id, volunteer)
    with app.test_request_context("/", base_url=f"http://{EVIL}"):
        later = starts + timedelta(hours=1)
        shifts.update_shift(
            shift, make_user(Role.STAFF), starts_at=later, ends_at=later + timedelta(hours=3)
        )
    (mail,) = _mails(volunteer.email)
    assert f"{BASE}/volunteers/mine" in mail.body
    assert EVIL not in mail.body


def test_password_reset_mail_links_to_the_base_url(client, make_user):
    reader = make_user()
    response = client.post("/auth/reset", data={"email": reader.email}, headers={"Host": EVIL})
    assert response.status_code in (200, 302)
    (mail,) = _mails(reader.email)
    assert f"{BASE}/auth/reset/" in mail.body
    assert EVIL not in mail.body


# --- 8: the confirmation mail carries the check-in code and its QR code -----------------


def _png_modules(png: bytes) -> list[list[bool]]:
    """The dark (True) and light pixels of a 1-bit greyscale PNG, row by row."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    offset, data, width, height = 8, b"", 0, 0
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind, chunk = png[offset + 4 : offset + 8], png[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", chunk[:10])
            assert (depth, colour) == (1, 0), "expected a 1-bit greyscale PNG"
        elif kind == b"IDAT":
            data += chunk
        offset += 12 + length
    raw, stride = zlib.decompress(data), (width + 7) // 8
    rows, previous = [], bytes(stride)
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        kind, line = line[0], bytearray(line[1:])
        for i in range(stride):
            if kind == 1 and i:
                line[i] = (line[i] + line[i - 1]) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + previous[i]) & 0xFF
            else:
                assert kind in (0, 1, 2)
        previous = bytes(line)
        rows.append([not (line[x // 8] >> (7 - x % 8)) & 1 for x in range(width)])
    return rows


def _qr_matches(png: bytes, code: str) -> bool:
    """Sample the image module by module and compare with the QR code of ``code``."""
    pixels = _png_modules(png)
    top = next(y for y, row in enumerate(pixels) if any(row))
    left = pixels[top].index(True)
    scale = pixels[top][left:].index(False) // 7  # the finder pattern is 7 modules wide
    for error in "lmqh":
        matrix = segno.make(code, error=error, micro=False, boost_error=False).matrix
        size = len(matrix)
        if left + size * scale > len(pixels[0]):
            continue
        sampled = [
            [
                pixels[top + y * scale + scale // 2][left + x * scale + scale // 2]
                for x in range(size)
            ]
            for y in range(size)
        ]
        if sampled == [[bool(m) for m in row] for row in matrix]:
            return True
    return False


def test_confirmation_mail_shows_the_checkin_code_and_its_qr_image(make_event, make_user):
    event = make_event()
    reader = make_user()
    registration = reg.register(event, reader)
    (message,) = _mails(reader.email)
    mail = outbox.to_email(message)

    text = mail.get_body(("plain",)).get_content()
    assert registration.shown_checkin_code in text
    html = mail.get_body(("html",)).get_content()
    images = [part for part in mail.walk() if part.get_content_type() == "image/png"]
    assert len(images) == 1
    image = images[0]
    content_id = image["Content-ID"].strip("<>")
    assert f'src="cid:{content_id}"' in html
    assert registration.shown_checkin_code in html
    assert _qr_matches(image.get_content(), registration.checkin_code)
    # The calendar file is still attached beside it.
    assert any(part.get_filename() == "event.ics" for part in mail.iter_attachments())


def test_promoted_reader_gets_the_code_and_qr_image_too(make_event, make_user):
    event = make_event(capacity=1)
    first, second = make_user(), make_user()
    held = reg.register(event, first)
    waiting = reg.register(event, second)
    assert not [
        p
        for p in outbox.to_email(_mails(second.email)[0]).walk()
        if p.get_content_maintype() == "image"
    ]

    reg.cancel_registration(held, first)
    mail = outbox.to_email(_mails(second.email)[-1])
    promoted = db.session.get(Registration, waiting.id)
    code = promoted.checkin_code
    assert promoted.shown_checkin_code in mail.get_body(("plain",)).get_content()
    (image,) = [p for p in mail.walk() if p.get_content_type() == "image/png"]
    assert _qr_matches(image.get_content(), code)


# --- 9: reminders say "today" or "tomorrow" as it is in the library ----------------------


def _local_instant(day, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.fixture
def event_day():
    """A library day a few days ahead, so events on it are in the future."""
    return (utcnow() + timedelta(days=5)).astimezone(SHANGHAI).date()


def test_reminder_for_an_event_later_the_same_day_says_today(make_event, make_user, event_day):
    event = make_event(starts_at=_local_instant(event_day, 19))
    reader = make_user()
    reg.register(event, reader)
    assert reminders.send_due(now=_local_instant(event_day, 9)) == 1
    mail = _mails(reader.email)[-1]
    assert mail.subject.startswith("Today:")
    assert "Tomorrow" not in mail.subject


def test_reminder_for_an_event_the_next_day_says_tomorrow(make_event, make_user, event_day):
    # 21 hours ahead, past midnight in Suzhou: tomorrow there, whatever the UTC date says.
    event = make_event(starts_at=_local_instant(event_day, 7))
    reader = make_user()
    reg.register(event, reader)
    before = _local_instant(event_day - timedelta(days=1), 10)
    assert reminders.send_due(now=before) == 1
    mail = _mails(reader.email)[-1]
    assert mail.subject.startswith("Tomorrow:")


def test_reminder_just_after_midnight_for_the_same_morning_says_today(
    make_event, make_user, event_day
):
    event = make_event(starts_at=_local_instant(event_day, 9))
    reader = make_user()
    reg.register(event, reader)
    # 00:30 in Suzhou is still the previous day in UTC.
    now = datetime(event_day.year, event_day.month, event_day.day, 0, 30, tzinfo=SHANGHAI)
    assert reminders.send_due(now=now.astimezone(UTC)) == 1
    assert _mails(reader.email)[-1].subject.startswith("Today:")
