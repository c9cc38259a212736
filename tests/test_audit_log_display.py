"""The audit log read by people: labels in their language, names with links, filters, CSV."""

import ast
import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale

from eventsys.admin import audit_labels
from eventsys.extensions import db
from eventsys.models import (
    ApplicationStatus,
    Registration,
    Shift,
    ShiftSignup,
    VolunteerRole,
)
from eventsys.services import audit
from eventsys.services.accounts import USER_AUDIT_FIELDS
from eventsys.services.events import AUDITED_FIELDS
from eventsys.services.shifts import SHIFT_FIELDS
from eventsys.services.venues import BRANCH_FIELDS, VENUE_FIELDS

SERVICES = Path(__file__).resolve().parents[1] / "eventsys"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _recorded_actions() -> set[str]:
    """Every action name the code passes to ``audit.record`` (or to the helpers that call
    it: the event helper, the branch and venue descriptions), read from the source; an
    f-string over application statuses is expanded."""
    actions = set()
    for path in SERVICES.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name not in ("record", "_audited_change", "_Place"):
                continue
            for arg in node.args:
                if (
                    isinstance(arg, ast.Constant)
                    and isinstance(arg.value, str)
                    and "." in arg.value
                ):
                    actions.add(arg.value)
                elif isinstance(arg, ast.JoinedStr):
                    prefix = arg.values[0].value
                    decided = [s for s in ApplicationStatus if s != ApplicationStatus.APPLIED]
                    actions.update(f"{prefix}{status}" for status in decided)
    return actions


RECORDED = _recorded_actions()


def test_the_source_scan_finds_the_recorded_actions():
    assert len(RECORDED) >= 30
    assert {"event.publish", "volunteer_application.approved", "policies.update"} <= RECORDED
    assert {"branch.create", "venue.update"} <= RECORDED


@pytest.mark.parametrize("action", sorted(RECORDED))
def test_every_recorded_action_has_a_label_in_both_languages(app, action):
    assert action in audit_labels.ACTION_LABELS, f"no label for {action}"
    with app.test_request_context(), force_locale("en"):
        english = audit_labels.action_label(action)
    with app.test_request_context(), force_locale("zh_Hans"):
        chinese = audit_labels.action_label(action)
    assert "." not in english and english != action
    assert CJK.search(chinese), f"{action} has no Chinese label: {chinese}"


@pytest.mark.parametrize(
    "fields",
    [AUDITED_FIELDS, SHIFT_FIELDS, VENUE_FIELDS, BRANCH_FIELDS, USER_AUDIT_FIELDS],
    ids=["event", "shift", "venue", "branch", "user"],
)
def test_every_audited_field_has_a_label(fields):
    assert [name for name in fields if name not in audit_labels.FIELD_LABELS] == []


@pytest.fixture
def admin(client_as):
    return client_as("admin", display_name="管理员王")


@pytest.fixture
def logged(admin, make_event, make_user):
    """Entries of many kinds, as the services write them, on objects that exist."""
    actor = admin.user
    event = make_event(title="江南园林讲座", online=False)
    venue = event.venue
    reader = make_user(display_name="读者李")
    registration = Registration(event=event, user=reader, party_size=2, status="confirmed")
    role = VolunteerRole(name="阅读指导", name_en="Reading guide")
    shift = Shift(role=role, venue=venue, starts_at=event.starts_at, ends_at=event.ends_at, slots=3)
    db.session.add_all([registration, role, shift])
    db.session.flush()
    signup = ShiftSignup(shift=shift, user=reader)
    db.session.add(signup)
    db.session.flush()
    snapshot = audit.snapshot(event, AUDITED_FIELDS)
    audit.record(actor, "event.create", event, None, snapshot)
    audit.record(actor, "event.publish", event, {"status": "draft"}, {"status": "published"})
    audit.record(actor, "venue.update", venue, {"capacity": 80}, {"capacity": 100})
    audit.record(actor, "branch.update", venue.branch, {"kind": "branch"}, {"kind": "centre"})
    audit.record(actor, "user.update", reader, {"role": "reader"}, {"role": "staff"})
    audit.record(
        actor,
        "registration.add",
        registration,
        None,
        audit.snapshot(registration, ("event_id", "user_id", "party_size", "status")),
    )
    audit.record(actor, "shift.create", shift, None, audit.snapshot(shift, SHIFT_FIELDS))
    audit.record(
        actor,
        "shift_signup.assign",
        signup,
        None,
        {"shift_id": shift.id, "user_id": reader.id, "override": True, "override_reason": "缺人"},
    )
    audit.record(actor, "event.duplicate", event, {"source_id": 9999}, {"id": event.id})
    audit.record(None, "policies.update", _Settings, {"noshow_count": 3}, {"noshow_count": 5})
    db.session.commit()
    return {"event": event, "venue": venue, "reader": reader, "shift": shift}


