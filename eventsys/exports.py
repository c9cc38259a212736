"""The one writer of CSV and Excel files: registrations, rosters, volunteer reports and
indicators all go through it, so every download is safe in the same way.

Names and titles come from readers and staff, and a spreadsheet runs a cell that starts
with = + - @ (or a tab or carriage return) as a formula: CSV cells get a leading apostrophe,
Excel cells are stored as text with Excel's own "quote prefix". Control characters are
removed (an Excel file cannot hold them, and openpyxl refuses to write them). CSV starts
with a byte-order mark, without which Excel reads Chinese as mojibake. Headers are given
by the callers through gettext, so a file speaks the language of the person downloading it.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font

FORMATS = ("csv", "xlsx")
CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# C0 controls except tab, line feed and carriage return; DEL and C1 controls; lone
# surrogates (not encodable). A superset of openpyxl's ILLEGAL_CHARACTERS_RE.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_LENGTH = 31


@dataclass
class Table:
    """One sheet of a workbook, or one block of a CSV file."""

    title: str
    headers: list
    rows: list[list]


def clean_text(value: str) -> str:
    """The text without control characters; formulas are left to the writers."""
    return CONTROL_CHARACTERS.sub("", value)


def _is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def _plain(value):
    """A value a spreadsheet can hold: numbers stay numbers, everything else is text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return clean_text(str(value))  # also lazy gettext strings


def csv_cell(value):
    """A CSV cell that no spreadsheet runs: formula-like text gets a leading apostrophe."""
    value = _plain(value)
    if isinstance(value, str) and _is_formula_like(value):
        return "'" + value
    return value


def csv_text(tables: list[Table], *, titles: bool = True, bom: bool = True) -> str:
    """The tables one after another, each under its title (when ``titles``)."""
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out)
    for i, table in enumerate(tables):
        if i:
            writer.writerow([])
        if titles:
            writer.writerow([csv_cell(table.title)])
        writer.writerow([csv_cell(h) for h in table.headers])
        writer.writerows([csv_cell(v) for v in row] for row in table.rows)
    return out.getvalue()


def _sheet_name(title: str, used: set[str]) -> str:
    name = SHEET_NAME_FORBIDDEN.sub(" ", clean_text(str(title))).strip(" '")
    name = name[:SHEET_NAME_LENGTH].strip() or "Sheet"
    n = 2
    while name.lower() in used:
        suffix = f" {n}"
        name = name[: SHEET_NAME_LENGTH - len(suffix)].rstrip() + suffix
        n += 1
    used.add(name.lower())
    return name


def _write_row(sheet, row: int, values: list, *, bold: bool = False) -> None:
    for column, value in enumerate(values, start=1):
        value = _plain(value)
        cell = sheet.cell(row=row, column=column, value=value)
        if isinstance(value, str) and _is_formula_like(value):
            # openpyxl types text starting with "=" as a formula; text it is, and the quote
            # prefix keeps it text in Excel even when the cell is edited.
            cell.data_type = "s"
            cell.quotePrefix = True
        if bold:
            cell.font = Font(bold=True)


def xlsx_bytes(tables: list[Table]) -> bytes:
    """A workbook with one sheet per table, the header row bold and frozen."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for table in tables:
        sheet = book.create_sheet(_sheet_name(table.title, used))
        _write_row(sheet, 1, table.headers, bold=True)
        for number, row in enumerate(table.rows, start=2):
            _write_row(sheet, number, row)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII name every browser takes, plus the UTF-8 name."""
    filename = clean_text(filename).replace("/", "-").replace("\\", "-")
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9._() -]", "_", ascii_name).strip() or "export"
    value = f'attachment; filename="{ascii_name}"'
    if ascii_name != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value


def download(tables: list[Table], name: str, fmt: str, *, titles: bool = True) -> Response:
    """The tables as ``name.csv`` or ``name.xlsx``. A single list meant to be read back
    (registrations, a roster) passes ``titles=False``: its CSV starts with the header row."""
    if fmt == "xlsx":
        return Response(
            xlsx_bytes(tables),
            mimetype=XLSX_MIMETYPE,
            headers={"Content-Disposition": content_disposition(f"{name}.xlsx")},
        )
    if fmt != "csv":
        raise ValueError(f"unknown export format {fmt!r}")
    return Response(
        csv_text(tables, titles=titles),
        content_type=f"{CSV_MIMETYPE}; charset=utf-8",
        headers={"Content-Disposition": content_disposition(f"{name}.csv")},
    )
