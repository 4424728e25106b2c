"""Property-based tests of the whole API against its own OpenAPI schema (schemathesis 4, Python API, on the
Django WSGI application): every operation, with the tokens of an NHSE analyst and of a practice user. No
response may be a server error, and every response must match the schema (status code, content type,
headers and body)."""

import datetime

import pytest
import schemathesis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from core.roles import Role

from ..api_support import Api, fresh_throttle_cache  # noqa: F401
from ..factories import InspectionFactory

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 20  # per operation, per token, per choice of path parameters
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


@pytest.fixture
def wsgi_app():
    """The Django application, with the test's database transaction kept open across requests (as Django's
    test client does: the request signals would otherwise close the connection)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK,
                                               "DEFAULT_THROTTLE_RATES": {"api": "100000/hour"}}):
            yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def run(operation, path_parameters, headers):
    """Run MAX_EXAMPLES generated cases of one operation; return how many were sent."""
    sent = []

    @given(case=operation.as_strategy(path_parameters=path_parameters or None))
    @hypothesis_settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                         phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def check(case):
        sent.append(case)
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()
    return len(sent)


def test_every_operation_conforms_to_the_schema(client, docs, wsgi_app):
    users = docs["users"]
    practice = docs["contract"].practice
    inspection = InspectionFactory(practice=practice, publication_date=datetime.date(2025, 10, 1),
                                   overall_rating="inadequate", breached_regulations=["Regulation 17"])
    real = {"ods_code": practice.ods_code, "id": docs["action"].pk, "reference": docs["contract"].reference}
    reader = {"Authorization": f"Token {Api(client, users[Role.NHSE_REPORTING]).key}"}  # the schema needs sign-in
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", wsgi_app, headers=reader)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 43  # 42 paths, GET each and PATCH /actions/{id}/

    cases = {}
    for role in (Role.NHSE_REPORTING, Role.PRACTICE_USER):
        token = {"Authorization": f"Token {Api(client, users[role]).key}"}
        for operation in operations:
            parameters = {name: value for name, value in real.items() if f"{{{name}}}" in operation.path}
            if operation.path == "/api/v1/inspections/{id}/":
                parameters = {"id": inspection.pk}
            for fixed in ([{}, parameters] if parameters else [{}]):
                cases[operation.label] = cases.get(operation.label, 0) + run(operation, fixed, token)
    total = sum(cases.values())
    print(f"\nschemathesis: {total} generated cases over {len(cases)} operations: {cases}")
    assert set(cases) == {operation.label for operation in operations}
    assert total >= 13 * 2 * 5
