"""The whole API against its own OpenAPI schema, with schemathesis.

Every operation is called with generated input, as a patient and as a therapist (each
with a care link, so link ids exist to hit); any 5xx, undocumented status or body that
breaks the schema fails. The test grows with every endpoint added to the schema.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework_simplejwt.tokens import AccessToken
from schemathesis.checks import CHECKS

from backend.wsgi import application
from tests.factories import CareLinkFactory, PatientFactory, TherapistFactory

# Generating the schema needs Django's code, not the database: it loads at collection.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)

# Random input is rejected for reasons the schema cannot express (an invite code that does
# not exist, a password that is not the user's), so schema-valid input may get a 400.
EXCLUDED = [check for check in CHECKS.get_all() if check.__name__ == "positive_data_acceptance"]


@pytest.fixture(autouse=True)
def _keep_the_test_connection_open():
    """Schemathesis calls the WSGI app directly, not through Django's test client, so the
    connection would be closed at the end of each request, inside the test's transaction.
    Django's test client avoids that the same way: by disconnecting the closing receiver."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def callers(db) -> list[dict[str, str]]:
    """Auth headers of a linked patient and therapist: each case runs as both."""
    patient, therapist = PatientFactory(), TherapistFactory()
    CareLinkFactory(patient=patient, therapist=therapist)
    return [{"Authorization": f"Bearer {AccessToken.for_user(user)}"} for user in (patient, therapist)]


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_keeps_its_schema(case, callers):
    excluded = list(EXCLUDED)
    declared = {parameter.name for parameter in case.operation.query}
    if set(case.query or {}) - declared:
        # Unknown query parameters are ignored, as DRF does; schemathesis counts an unnamed
        # one (``?=false``) as invalid input that should have been refused.
        excluded += [check for check in CHECKS.get_all() if check.__name__ == "negative_data_rejection"]
    for headers in callers:
        case.call_and_validate(headers=headers, excluded_checks=excluded)
