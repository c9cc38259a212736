"""What volunteers read: shift buttons that do not sound like accounts, a plain warning
before a sign-up that cannot be withdrawn, role names in one language, and tables that
become cards on phones."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from test_api_support import assert_problem, auth

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Role, Shift, ShiftSignup, VolunteerRole
from eventsys.services import shifts

WARNING_START = "You will not be able to withdraw from this shift once you sign up"


@pytest.fixture
def make_shift(app, make_venue):
    role = VolunteerRole(name="图书整架", name_en="Shelving")
    venue = make_venue(name="研讨室")
    db.session.add(role)
    db.session.commit()

    def make(starts_in: timedelta, hours: int = 2) -> Shift:
        starts = utcnow().replace(second=0, microsecond=0) + starts_in
        shift = Shift(
            role_id=role.id,
            venue_id=venue.id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=hours),
            slots=3,
        )
        db.session.add(shift)
        db.session.commit()
        return shift

    return make


def _signups(shift: Shift) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(ShiftSignup).where(ShiftSignup.shift_id == shift.id)
    )


class _Buttons(HTMLParser):
    """The text of each <button> and link, and the cells of stacked tables."""

    def __init__(self) -> None:
        super().__init__()
        self.buttons: list[str] = []
        self.links: list[str] = []
        self.cells: list[dict] = []
        self._open: list | None = None
        self._stack_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("button", "a"):
            self._open = [tag, ""]
        if tag == "table":
            stacked = "stack-table" in (attrs.get("class") or "").split()
            self._stack_depth += 1 if stacked or self._stack_depth else 0
        if tag == "td" and self._stack_depth:
            self.cells.append(attrs)

    def handle_data(self, data):
        if self._open:
            self._open[1] += data

    def handle_endtag(self, tag):
        if self._open and tag == self._open[0]:
            (self.buttons if tag == "button" else self.links).append(self._open[1].strip())
            self._open = None
        if tag == "table" and self._stack_depth:
            self._stack_depth -= 1


def _parse(html: str) -> _Buttons:
    parser = _Buttons()
    parser.feed(html)
    return parser


def _main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def test_shift_buttons_say_sign_up_and_withdraw_in_english(client_as, make_shift):
    volunteer = client_as(Role.VOLUNTEER)
    shift = make_shift(timedelta(days=3))
    assert "Sign up" in _parse(volunteer.get("/volunteers/").text).buttons
    volunteer.post(f"/volunteers/shifts/{shift.id}/signup")
    assert "Withdraw" in _parse(volunteer.get("/volunteers/mine").text).buttons


def test_chinese_shift_buttons_do_not_read_like_creating_an_account_or_logging_out(
    client_as, make_shift
):
    volunteer = client_as(Role.VOLUNTEER, locale="zh_Hans")
    reader_page = _parse(client_as(Role.READER, locale="zh_Hans").get("/").text)
    shift = make_shift(timedelta(days=3))
    listing = _parse(volunteer.get("/volunteers/").text)
    shift_button = listing.buttons[-1]
    assert shift_button and "注册" not in shift_button
    # The account's own sign-up keeps its word.
    anonymous = _parse(
        volunteer.application.test_client()
        .get("/volunteers/", headers={"Accept-Language": "zh-CN"})
        .text
    )
    assert any(link == "注册" for link in anonymous.links), anonymous.links
    volunteer.post(f"/volunteers/shifts/{shift.id}/signup")
    withdraw = _parse(volunteer.get("/volunteers/mine").text).buttons[-1]
    assert withdraw and "退出" not in withdraw
    assert any("退出" in b for b in reader_page.buttons)  # logging out still says so


def test_a_shift_past_the_withdrawal_cut_off_is_signed_up_for_only_after_a_warning(
    client_as, make_shift
):
    volunteer = client_as(Role.VOLUNTEER)
    late = make_shift(timedelta(hours=5))
    listing = volunteer.get("/volunteers/").text
    # The list links to the confirm step instead of signing up at once.
    assert f'href="/volunteers/shifts/{late.id}/signup"' in listing

    confirm = volunteer.get(f"/volunteers/shifts/{late.id}/signup")
    assert confirm.status_code == 200
    assert WARNING_START in confirm.text
    assert "withdrawal closes 24 hours before a shift starts" in confirm.text
    assert 'name="understood"' in confirm.text

    refused = volunteer.post(f"/volunteers/shifts/{late.id}/signup")
    assert refused.status_code == 400
    assert WARNING_START in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert _signups(late) == 0

    done = volunteer.post(f"/volunteers/shifts/{late.id}/signup", data={"understood": "y"})
    assert done.status_code == 302 and done.location.endswith("/volunteers/mine")
    assert _signups(late) == 1


def test_a_shift_that_can_still_be_withdrawn_needs_no_warning(client_as, make_shift):
    volunteer = client_as(Role.VOLUNTEER)
    early = make_shift(timedelta(days=3))
    assert WARNING_START not in volunteer.get(f"/volunteers/shifts/{early.id}/signup").text
    assert volunteer.post(f"/volunteers/shifts/{early.id}/signup").status_code == 302
    assert _signups(early) == 1


def test_the_refusal_is_in_chinese_for_a_chinese_volunteer(app, client_as, make_shift):
    volunteer = client_as(Role.VOLUNTEER, locale="zh_Hans")
    late = make_shift(timedelta(hours=5))
    refused = volunteer.post(f"/volunteers/shifts/{late.id}/signup")
    assert refused.status_code == 400
    with app.test_request_context(), force_locale("zh_Hans"):
        expected = shifts.no_withdrawal_warning()
    assert expected in refused.text


@pytest.mark.parametrize(
    ("locale", "shown", "hidden"),
    [("en", "Shelving", "图书整架"), ("zh_Hans", "图书整架", "Shelving")],
)
def test_role_names_come_in_the_pages_language_only(client_as, make_shift, locale, shown, hidden):
    volunteer = client_as(Role.VOLUNTEER, locale=locale)
    shift = make_shift(timedelta(days=3))
    volunteer.post(f"/volunteers/shifts/{shift.id}/signup")
    for path in ("/volunteers/", "/volunteers/mine", f"/volunteers/shifts/{shift.id}/signup"):
        main = _main(volunteer.get(path).text)
        assert shown in main, path
        assert hidden not in main, path


def test_volunteer_tables_label_every_cell_for_the_phone_layout(app, client_as, make_shift):
    volunteer = client_as(Role.VOLUNTEER)
    served = make_shift(timedelta(days=-3))
    signup = ShiftSignup(
        shift_id=served.id, user_id=volunteer.user.id, status="signed_up", attendance="attended"
    )
    db.session.add(signup)
    db.session.commit()
    make_shift(timedelta(days=3))
    year = shifts.local_day(served.starts_at).year
    for path in ("/volunteers/", "/volunteers/mine", f"/volunteers/certificate?year={year}"):
        page = volunteer.get(path).text
        assert re.search(r'<table class="stack-table"', page), path
        cells = _parse(page).cells
        assert cells, path
        assert all(cell.get("data-label") for cell in cells), path


def test_the_api_asks_for_the_same_understanding_past_the_cut_off(client, make_user, make_shift):
    shift = make_shift(timedelta(hours=3))
    headers = auth(client, make_user(Role.VOLUNTEER, email="late@example.org"))

    refused = client.post(f"/api/v1/shifts/{shift.id}/signups", headers=headers)
    assert_problem(refused, 409, "final-sign-up")
    accepted = client.post(
        f"/api/v1/shifts/{shift.id}/signups", json={"understood": True}, headers=headers
    )
    assert accepted.status_code == 201, accepted.get_json()
