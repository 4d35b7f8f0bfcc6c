"""schemathesis against the app's own OpenAPI schema (bounded examples): no 500s, every
response matches the documented status codes, content types and schemas.

Driven through schemathesis' Python API (each operation's hypothesis strategy), because its
pytest plugin does not run under pytest 9."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from plm.directory.actors import system_actor
from plm.directory.tokens import token_create
from tests.builders import make_user

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 30


@pytest.fixture
def in_process_requests(campus):  # type: ignore[no-untyped-def]
    # As Django's test client does: keep the test's connection (and transaction) open across
    # in-process requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_api_conforms_to_its_schema(in_process_requests) -> None:  # type: ignore[no-untyped-def]
    _, token = token_create(actor=system_actor(), user=make_user("fuzz", sysadmin=True))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def check(case) -> None:  # type: ignore[no-untyped-def]
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

        check()
