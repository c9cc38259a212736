"""Centres, branches and the venues inside them."""

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.extensions import db
from eventsys.i18n import localized


class BranchKind(enum.StrEnum):
    CENTRE = "centre"
    BRANCH = "branch"


class VenueKind(enum.StrEnum):
    LECTURE_HALL = "lecture_hall"
    GALLERY = "gallery"
    ACTIVITY_ROOM = "activity_room"
    OTHER = "other"


class Branch(db.Model):
    """A centre (Renmin Road, Second Library) or a district branch."""

    __tablename__ = "branches"
    __table_args__ = (sa.CheckConstraint("kind IN ('centre', 'branch')", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    name_en: Mapped[str] = mapped_column(sa.String(120), default="")
    kind: Mapped[str] = mapped_column(sa.String(10), default=BranchKind.BRANCH.value)
    address: Mapped[str] = mapped_column(sa.String(255), default="")

    venues: Mapped[list["Venue"]] = relationship(back_populates="branch", order_by="Venue.name")

    @property
    def localized_name(self) -> str:
        """The name readers see: English in English when stored, else Chinese."""
        return localized(self.name, self.name_en)

    def __str__(self) -> str:
        return self.localized_name


class Venue(db.Model):
    """A hall, gallery or room; every venue belongs to one branch."""

    __tablename__ = "venues"
    __table_args__ = (
        sa.CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        sa.UniqueConstraint("branch_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    name_en: Mapped[str] = mapped_column(sa.String(120), default="")
    kind: Mapped[str] = mapped_column(sa.String(20), default=VenueKind.OTHER.value)
    address: Mapped[str] = mapped_column(sa.String(255), default="")
    capacity: Mapped[int] = mapped_column(default=0)
    latitude: Mapped[float | None] = mapped_column(sa.Float)
    longitude: Mapped[float | None] = mapped_column(sa.Float)

    branch: Mapped[Branch] = relationship(back_populates="venues")

    @property
    def full_address(self) -> str:
        return self.address or self.branch.address

    @property
    def localized_name(self) -> str:
        """The name readers see: English in English when stored, else Chinese."""
        return localized(self.name, self.name_en)

    def __str__(self) -> str:
        return f"{self.branch.localized_name} · {self.localized_name}"
