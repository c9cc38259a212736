"""The ``eventsys`` command: Flask's CLI bound to this app, plus the project's own groups."""

import click
from flask import Flask
from flask.cli import FlaskGroup


def _create_app():
    from eventsys import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """Manage an eventsys installation."""


def init_app(app: Flask) -> None:
    """Attach the command groups to ``flask`` as well as to ``eventsys``."""
