"""Importing readers and volunteers from a CSV file (e.g. a list kept in Excel).

Columns: email, display_name, card_number, phone, role, password. A row is matched by
email: a new address creates an account, a known one is updated. Each row is checked
before anything is written and committed on its own, so a bad row never costs the good
ones. Staff and admin accounts are never created or changed here.

A list kept elsewhere lags behind the accounts (a reader approved as a volunteer since),
so a row never lowers a role unless the caller allows it, and each row whose role was
kept or lowered says so in the report. A dry run goes through every row the same way in
one transaction, each row in a savepoint, and rolls it all back.
"""

import csv
import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_request_context
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from eventsys.extensions import db
from eventsys.models import Role, User
from eventsys.services import accounts
from eventsys.text import single_line

log = logging.getLogger(__name__)

COLUMNS = ("email", "display_name", "card_number", "phone", "role", "password")
IMPORTABLE_ROLES = (Role.READER.value, Role.VOLUNTEER.value)
# Higher means more rights; a row asking for a lower rank than the account has is lowering.
ROLE_RANK = {Role.READER.value: 0, Role.VOLUNTEER.value: 1}
MIN_PASSWORD_LENGTH = 8
MAX_LENGTHS = {"display_name": 80, "card_number": 32, "phone": 32, "password": 128}


class ImportFileError(ValueError):
    """The file as a whole cannot be read; nothing was imported."""


@dataclass
class RowResult:
    row: int  # the line number in the file, the header being row 1
    email: str
    reason: str = ""  # why the row was rejected
    note: str = ""  # what an accepted row did not do as asked, or did only when allowed


@dataclass
class ImportReport:
    created: list[RowResult] = field(default_factory=list)
    updated: list[RowResult] = field(default_factory=list)
    unchanged: list[RowResult] = field(default_factory=list)
    rejected: list[RowResult] = field(default_factory=list)
    dry_run: bool = False

    @property
    def noted(self) -> list[RowResult]:
        """Accepted rows with a note, in file order."""
        rows = self.created + self.updated + self.unchanged
        return sorted((r for r in rows if r.note), key=lambda r: r.row)


class _RowRejected(ValueError):
    pass


def _decode(data: bytes) -> str:
    try:
        # utf-8-sig drops the byte-order mark Excel writes, and reads plain UTF-8 alike.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file is not UTF-8. In Excel, save it as “CSV UTF-8 (Comma delimited)”.")
        ) from None


def _read_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError(_("The file is empty.")) from None
    names = [name.strip().lower() for name in header]
    if "email" not in names:
        raise ImportFileError(
            _(
                "The first line must name the columns; “email” is missing. Expected: %(cols)s.",
                cols=", ".join(COLUMNS),
            )
        )
    unknown = [name for name in names if name and name not in COLUMNS]
    if unknown:
        raise ImportFileError(
            _(
                "Unknown column(s): %(unknown)s. Expected: %(cols)s.",
                unknown=", ".join(unknown),
                cols=", ".join(COLUMNS),
            )
        )
    rows = []
    try:
        for values in reader:
            if not any(value.strip() for value in values):
                continue  # blank lines, e.g. at the end of an Excel export
            row = {name: "" for name in COLUMNS}
            for name, value in zip(names, values, strict=False):
                if name:
                    row[name] = value.strip()
            rows.append((reader.line_num, row))
    except csv.Error as error:
        raise ImportFileError(
            _("Line %(line)s: %(error)s", line=reader.line_num, error=error)
        ) from None
    return rows


def _check(row: dict[str, str]) -> dict[str, str]:
    """The row's values, cleaned, or a rejection saying what is wrong."""
    if not row["email"]:
        raise _RowRejected(_("email is missing"))
    try:
        email = validate_email(row["email"], check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise _RowRejected(_("email is not valid: %(error)s", error=error)) from None
    role = row["role"].lower()  # empty: a reader when new, the account's role when known
    if role in (Role.STAFF.value, Role.ADMIN.value):
        raise _RowRejected(
            _(
                "role %(role)s is not imported; create staff and admin accounts one by one "
                "with `eventsys users create`",
                role=role,
            )
        )
    if role and role not in IMPORTABLE_ROLES:
        raise _RowRejected(_("unknown role “%(role)s” (use reader or volunteer)", role=role))
    row = {**row, "display_name": single_line(row["display_name"])}
    if not row["display_name"]:
        raise _RowRejected(_("display_name is missing"))
    for name, limit in MAX_LENGTHS.items():
        if len(row[name]) > limit:
            raise _RowRejected(
                _("%(name)s is longer than %(limit)s characters", name=name, limit=limit)
            )
    if row["password"] and len(row["password"]) < MIN_PASSWORD_LENGTH:
        raise _RowRejected(_("password is shorter than %(n)s characters", n=MIN_PASSWORD_LENGTH))
    return {**row, "email": email, "role": role}


def _card_taken_by_other(card_number: str, user_id: int | None) -> bool:
    owner = db.session.scalar(sa.select(User.id).where(User.card_number == card_number))
    return owner is not None and owner != user_id


def _role_for(user: User, asked: str, allow_lower: bool, result: RowResult) -> str:
    """The role the account ends with; a kept or lowered role is noted on the row."""
    if not asked or asked == user.role:
        return user.role
    if ROLE_RANK[asked] > ROLE_RANK[user.role]:
        return asked
    if not allow_lower:
        result.note = _(
            "role %(current)s kept (the row says %(asked)s); "
            "to lower roles, import with --allow-lower-roles",
            current=user.role,
            asked=asked,
        )
        return user.role
    result.note = _("role lowered from %(current)s to %(asked)s", current=user.role, asked=asked)
    return asked


def _apply(values: dict[str, str], allow_lower: bool, result: RowResult) -> str:
    """Create or update one account in the session; returns "created"/"updated"/"unchanged"."""
    user = accounts.find_by_email(values["email"])
    if values["card_number"] and _card_taken_by_other(
        values["card_number"], user.id if user else None
    ):
        raise _RowRejected(_("card_number belongs to another account"))
    if user is None:
        user = accounts.create_user(
            values["email"],
            values["display_name"],
            values["password"] or None,
            role=values["role"] or Role.READER.value,
            phone=values["phone"] or None,
            card_number=values["card_number"] or None,
        )
        db.session.flush()
        if not values["password"]:
            accounts.queue_reset_mail(user)
        return "created"
    if user.role not in IMPORTABLE_ROLES:
        raise _RowRejected(
            _("this address belongs to a %(role)s account, which is not changed", role=user.role)
        )
    if not user.active:
        raise _RowRejected(_("this account is closed"))
    changed = False
    for attribute, value in (
        ("display_name", values["display_name"]),
        ("role", _role_for(user, values["role"], allow_lower, result)),
        ("phone", values["phone"] or None),
        ("card_number", values["card_number"] or None),
    ):
        if getattr(user, attribute) != value:
            setattr(user, attribute, value)
            changed = True
    if values["password"] and not user.check_password(values["password"]):
        user.set_password(values["password"])
        changed = True
    return "updated" if changed else "unchanged"


@contextmanager
def _row_transaction(dry_run: bool) -> Iterator[None]:
    """One row's writes: committed on their own, or in a dry run a savepoint kept until the
    final rollback, so later rows see earlier ones exactly as in a real run."""
    if dry_run:
        with db.session.begin_nested():
            yield
        return
    try:
        yield
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def _begin_for_dry_run() -> None:
    """Open the outer transaction for a dry run's savepoints.

    SQLite's Python driver begins a transaction only before a data-changing statement, so
    a first SAVEPOINT would open one itself and its RELEASE would commit the row. An
    explicit BEGIN makes the final rollback undo every row.
    """
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if not raw.in_transaction:
            connection.exec_driver_sql("BEGIN")


def import_users(
    data: bytes, *, allow_lower_roles: bool = False, dry_run: bool = False
) -> ImportReport:
    """Import the CSV file's rows; each good row is committed, each bad one reported.

    With ``dry_run`` the report is the same and nothing is kept (no account, no mail).
    """
    report = ImportReport(dry_run=dry_run)
    first_row_of: dict[str, int] = {}
    # Reset links are built with url_for, which needs a request outside of one.
    with _request_context():
        rows = _read_rows(_decode(data))
        if dry_run:
            db.session.rollback()  # nothing of the caller's may end up in the rollback below
            _begin_for_dry_run()
        try:
            for line, row in rows:
                result = RowResult(row=line, email=row["email"])
                try:
                    with _row_transaction(dry_run):
                        values = _check(row)
                        if values["email"] in first_row_of:
                            raise _RowRejected(
                                _(
                                    "the same email is on row %(row)s already",
                                    row=first_row_of[values["email"]],
                                )
                            )
                        first_row_of[values["email"]] = line
                        outcome = _apply(values, allow_lower_roles, result)
                except (_RowRejected, accounts.AccountError) as error:
                    result.reason = str(error)
                    result.note = ""
                    report.rejected.append(result)
                except IntegrityError as error:
                    # Another writer took the address or card number since the checks above.
                    log.warning("user import row %s refused by the database: %s", line, error)
                    result.reason = _("conflicts with an existing account (email or card_number)")
                    result.note = ""
                    report.rejected.append(result)
                else:
                    getattr(report, outcome).append(result)
        finally:
            if dry_run:
                db.session.rollback()
    log.info(
        "user import%s: %s created, %s updated, %s unchanged, %s rejected",
        " (dry run, nothing written)" if dry_run else "",
        len(report.created),
        len(report.updated),
        len(report.unchanged),
        len(report.rejected),
    )
    return report


def _request_context():
    if has_request_context():
        return nullcontext()
    return current_app.test_request_context("/")
