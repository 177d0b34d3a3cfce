"""The whole API against its own OpenAPI schema, with schemathesis.

Every operation is called with generated input, as a patient and as a therapist (each
with a care link, so link ids exist to hit); any 5xx, undocumented status or body that
breaks the schema fails. The test grows with every endpoint added to the schema.
"""

from __future__ import annotations

import os

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
ALL_CHECKS = CHECKS.get_all()

#: The suite's run is short and repeatable; ``make fuzz`` runs the same tests longer, with
#: fresh randomness, through these variables.
FUZZ = {
    "examples": int(os.environ.get("GOOD_ENOUGH_FUZZ_EXAMPLES", "15")),
    "stateful_examples": int(os.environ.get("GOOD_ENOUGH_FUZZ_STATEFUL", "10")),
    "fixed": "GOOD_ENOUGH_FUZZ_EXAMPLES" not in os.environ,
}


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
@settings(
    max_examples=FUZZ["examples"], deadline=None, suppress_health_check=list(HealthCheck), derandomize=FUZZ["fixed"]
)
def test_the_api_keeps_its_schema(case, callers):
    excluded = list(EXCLUDED)
    declared = {parameter.name for parameter in case.operation.query}
    if set(case.query or {}) - declared:
        # Unknown query parameters are ignored, as DRF does; schemathesis counts an unnamed
        # one (``?=false``) as invalid input that should have been refused.
        excluded += [check for check in CHECKS.get_all() if check.__name__ == "negative_data_rejection"]
    for headers in callers:
        case.call_and_validate(headers=headers, checks=ALL_CHECKS, excluded_checks=excluded)


def test_the_api_keeps_its_schema_across_sequences_of_calls(callers):
    """The stateful phase: chains of calls that feed one answer's ids into the next call
    (create a reflection, then read, change and delete it), as each role."""
    for caller in callers:
        machine = schema.as_state_machine()

        class AsCaller(machine):  # type: ignore[misc,valid-type]
            headers = caller

            def get_call_kwargs(self, case):
                return {"headers": self.headers}

            def validate_response(self, response, case, **kwargs):
                case.validate_response(response, checks=ALL_CHECKS, excluded_checks=EXCLUDED, headers=self.headers)

        AsCaller.run(
            settings=settings(
                max_examples=FUZZ["stateful_examples"],
                stateful_step_count=6,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                derandomize=FUZZ["fixed"],
            )
        )
