"""The data returns' API operations against their own OpenAPI schema (schemathesis, as tests/api/test_api_schema.py
runs every operation), with returns submitted so that the list, a return and the roll-up have bodies to check."""

import pytest
import schemathesis

from core.roles import Role
from returns.return_services import data_return_submit
from returns.targets import deadlines_ensure

from ..api.test_api_schema import run, wsgi_app  # noqa: F401
from ..api_support import Api, fresh_throttle_cache  # noqa: F401
from .test_data_returns import _ready, national, regional

pytestmark = pytest.mark.django_db
PATHS = {"/api/v1/returns/data-returns/", "/api/v1/returns/data-returns/{id}/", "/api/v1/returns/rollup/"}


def test_the_data_returns_operations_conform_to_the_schema(client, world, wsgi_app):  # noqa: F811
    _ready(world)
    submitted = data_return_submit(region="Y62", deadline=deadlines_ensure(2026)[0], actor=regional(world))
    reader = {"Authorization": f"Token {Api(client, national(world)).key}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", wsgi_app, headers=reader)
    operations = [result.ok() for result in schema.get_all_operations() if result.ok().path in PATHS]
    assert {operation.path for operation in operations} == PATHS
    sent = 0
    for role in (Role.NHSE_REPORTING, Role.NHSE_REGIONAL, Role.PRACTICE_USER):
        token = {"Authorization": f"Token {Api(client, world['users'][role]).key}"}
        for operation in operations:
            fixed = [{}, {"id": submitted.pk}] if "{id}" in operation.path else [{}]
            for parameters in fixed:
                sent += run(operation, parameters, token)
    assert sent >= 3 * 4 * 5
