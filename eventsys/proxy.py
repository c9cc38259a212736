"""Behind a reverse proxy: trust its X-Forwarded-* headers, and only when configured.

``EVENTSYS_PROXY_FIX`` is the number of proxies in front of the app (nginx alone: 1;
a load balancer then nginx: 2). With 0 (the default) forwarded headers are ignored, since
a client could send them itself. When set, ``request.remote_addr`` is the client's
address, so request logs and rate limits see the reader, not the proxy.
"""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    hops = int(app.config.get("EVENTSYS_PROXY_FIX") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
