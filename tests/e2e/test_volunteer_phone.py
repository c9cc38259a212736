"""A volunteer on a 375px phone in Chinese: open shifts are cards, and signing up for a shift
that can no longer be withdrawn asks first."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsys import demo
from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import ShiftSignup, User, Venue
from eventsys.models.volunteers import Shift, VolunteerRole
from tests.e2e.conftest import SCREENSHOTS

NOTE = "闭馆前整理少儿图书"


@pytest.fixture
def late_shift(demo_site) -> Shift:
    starts = utcnow().replace(second=0, microsecond=0) + timedelta(hours=6)
    shift = Shift(
        role=db.session.scalars(sa.select(VolunteerRole).order_by(VolunteerRole.id)).first(),
        venue=db.session.scalars(sa.select(Venue).order_by(Venue.id)).first(),
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        slots=2,
        notes=NOTE,
    )
    db.session.add(shift)
    db.session.commit()
    return shift


def _signed_up(shift: Shift) -> bool:
    db.session.expire_all()
    volunteer = db.session.scalar(sa.select(User).where(User.email == "volunteer@demo.eventsys"))
    return (
        db.session.scalar(
            sa.select(ShiftSignup.id).where(
                ShiftSignup.shift_id == shift.id, ShiftSignup.user_id == volunteer.id
            )
        )
        is not None
    )


def test_a_volunteer_signs_up_on_a_phone_for_a_shift_that_cannot_be_withdrawn(
    open_walker, late_shift
):
    walker = open_walker("volunteer-shifts", "zh_Hans", "phone")
    page = walker.page
    walker.goto("/auth/login?next=/volunteers/")
    page.fill("input[name=email]", "volunteer@demo.eventsys")
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    walker.goto("/volunteers/")

    row = page.locator("table.stack-table tbody tr", has_text=NOTE)
    # On a phone each shift is a card: its cells stack, each led by its column's name.
    assert (
        page.evaluate(
            "() => getComputedStyle(document.querySelector('table.stack-table tbody tr')).display"
        )
        == "block"
    )
    assert row.locator("td[data-label]").count() == 5
    walker.shot("list")

    row.locator(f"a[href$='/shifts/{late_shift.id}/signup']").click()
    walker.seen()
    assert page.locator(".no-withdrawal").is_visible()
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").click()
    # Refused on purpose: the page comes back with status 400 and says why.
    assert [status.split()[0] for status in walker.bad_pages] == ["400"]
    walker.bad_pages.clear()
    walker.seen()
    assert page.locator("#understood[aria-invalid=true]").count() == 1
    assert not _signed_up(late_shift)
    walker.shot("refused")

    page.check("#understood")
    page.locator("form.form button[type=submit]").click()
    walker.seen()
    assert page.url.endswith("/volunteers/mine")
    assert _signed_up(late_shift)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    walker.shot("mine")
    walker.assert_accessible()
