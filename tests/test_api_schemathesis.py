"""Property-based run over the OpenAPI document: no server error, and every answer keeps
to the document (status, content type, schema). Bounded: a few examples per operation."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from test_api_support import token_for

from eventsys.db_types import utcnow
from eventsys.extensions import db
from eventsys.models import Shift, VolunteerRole

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = 25

pytestmark = pytest.mark.slow  # hundreds of generated requests per role


def _property_test(operation, headers: dict, failures: list, calls: list):
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case):
        response = case.call(headers=headers)
        calls.append(response.status_code)
        try:
            case.validate_response(response, checks=CHECKS)
        except Exception as error:  # noqa: BLE001  (reported together by the caller)
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")

    return run


@pytest.fixture
def data(make_user, make_event, make_venue):
    """Something for the generated requests to find: events, a shift, tokens' owners."""
    venue = make_venue()
    make_event(venue=venue)
    make_event(venue=venue, capacity=1, waitlist_enabled=False)
    role = VolunteerRole(name="阅读指导", name_en="Reading guide")
    start = utcnow().replace(microsecond=0) + timedelta(days=2)
    db.session.add(
        Shift(role=role, venue=venue, starts_at=start, ends_at=start + timedelta(hours=2), slots=3)
    )
    db.session.commit()
    return {"staff": make_user("staff"), "volunteer": make_user("volunteer")}


@pytest.mark.parametrize("who", ["staff", "volunteer"])
def test_generated_requests_find_no_server_error_and_no_answer_off_the_document(
    app, client, data, who
):
    token = token_for(client, data[who])
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    failures, calls = [], []
    for operation in operations:
        if operation.path.endswith("/tokens/current"):
            continue  # revoking would end the run's own token

        _property_test(operation, headers, failures, calls)()
    assert len(calls) > 3 * len(operations)
    assert not failures, "\n\n".join(failures[:5])
