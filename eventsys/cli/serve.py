"""``eventsys serve``: upgrade the database, optionally load the demo data, run gunicorn."""

import click
from flask import Flask
from flask.cli import ScriptInfo
from flask_babel import force_locale

from eventsys.cli.demo import print_demo_accounts


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="Processes."
)
@click.option("--demo", is_flag=True, help="Load the demo data and print its accounts.")
@click.pass_obj
def serve(info: ScriptInfo, host: str, port: int, workers: int, demo: bool) -> None:
    """Upgrade the database, optionally load demo data, and serve with gunicorn."""
    from flask_migrate import upgrade

    from eventsys import demo as demo_data
    from eventsys.extensions import db

    app = info.load_app()
    # Set-up runs in its own app context, popped before serving, so no request ever
    # inherits it and every worker opens its own database connections.
    with app.app_context():
        upgrade()
        if demo:
            with force_locale(app.config["BABEL_DEFAULT_LOCALE"]):
                print_demo_accounts(demo_data.load())
        db.engine.dispose()
    click.echo(f"Serving eventsys on http://{host}:{port} with {workers} worker(s)")
    _run_gunicorn(app, {"bind": f"{host}:{port}", "workers": workers})


def _run_gunicorn(application: Flask, options: dict) -> None:
    from gunicorn.app.base import BaseApplication

    class EventsysApplication(BaseApplication):
        def load_config(self) -> None:
            # No gunicorn access log: the request log (EVENTSYS_REQUEST_LOG) already writes
            # one JSON line per request, with more in it; two lines cost every request.
            for key, value in {"timeout": 60, **options}.items():
                self.cfg.set(key, value)
            # gunicorn 25.1+ opens a control socket at one path per user: two servers on
            # one machine (a second instance, a bench's before and after) would take it
            # from each other. eventsys sends gunicorn no control commands.
            if "control_socket_disable" in self.cfg.settings:
                self.cfg.set("control_socket_disable", True)

        def load(self) -> Flask:
            return application

    EventsysApplication().run()
