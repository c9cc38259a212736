"""Branches and venues: creating and changing them, each change in the audit log."""

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from eventsys.extensions import db
from eventsys.models import Branch, BranchKind, User, Venue, VenueKind
from eventsys.services import audit

BRANCH_FIELDS = ("code", "name", "name_en", "kind", "address")
VENUE_FIELDS = (
    "branch_id",
    "name",
    "name_en",
    "kind",
    "address",
    "capacity",
    "latitude",
    "longitude",
)


class VenueError(ValueError):
    """A refusal with a message fit to show the person; ``field`` names the culprit."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def branches_with_venues() -> list[Branch]:
    """Centres first, then branches, each by name; their venues come along."""
    return list(
        db.session.scalars(
            sa.select(Branch)
            .options(selectinload(Branch.venues))
            .order_by(Branch.kind.desc(), Branch.name)
        )
    )


def all_venues() -> list[Venue]:
    """Every venue with its branch, branch by branch, by name within one."""
    return list(
        db.session.scalars(
            sa.select(Venue).options(joinedload(Venue.branch)).order_by(Venue.branch_id, Venue.name)
        )
    )


def branches_by_name() -> list[Branch]:
    return list(db.session.scalars(sa.select(Branch).order_by(Branch.name)))


def _clean(model, data: dict, fields: tuple[str, ...]) -> dict:
    """The known fields, stripped, each no longer than its column allows."""
    values = {name: data[name] for name in fields if name in data}
    for name, value in values.items():
        if isinstance(value, str):
            values[name] = value = value.strip()
            limit = getattr(model.__table__.c[name].type, "length", None)
            if limit and len(value) > limit:
                raise VenueError(_("Use at most %(n)d characters.", n=limit), name)
    return values


def _check_branch(values: dict, branch: Branch | None) -> None:
    if not values.get("code"):
        raise VenueError(_("A code is required."), "code")
    if not values.get("name"):
        raise VenueError(_("A name is required."), "name")
    if values.get("kind") not in {k.value for k in BranchKind}:
        raise VenueError(_("Choose a kind from the list."), "kind")
    taken = db.session.scalar(sa.select(Branch.id).where(Branch.code == values["code"]))
    if taken is not None and (branch is None or taken != branch.id):
        raise VenueError(_("Another branch uses this code already."), "code")


def _check_venue(values: dict, venue: Venue | None) -> None:
    branch_id = values.get("branch_id")
    if branch_id is None or db.session.get(Branch, branch_id) is None:
        raise VenueError(_("Choose a branch from the list."), "branch_id")
    if not values.get("name"):
        raise VenueError(_("A name is required."), "name")
    if values.get("kind") not in {k.value for k in VenueKind}:
        raise VenueError(_("Choose a kind from the list."), "kind")
    capacity = values.get("capacity")
    if capacity is None or capacity < 0:
        raise VenueError(_("The capacity cannot be negative."), "capacity")
    latitude, longitude = values.get("latitude"), values.get("longitude")
    if (latitude is None) != (longitude is None):
        raise VenueError(_("Give both latitude and longitude, or neither."), "latitude")
    if latitude is not None and not -90 <= latitude <= 90:
        raise VenueError(_("Latitude lies between -90 and 90."), "latitude")
    if longitude is not None and not -180 <= longitude <= 180:
        raise VenueError(_("Longitude lies between -180 and 180."), "longitude")
    taken = db.session.scalar(
        sa.select(Venue.id).where(Venue.branch_id == branch_id, Venue.name == values["name"])
    )
    if taken is not None and (venue is None or taken != venue.id):
        raise VenueError(_("This branch has a venue of that name already."), "name")


def _flush() -> None:
    """Flush, turning a constraint another request won the race for into a refusal."""
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise VenueError(
            _("Someone saved a conflicting change just now. Please try again.")
        ) from error


@dataclass(frozen=True)
class _Place:
    """What differs between branches and venues when they are created or changed."""

    model: type
    fields: tuple[str, ...]
    check: Callable[[dict, object | None], None]
    created: str  # the audit log's actions
    updated: str


_BRANCH = _Place(Branch, BRANCH_FIELDS, _check_branch, "branch.create", "branch.update")
_VENUE = _Place(Venue, VENUE_FIELDS, _check_venue, "venue.create", "venue.update")


def _create(place: _Place, actor: User, data: dict):
    values = _clean(place.model, data, place.fields)
    place.check(values, None)
    row = place.model(**{"name_en": "", "address": "", **values})
    db.session.add(row)
    _flush()
    audit.record(actor, place.created, row, None, audit.snapshot(row, place.fields))
    return row


def _update(place: _Place, actor: User, row, data: dict):
    values = _clean(place.model, data, place.fields)
    before = audit.snapshot(row, place.fields)
    place.check({**before, **values}, row)
    for name, value in values.items():
        setattr(row, name, value)
    _flush()
    before, after = audit.changed(before, audit.snapshot(row, place.fields))
    if after:
        audit.record(actor, place.updated, row, before, after)
    return row


def create_branch(actor: User, data: dict) -> Branch:
    return _create(_BRANCH, actor, data)


def update_branch(actor: User, branch: Branch, data: dict) -> Branch:
    return _update(_BRANCH, actor, branch, data)


def create_venue(actor: User, data: dict) -> Venue:
    return _create(_VENUE, actor, data)


def update_venue(actor: User, venue: Venue, data: dict) -> Venue:
    return _update(_VENUE, actor, venue, data)
