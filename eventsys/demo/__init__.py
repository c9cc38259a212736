"""Demonstration data: each area's loader, run in order; loading twice creates nothing twice.

An area adds its module (with a ``load() -> list[DemoAccount] | None``) to ``LOADERS``;
later loaders may use what earlier ones created (venues before programmes, programmes
before registrations).
"""

import importlib
from dataclasses import dataclass

from eventsys.extensions import db

# Modules under eventsys.demo, loaded in this order.
LOADERS = [
    "foundation",
    "programmes",
    "registrations",
    "volunteers",
    "year",
    "indicators",
    "posters",
]

DEMO_PASSWORD = "demo-password"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    role: str


def load() -> list[DemoAccount]:
    """Run every loader, committing after each; returns the demo accounts to show."""
    accounts: list[DemoAccount] = []
    for name in LOADERS:
        module = importlib.import_module(f"eventsys.demo.{name}")
        accounts.extend(module.load() or [])
        db.session.commit()
    return accounts
