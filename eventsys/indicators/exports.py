"""CSV and Excel downloads of any indicators view: a list of titled tables."""

import csv
import io
import re
from dataclasses import dataclass

from flask import Response
from openpyxl import Workbook


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list]


FORMATS = ("csv", "xlsx")


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def to_csv(tables: list[Table]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for i, table in enumerate(tables):
        if i:
            writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.headers)
        writer.writerows([[_plain(v) for v in row] for row in table.rows])
    return out.getvalue()


def to_xlsx(tables: list[Table]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for i, table in enumerate(tables, start=1):
        name = re.sub(r"[\[\]:*?/\\]", " ", table.title)[:28].strip() or "Sheet"
        if name in used:
            name = f"{name[:25]} {i}"
        used.add(name)
        sheet = book.create_sheet(name)
        sheet.append(table.headers)
        for row in table.rows:
            sheet.append([_plain(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def download(tables: list[Table], filename: str, fmt: str) -> Response:
    if fmt == "xlsx":
        return Response(
            to_xlsx(tables),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{filename}.xlsx"'},
        )
    # A BOM so Excel opens the Chinese text as UTF-8.
    return Response(
        "\ufeff" + to_csv(tables),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )
