"""The whole API against its own OpenAPI schema, with schemathesis.

Every operation is called with generated input, as a patient and as a therapist (each
with a care link, so link ids exist to hit); any 5xx, undocumented status or body that
breaks the schema fails. The test grows with every endpoint added to the schema.
"""

from __future__ import annotations

import os
import time

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis.errors import FlakyStrategyDefinition
from rest_framework_simplejwt.tokens import AccessToken
from schemathesis.checks import CHECKS

from backend.wsgi import application
from tests.factories import CareLinkFactory, PatientFactory, TherapistFactory

# Generating the schema needs Django's code, not the database: it loads at collection.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
# A NUL is valid JSON but not text: the API refuses it (tests/core/test_hostile_input.py), and
# no JSON Schema keyword can say so, so valid data is generated without it.
schema.config.generation.update(allow_x00=False)

ALL_CHECKS = CHECKS.get_all()
(POSITIVE_DATA_ACCEPTANCE,) = [check for check in ALL_CHECKS if check.__name__ == "positive_data_acceptance"]
(NEGATIVE_DATA_REJECTION,) = [check for check in ALL_CHECKS if check.__name__ == "negative_data_rejection"]
(NOT_A_SERVER_ERROR,) = [check for check in ALL_CHECKS if check.__name__ == "not_a_server_error"]
#: Operations whose documented 503 is their answer here; every other check (its body, its
#: headers) still runs.
ANSWERS_503 = {"GET /healthz/reminders": "no Celery worker runs beside the suite, and its 503 says so"}
#: Operations that rightly refuse some schema-valid input, for a reason no schema can say.
#: Only there is "valid data must be accepted" not checked; every other check still runs.
REFUSES_VALID_INPUT = {
    "POST /api/v1/auth/register/": "Django's password validators (too common, too like the name)",
    "POST /api/v1/auth/token/": "an e-mail and password that belong to nobody",
    "POST /api/v1/auth/logout/": "a refresh token the server never issued",
    "POST /api/v1/care-links/": "an invite code nobody was given",
    "PATCH /api/v1/me/": "a zone is one of ~600 IANA names, too many for an enum",
    "GET /api/v1/crisis-resources/": "?timezone= is one of ~600 IANA names, too many for an enum",
    "DELETE /api/v1/me/": "a password that is not the user's",
    "POST /api/v1/auth/password/change/": "a current password that is not the user's, a new one the validators refuse",
    "POST /api/v1/auth/password/reset/confirm/": "a reset link the server never sent",
    "POST /api/v1/commitments/": "a patient id that is not the caller or a linked patient",
    "POST /api/v1/commitments/{id}/confirm/": "a commitment that is no longer proposed (its state, not the call)",
    "POST /api/v1/reminders/": "a commitment id that does not exist",
    "PATCH /api/v1/reminders/{id}/": "a commitment id that does not exist",
    "PUT /api/v1/reminders/settings/": "quiet hours come both or neither, and do not start and end at one minute",
    "POST /api/v1/devices/": "a web token must be a Push API subscription as JSON (an https endpoint and keys)",
    "POST /api/v1/sessions/": "a transcript with no `Speaker: text` turn, or a day not yet come",
    "GET /api/v1/patients/{patient_id}/brief/": "a day not yet come in the patient's zone",
    "GET /api/v1/patients/{patient_id}/entries/": "a week 53 of a year that has 52",
    **{
        f"{method} /api/v1/{kind}/{suffix}": "a commitment id that does not exist, or a day not yet come"
        for kind in ("reflections", "pride-entries", "experiments")
        for method, suffix in (("GET", ""), ("POST", ""), ("PUT", "{id}/"), ("PATCH", "{id}/"))
    },
}

