"""The API fuzzed against its own OpenAPI schema (schemathesis): no input gives a 5xx.

Every operation of /api/openapi.json is called with generated input, authenticated as a county
office user (who holds most capabilities). Examples per operation: LAOWU_FUZZ_EXAMPLES (default
15 in the suite; run with a few hundred by hand before a release).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from laowu.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
EXAMPLES = int(os.environ.get("LAOWU_FUZZ_EXAMPLES", "15"))


@pytest.fixture
def api_token(db, villages, make_user):
    # Like Django's test client: the request must not close the test's database connection.
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    from laowu.accounts.roles import Role
    from laowu.accounts.services import api_token_create

    user = make_user(role=Role.COUNTY_OFFICE, region="620723")
    yield api_token_create(user=user, name="fuzz")[1]
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_answers_5xx(case, api_token):
    response = case.call(headers={"Authorization": f"Bearer {api_token}"})
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:500])
