"""Policies the admin can change at run time (no-show rules, volunteer limits)."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from eventsys.extensions import db


class Setting(db.Model):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    value: Mapped[int] = mapped_column()