#: The suite's run is short and repeatable; ``make fuzz`` runs the same tests longer, with
#: fresh randomness, through these variables.
FUZZ = {
    "examples": int(os.environ.get("GOOD_ENOUGH_FUZZ_EXAMPLES", "15")),
    "stateful_examples": int(os.environ.get("GOOD_ENOUGH_FUZZ_STATEFUL", "10")),
    "fixed": "GOOD_ENOUGH_FUZZ_EXAMPLES" not in os.environ,
    # A time budget for the whole run: operations reached after it are skipped, not failed.
    "until": time.monotonic() + 60 * float(os.environ.get("GOOD_ENOUGH_FUZZ_MINUTES") or "inf"),
}


def excluded_for(case) -> list:
    """The checks not run for this case.

    Valid data may be refused by the operations in REFUSES_VALID_INPUT, by any list sent a
    ``?cursor=`` (opaque: only one the server handed out is accepted), and by any write sent an
    ``If-Match`` (only the version the object has now is accepted: 412 otherwise). Unknown query
    parameters are ignored, as DRF does; schemathesis counts an unnamed one (``?=false``) as
    invalid input that should have been refused. The operations in ANSWERS_503 answer 503 by
    design here.
    """
    excluded = []
    if (
        case.operation.label in REFUSES_VALID_INPUT
        or "cursor" in (case.query or {})
        or "If-Match" in (case.headers or {})
    ):
        excluded.append(POSITIVE_DATA_ACCEPTANCE)
    if set(case.query or {}) - {parameter.name for parameter in case.operation.query}:
        excluded.append(NEGATIVE_DATA_REJECTION)
    if case.operation.label in ANSWERS_503:
        excluded.append(NOT_A_SERVER_ERROR)
    return excluded


#: What a run did, reported at its end (``make fuzz`` prints it): calls and operations.
FIGURES = {"calls": 0, "operations": set()}


@pytest.fixture(scope="module", autouse=True)
def _report_figures(request):
    yield
    if FIGURES["calls"]:
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        reporter.write_line(
            f"schemathesis: {FIGURES['calls']} calls over {len(FIGURES['operations'])} operations, every check, "
            f"{FUZZ['examples']} examples per operation and phase, {FUZZ['stateful_examples']} stateful runs per role"
        )


def within_budget() -> None:
    if time.monotonic() > FUZZ["until"]:
        pytest.skip("make fuzz: the time given is spent")


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


def test_the_api_keeps_its_schema_across_sequences_of_calls(callers):
    """The stateful phase: chains of calls that feed one answer's ids into the next call
    (create a reflection, then read, change and delete it), as each role."""
    within_budget()
    for caller in callers:
        machine = schema.as_state_machine()

        class AsCaller(machine):  # type: ignore[misc,valid-type]
            headers = caller

            def get_call_kwargs(self, case):
                return {"headers": self.headers}

            def validate_response(self, response, case, **kwargs):
                FIGURES["calls"] += 1
                FIGURES["operations"].add(case.operation.label)
                case.validate_response(
                    response, checks=ALL_CHECKS, excluded_checks=excluded_for(case), headers=self.headers
                )

        try:
            run_machine(AsCaller)
        except FlakyStrategyDefinition:
            # Seen only in ``make fuzz``'s random runs: the state machine learns values from
            # earlier answers, so Hypothesis cannot always replay a run it wants to shrink.
            # That is the generator's limit, not an answer of ours; the suite's fixed run has none.
            if FUZZ["fixed"]:
                raise
            pytest.skip("make fuzz: Hypothesis could not replay a stateful run")


def run_machine(machine) -> None:
    machine.run(
        settings=settings(
            max_examples=FUZZ["stateful_examples"],
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=FUZZ["fixed"],
        )
    )


@schema.parametrize()
@settings(
    max_examples=FUZZ["examples"], deadline=None, suppress_health_check=list(HealthCheck), derandomize=FUZZ["fixed"]
)
def test_the_api_keeps_its_schema(case, callers):
    within_budget()
    excluded = excluded_for(case)
    for headers in callers:
        case.call_and_validate(headers=headers, checks=ALL_CHECKS, excluded_checks=excluded)
        FIGURES["calls"] += 1
        FIGURES["operations"].add(case.operation.label)
