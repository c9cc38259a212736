"""The audit log read by an admin in a real browser: Chinese on a phone, English on a
desktop, with no developer names (dotted actions, ``_id`` fields, True/False) on the page.
Each run leaves a screenshot in test-artifacts/screenshots/."""

import re

import pytest
import sqlalchemy as sa

from eventsys.admin.audit_labels import ACTION_LABELS
from eventsys.extensions import db
from eventsys.models import Event, User, Venue
from eventsys.services import accounts, audit, indicators, policies
from eventsys.services.events import AUDITED_FIELDS
from tests.e2e.conftest import SCREENSHOTS

RAW = re.compile(r"\b[a-z]+_[a-z_]+\b|\bTrue\b|\bFalse\b|\d{2}:\d{2}:\d{2}\+00:00")


@pytest.fixture
def changes(app, demo_site) -> None:
    """Changes of several kinds made by the demo admin through the services."""
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@demo.eventsys"))
    reader = db.session.scalar(sa.select(User).where(User.email == "reader@demo.eventsys"))
    event = db.session.scalars(sa.select(Event).order_by(Event.id)).first()
    other_venue = db.session.scalars(sa.select(Venue).order_by(Venue.id.desc())).first()
    with app.test_request_context():
        policies.update(admin, {"noshow_count": 4})
        accounts.update_access(admin, reader, "volunteer", True)
        indicators.set_value(
            2021,
            "visits",
            "shanghai",
            1600,
            source="上海图书馆年报",
            actor=admin,
            source_url="https://example.org/annual-2021",
        )
        before = audit.snapshot(event, AUDITED_FIELDS)
        after = {
            **before,
            "venue_id": other_venue.id,
            "waitlist_enabled": not event.waitlist_enabled,
        }
        audit.record(admin, "event.update", event, *audit.changed(before, after))
        audit.record(admin, "event.publish", event, {"status": "draft"}, {"status": "published"})
        db.session.commit()


@pytest.mark.parametrize(
    "lang, width, shot",
    [
        ("zh_Hans", "phone", "admin-audit-zh-375.png"),
        ("en", "desktop", "admin-audit-en-1280.png"),
    ],
)
def test_audit_log_speaks_the_admins_language(open_walker, changes, lang, width, shot):
    admin = open_walker("admin-audit", lang, width)
    admin.goto("/")
    admin.choose_language()
    admin.log_in("admin@demo.eventsys")
    admin.goto("/admin/audit")
    text = admin.page.inner_text("main")
    assert RAW.findall(text) == []
    assert [action for action in ACTION_LABELS if action in text] == []
    if lang == "zh_Hans":
        assert "修改了规则" in text and "是" in text
    else:
        assert "Changed the rules" in text and "Published an event" in text
    # The filters narrow the list to one kind of object.
    admin.page.select_option("select[name=entity]", "settings")
    admin.page.click("form.filters button[type=submit]")
    admin.seen()
    assert admin.page.locator("tbody tr").count() == 1
    admin.goto("/admin/audit")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    admin.page.screenshot(path=str(SCREENSHOTS / shot), full_page=True)
    admin.assert_accessible()
