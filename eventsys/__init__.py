"""eventsys: the event and cultural-programme system of a public library."""

import logging
import os
from pathlib import Path

from flask import Flask

from eventsys import config as config_module
from eventsys.extensions import csrf, db, limiter, login_manager, migrate

PACKAGE_DIR = Path(__file__).resolve().parent


def _bundled_or_checkout(name: str) -> str:
    """A wheel bundles ``templates``/``migrations`` inside the package; a checkout has them
    at the top level."""
    bundled = PACKAGE_DIR / name
    return str(bundled if bundled.is_dir() else PACKAGE_DIR.parent / name)


TEMPLATE_DIR = _bundled_or_checkout("templates")
MIGRATIONS_DIR = _bundled_or_checkout("migrations")


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("EVENTSYS_INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder=TEMPLATE_DIR,
        static_folder="static",
    )
    _configure(app, test_config)
    _init_extensions(app)
    _register_blueprints(app)

    from eventsys import cli, errors, i18n, input_guard, library, proxy, request_log, templating

    errors.init_app(app)
    input_guard.init_app(app)
    proxy.init_app(app)  # before the request log, which records the client's address
    request_log.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)
    library.init_app(app)
    cli.init_app(app)
    return app


def _configure(app: Flask, test_config: dict | None) -> None:
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(config_module.DEFAULTS)
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'eventsys.db'}"
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(config_module.from_environment())
    if test_config:
        app.config.update(test_config)

    production = app.config["EVENTSYS_ENV"] == "production"
    if not app.config.get("SECRET_KEY"):
        if production:
            raise config_module.ConfigError(
                "SECRET_KEY must be set in production (environment variable SECRET_KEY)."
            )
        app.config["SECRET_KEY"] = config_module.development_secret_key(app.instance_path)
    config_module.check_password_hash_method(app.config["EVENTSYS_PASSWORD_HASH"], production)
    config_module.cookie_settings(app.config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
            "connect_args": {"timeout": 30},
        }
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if production and app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        # Each gunicorn worker would keep its own counters: limits multiply by the workers.
        logging.getLogger(__name__).warning(
            "RATELIMIT_STORAGE_URI is memory://: with several workers or servers each keeps "
            "its own rate-limit counters; set it to a shared store such as redis://host:6379/0"
        )
    if production and not app.config["SESSION_COOKIE_SECURE"]:
        logging.getLogger(__name__).warning(
            "SESSION_COOKIE_SECURE is off: session cookies also travel over plain http; "
            "serve the site over https (EVENTSYS_BASE_URL=https://...) or set it to true"
        )


def _init_extensions(app: Flask) -> None:
    from eventsys import database, feed_cache, page_cache, security_headers, worker_copies

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    feed_cache.init_app(app)  # the cache that feeds and pages are kept in
    worker_copies.init_app(app)
    page_cache.init_app(app)
    login_manager.init_app(app)
    security_headers.init_app(app)
    from eventsys.auth import session_loader  # noqa: F401  (registers the user loader)


def _register_blueprints(app: Flask) -> None:
    from eventsys.admin import bp as admin_bp
    from eventsys.auth import bp as auth_bp
    from eventsys.main import bp as main_bp
    from eventsys.staff import bp as staff_bp

    for blueprint in (main_bp, auth_bp, staff_bp, admin_bp):
        app.register_blueprint(blueprint)

    from eventsys.events import bp as events_bp
    from eventsys.exhibitions import bp as exhibitions_bp
    from eventsys.lectures import bp as lectures_bp
    from eventsys.red_culture import bp as red_culture_bp

    for blueprint in (lectures_bp, exhibitions_bp, red_culture_bp, events_bp):
        app.register_blueprint(blueprint)

    from eventsys.registrations import bp as registrations_bp

    app.register_blueprint(registrations_bp)

    from eventsys.volunteers import bp as volunteers_bp

    app.register_blueprint(volunteers_bp)

    from eventsys.indicators import bp as indicators_bp

    app.register_blueprint(indicators_bp)

    from eventsys.calendar import bp as calendar_bp

    app.register_blueprint(calendar_bp)

    from eventsys import api

    api.init_app(app)  # /api/v1 and its OpenAPI document
