"""The JSON API, version 1: /api/v1, described by /api/v1/openapi.json.

Bearer tokens only (no cookies, hence no CSRF), problem details for every error, the
same service functions as the web pages.
"""

import http

from flask import Flask
from flask_smorest import Api, Blueprint
from flask_smorest.utils import prepare_response

from eventsys.api.problems import CONTENT_TYPE as PROBLEM_CONTENT_TYPE
from eventsys.api.schemas import ProblemSchema

bp = Blueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    description="Events, registrations, volunteer shifts, venues and indicators.",
)

API_DESCRIPTION = """\
JSON API of eventsys. Authenticate with `POST /api/v1/tokens` and send the token as
`Authorization: Bearer <token>`. Instants are ISO 8601 with an offset (UTC in answers);
a time without an offset is refused. Every error is an RFC 9457 problem document
(`application/problem+json`) whose `type` names the kind of refusal, e.g.
`https://eventsys.dev/problems/full`.
"""


class EventsysApi(Api):
    """flask-smorest, with problem documents as the documented error responses.

    Its own error handler is not installed: eventsys.errors and eventsys.api.problems
    render every error under /api/ as a problem document.
    """

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "A problem document", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


def init_app(app: Flask) -> None:
    from eventsys.api import docs, routes, tokens  # noqa: F401  (routes registers the views)
    from eventsys.extensions import csrf

    app.config.setdefault("API_TITLE", "eventsys")
    app.config.setdefault("API_VERSION", "1.0")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {"description": API_DESCRIPTION},
            "components": {
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            },
        },
    )
    api = EventsysApi(app)
    api.register_blueprint(bp)
    # Outside the documented blueprint: a page for people, not an operation.
    app.add_url_rule("/api/v1/docs", "api_docs_page", docs.docs)
    app.extensions["eventsys_api"] = api
    csrf.exempt(bp)
    tokens.init_app(app)

    origins = [o.strip() for o in app.config.get("EVENTSYS_CORS_ORIGINS", "").split(",")]
    origins = [o for o in origins if o]
    if origins:
        from flask_cors import CORS

        CORS(
            app,
            resources={r"/api/*": {"origins": origins}},
            allow_headers=["Authorization", "Content-Type"],
            expose_headers=["Retry-After"],
            supports_credentials=False,
            max_age=600,
        )