class _Settings:
    __tablename__ = "settings"
    id = None


RAW = re.compile(r"\b[a-z]+_[a-z_]+\b|\bTrue\b|\bFalse\b|\d{2}:\d{2}:\d{2}\+00:00")


def _page_text(html: str) -> str:
    """What a person reads: the text between tags, without attributes."""
    body = html.split("<main", 1)[1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_the_log_shows_no_developer_names(client_as, logged, locale):
    html = client_as("admin", locale=locale).get("/admin/audit").text
    text = _page_text(html)
    assert RAW.findall(text) == []
    for action in RECORDED:
        assert action not in text
    if locale == "zh_Hans":
        assert "发布" in text or CJK.search(text)
        assert "是" in text  # the override flag
    else:
        assert "Published an event" in text and "Yes" in text


def test_objects_and_referenced_values_are_links_and_gone_ones_are_not(admin, logged):
    html = admin.get("/admin/audit").text
    event, venue, reader = logged["event"], logged["venue"], logged["reader"]
    assert f'href="/staff/events/{event.id}/edit">江南园林讲座</a>' in html
    assert f'href="/admin/users/{reader.id}">读者李</a>' in html
    assert f'href="/staff/venues/{venue.id}/edit">' in html
    assert f'href="/staff/events/{event.id}/registrations">' in html
    assert f'href="/volunteers/staff/shifts/{logged["shift"].id}">' in html
    assert "Event no. 9999 (no longer exists)" in html
    assert 'href="/staff/events/9999' not in html


def test_statuses_kinds_and_times_are_shown_as_labels_in_local_time(admin, logged):
    text = _page_text(admin.get("/admin/audit").text)
    assert "Draft" in text and "Published" in text and "Centre" in text
    assert "Lecture" in text and "Staff" in text
    local = logged["event"].starts_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"{local:%H:%M}" in text


def _shown_actions(client, query: str = "") -> list[str]:
    return re.findall(r'data-action="([^"]+)"', client.get(f"/admin/audit{query}").text)


def test_filters_by_person_object_and_date(admin, logged, make_user, login, app):
    other = make_user("staff", display_name="馆员赵")
    audit.record(other, "venue.update", logged["venue"], {"capacity": 100}, {"capacity": 90})
    old = audit.record(other, "venue.update", logged["venue"], {"capacity": 90}, {"capacity": 70})
    old.at = datetime(2021, 3, 1, 2, tzinfo=UTC)  # 10:00 in Suzhou
    db.session.commit()

    assert _shown_actions(admin, f"?actor={other.id}") == ["venue.update", "venue.update"]
    by_object = _shown_actions(admin, f"?entity=events&entity_id={logged['event'].id}")
    assert sorted(by_object) == ["event.create", "event.duplicate", "event.publish"]
    assert _shown_actions(admin, "?start=2021-03-01&end=2021-03-01") == ["venue.update"]
    assert _shown_actions(admin, "?start=2021-03-02&end=2021-03-31") == []
    today = datetime.now(UTC).date()
    recent = _shown_actions(admin, f"?start={today - timedelta(days=1)}&actor={other.id}")
    assert recent == ["venue.update"]


def test_a_reversed_date_range_is_a_clear_message(admin, logged):
    response = admin.get("/admin/audit?start=2021-03-02&end=2021-03-01")
    assert response.status_code == 200
    assert "The last day comes before the first day." in response.text


def test_csv_export_has_localized_headers_and_values(client_as, logged):
    chinese_admin = client_as("admin", locale="zh_Hans")
    response = chinese_admin.get(
        f"/admin/audit?format=csv&entity=users&entity_id={logged['reader'].id}"
    )
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["时间", "操作人", "操作"]
    assert len(body) == 1
    assert body[0][1] == "管理员王" and body[0][4] == "读者李"
    assert body[0][6:] == ["读者", "馆员"]
    assert "user.update" not in response.get_data(as_text=True)


def test_csv_export_keeps_the_filter_and_escapes_formulas(admin, make_user):
    sly = make_user(display_name="=HYPERLINK(1)")
    audit.record(admin.user, "user.update", sly, {"active": True}, {"active": False})
    audit.record(admin.user, "user.update", admin.user, {"role": "staff"}, {"role": "admin"})
    db.session.commit()
    text = admin.get(f"/admin/audit?format=csv&entity_id={sly.id}&entity=users").text
    assert "'=HYPERLINK(1)" in text and "Yes,No" in text
    assert text.count("Changed a person's access") == 1


def test_the_log_stays_for_admins_only(client_as, logged):
    for role in ("reader", "staff"):
        assert client_as(role).get("/admin/audit").status_code == 403
        assert client_as(role).get("/admin/audit?format=csv").status_code == 403
