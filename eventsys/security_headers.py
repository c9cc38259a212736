"""Security headers on every answer, set by Flask-Talisman.

No inline script or style is allowed: pages load theirs from /static, so an injected
``<script>`` or ``onclick`` does not run. Redirecting plain http to https is left to the
proxy in front (Talisman's force_https stays off), so /healthz probes over http and
development servers keep working; HSTS is sent when EVENTSYS_BASE_URL is https.
"""

from flask import Flask

from eventsys.extensions import talisman

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    # data: for images a page builds in place (QR codes, charts), never for scripts.
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
HSTS_MAX_AGE = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    https = app.config["EVENTSYS_BASE_URL"].startswith("https://")
    talisman.init_app(
        app,
        force_https=False,
        frame_options="DENY",
        content_security_policy=CONTENT_SECURITY_POLICY,
        referrer_policy="same-origin",
        # The door page reads check-in QR codes with the camera; no other origin may.
        permissions_policy={"browsing-topics": "()", "camera": "(self)"},
        strict_transport_security=https,
        strict_transport_security_max_age=HSTS_MAX_AGE,
        # Other hosts of the library's domain may still serve plain http.
        strict_transport_security_include_subdomains=False,
        # Talisman would otherwise rewrite these cookie settings; config.py decides them.
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
        session_cookie_http_only=app.config["SESSION_COOKIE_HTTPONLY"],
    )
