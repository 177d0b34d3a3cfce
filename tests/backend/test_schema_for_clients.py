"""The schema as client generators read it: names, statuses, headers and shapes.

Client teams feed ``/api/schema/`` to openapi-generator (Kotlin, Swift), openapi-typescript
and openapi-python-client. What these tests hold is what makes the generated code right:
stable operation ids, one error envelope, no defaults in a PATCH, typed sync changes, the
concurrency and throttling headers, and fields that are always sent marked ``required``.
tests/clients/ then runs a generated client against a live server.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

#: Operation ids are part of the contract: generated code calls them by these names, so a
#: rename breaks every client. Changing this table is a change to the contract.
OPERATION_IDS = {
    ("POST", "/api/v1/auth/register/"): "register",
    ("POST", "/api/v1/auth/token/"): "login",
    ("POST", "/api/v1/auth/token/refresh/"): "refreshToken",
    ("POST", "/api/v1/auth/logout/"): "logout",
    ("GET", "/api/v1/me/"): "getMe",
    ("PATCH", "/api/v1/me/"): "updateMe",
    ("DELETE", "/api/v1/me/"): "eraseAccount",
    ("GET", "/api/v1/me/export/"): "exportAccount",
    ("POST", "/api/v1/invites/"): "createInvite",
    ("GET", "/api/v1/care-links/"): "listCareLinks",
    ("POST", "/api/v1/care-links/"): "acceptInvite",
    ("GET", "/api/v1/care-links/{id}/"): "getCareLink",
    ("PATCH", "/api/v1/care-links/{id}/"): "updateCareLink",
    ("DELETE", "/api/v1/care-links/{id}/"): "endCareLink",
    ("GET", "/api/v1/commitments/"): "listCommitments",
    ("POST", "/api/v1/commitments/"): "createCommitment",
    ("GET", "/api/v1/commitments/{id}/"): "getCommitment",
    ("PATCH", "/api/v1/commitments/{id}/"): "updateCommitment",
    ("DELETE", "/api/v1/commitments/{id}/"): "deleteCommitment",
    ("POST", "/api/v1/commitments/{id}/confirm/"): "confirmCommitment",
    **{
        (method, f"/api/v1/{path}/{suffix}"): f"{verb}{many if verb == 'list' else one}"
        for path, one, many in (
            ("reflections", "Reflection", "Reflections"),
            ("pride-entries", "PrideEntry", "PrideEntries"),
            ("experiments", "Experiment", "Experiments"),
        )
        for method, suffix, verb in (
            ("GET", "", "list"),
            ("POST", "", "create"),
            ("GET", "{id}/", "get"),
            ("PUT", "{id}/", "upsert"),
            ("PATCH", "{id}/", "update"),
            ("DELETE", "{id}/", "delete"),
        )
    },
    ("GET", "/api/v1/sync/"): "listSyncChanges",
    ("GET", "/api/v1/progress/"): "getProgress",
    ("GET", "/api/v1/reminders/"): "listReminders",
    ("POST", "/api/v1/reminders/"): "createReminder",
    ("GET", "/api/v1/reminders/{id}/"): "getReminder",
    ("PATCH", "/api/v1/reminders/{id}/"): "updateReminder",
    ("DELETE", "/api/v1/reminders/{id}/"): "deleteReminder",
    ("GET", "/api/v1/reminders/settings/"): "getReminderSettings",
    ("PUT", "/api/v1/reminders/settings/"): "replaceReminderSettings",
    ("GET", "/api/v1/reminders/deliveries/"): "listDeliveries",
    ("GET", "/api/v1/devices/"): "listDevices",
    ("POST", "/api/v1/devices/"): "registerDevice",
    ("DELETE", "/api/v1/devices/{id}/"): "deleteDevice",
    ("GET", "/api/v1/patients/"): "listPatients",
    ("GET", "/api/v1/patients/{patient_id}/"): "getPatient",
    ("GET", "/api/v1/patients/{patient_id}/progress/"): "getPatientProgress",
    ("GET", "/api/v1/patients/{patient_id}/entries/"): "listPatientEntries",
    ("GET", "/api/v1/patients/{patient_id}/brief/"): "getPatientBrief",
    ("GET", "/api/v1/sessions/"): "listSessions",
    ("POST", "/api/v1/sessions/"): "createSession",
    ("GET", "/api/v1/sessions/{id}/"): "getSession",
    ("GET", "/api/v1/me/access-log/"): "listAccessLog",
}
TAGS = {"auth", "me", "care-links", "commitments", "journal", "sync", "progress", "reminders", "care"}
RECORDS = {
    "commitment": "Commitment",
    "reflection": "Reflection",
    "pride_entry": "PrideEntry",
    "experiment": "Experiment",
}
#: Names a generator renames or that clash with its own types (Swift's Foundation.Progress and
#: its ErrorResponse, Kotlin's Error, TypeScript's Date...).
CLASHING_NAMES = {"Error", "ErrorResponse", "Progress", "Data", "Date", "Type", "Result", "Response", "URL", "Object"}
#: Paths of the objects with a ``version``: their writes take If-Match, their answers an ETag.
VERSIONED = (
    "/care-links/{id}/",
    "/commitments/{id}/",
    "/reflections/{id}/",
    "/pride-entries/{id}/",
    "/experiments/{id}/",
    "/reminders/{id}/",
    "/reminders/settings/",  # one object per patient at a fixed address: versioned all the same
)


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]


def resolve(schema: dict[str, Any], ref: dict[str, Any]) -> dict[str, Any]:
    return schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


def body_ref(response: dict[str, Any]) -> str:
    return response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]


def test_every_operation_has_its_stable_id_a_tag_a_summary_and_a_description(schema) -> None:
    found = {(method, path): operation["operationId"] for method, path, operation in operations(schema)}
    assert found == OPERATION_IDS
    for method, path, operation in operations(schema):
        assert re.fullmatch(r"[a-z]+[A-Za-z]*", operation["operationId"])
        assert len(operation["tags"]) == 1, (method, path)
        assert operation["tags"][0] in TAGS
        assert operation["summary"].strip(), (method, path)
        assert "\n" not in operation["summary"]
        assert len(operation["description"]) > 20, (method, path)


def test_no_docstring_written_for_us_reaches_client_developers(schema) -> None:
    # Our docstrings use reST's double backticks; what is written for clients uses Markdown.
    assert "``" not in str(schema)


def test_every_error_answer_is_one_envelope_with_open_codes(schema) -> None:
    components = schema["components"]["schemas"]
    for method, path, operation in operations(schema):
        statuses = set(operation["responses"])
        assert not statuses & {"405", "406", "415", "500"}, (method, path)
        assert "503" in statuses
        for status, response in operation["responses"].items():
            if status >= "400":
                assert body_ref(response) == ("ConflictErrorBody" if status == "409" else "ErrorBody")
                assert response["description"].strip()
    item = components["ErrorItem"]["properties"]
    assert item["code"] == {"type": "string", "description": item["code"]["description"]}
    assert item["attr"]["type"] == "string"
    assert "enum" not in item["attr"]
    assert "enum" not in components["ErrorBody"]["properties"]["type"]
    assert components["ConflictErrorBody"]["required"] == ["type", "errors", "existing_id"]
    assert not [name for name in components if "ErrorResponse" in name or name.startswith("ErrorCode")]


def test_each_operation_lists_only_what_it_can_answer(schema) -> None:
    def statuses(method: str, path: str) -> set[str]:
        return set(schema["paths"][path][method.lower()]["responses"])

    assert statuses("GET", "/api/v1/me/") == {"200", "401", "503"}
    assert statuses("POST", "/api/v1/auth/register/") == {"201", "400", "413", "429", "503"}
    assert statuses("POST", "/api/v1/auth/token/") == {"200", "400", "401", "413", "429", "503"}
    assert statuses("GET", "/api/v1/reflections/{id}/") == {"200", "401", "403", "404", "503"}
    assert statuses("PUT", "/api/v1/reflections/{id}/") >= {"200", "201", "400", "404", "409", "412", "413"}
    assert statuses("PATCH", "/api/v1/commitments/{id}/") >= {"403", "412"}
    # Moving an entry onto a day or week already written is a 409; experiments have no slot.
    assert "409" in statuses("PATCH", "/api/v1/reflections/{id}/")
    assert "409" in statuses("PATCH", "/api/v1/pride-entries/{id}/")
    assert "409" not in statuses("POST", "/api/v1/experiments/")
    assert "409" not in statuses("PATCH", "/api/v1/commitments/{id}/")
    # Logging in takes no token: its 401 lists what a log-in gives, not a stale token's codes.
    login_401 = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]["401"]["description"]
    assert "`no_active_account`" in login_401
    assert "token_not_valid" not in login_401
    assert "413" not in statuses("GET", "/api/v1/sync/")
    assert "404" not in statuses("GET", "/api/v1/sync/")
    # The 400's description names the codes by field, so a client can map them to its form.
    description = schema["paths"]["/api/v1/reflections/"]["post"]["responses"]["400"]["description"]
    assert "- `date`: " in description
    assert "`future_date`" in description
    assert "`item_too_long`" not in description  # a pride entry's code, not a reflection's


def test_no_patch_carries_a_default_that_a_client_would_send(schema) -> None:
    patched = {name: c for name, c in schema["components"]["schemas"].items() if name.startswith("Patched")}
    assert "PatchedReflectionRequest" in patched
    for name, component in patched.items():
        assert not component.get("required"), name
        for field, property_schema in component["properties"].items():
            assert "default" not in property_schema, (name, field)
    # Where a default is meant (a create), it stays.
    assert "default" in schema["components"]["schemas"]["ReflectionRequest"]["properties"]["kind_words"]


def test_response_fields_the_server_always_sends_are_required(schema) -> None:
    # The ones client teams unwrapped by hand: always sent, so never optional in generated code.
    # (schemathesis checks every answer against these schemas, so a field marked required that
    # an answer lacks fails there.)
    always_sent = {
        "Reflection": {"date", "kind_words", "mood", "commitment", "shared", "version"},
        "PrideEntry": {"week", "items", "target", "met", "note"},
        "Experiment": {"status", "planned_for", "kind_words", "date"},
        "Commitment": {"status", "cadence", "target_count", "evidence", "session", "ends_on"},
        "PaginatedReflectionList": {"next", "previous", "results"},
        "ConflictErrorBody": {"existing_id"},
        "ErrorItem": {"attr"},
        "SyncPage": {"changes", "cursor", "has_more"},
        "ProgressWeek": {"week", "pride", "reflections", "mood_avg"},
    }
    components = schema["components"]["schemas"]
    for name, fields in always_sent.items():
        assert fields <= set(components[name]["required"]), name


def test_sync_changes_are_a_oneof_of_the_records_discriminated_by_type(schema) -> None:
    page = schema["components"]["schemas"]["SyncPage"]
    change = resolve(schema, page["properties"]["changes"]["items"])
    assert change["discriminator"]["propertyName"] == "type"
    assert set(change["discriminator"]["mapping"]) == set(RECORDS)
    for kind, record in RECORDS.items():
        variant = resolve(schema, {"$ref": change["discriminator"]["mapping"][kind]})
        assert {"$ref": change["discriminator"]["mapping"][kind]} in change["oneOf"]
        assert resolve(schema, variant["properties"]["type"])["enum"] == [kind]
        data = variant["properties"]["data"]
        assert data["nullable"] is True
        assert data["allOf"] == [{"$ref": f"#/components/schemas/{record}"}]


def test_erasure_takes_its_password_and_the_export_is_typed(schema) -> None:
    erase = schema["paths"]["/api/v1/me/"]["delete"]
    assert erase["requestBody"]["required"] is True
    body = resolve(schema, erase["requestBody"]["content"]["application/json"]["schema"])
    assert list(body["properties"]) == ["password"]
    export = schema["paths"]["/api/v1/me/export/"]["get"]["responses"]["200"]
    assert export["headers"]["Content-Disposition"]["required"] is True
    document = schema["components"]["schemas"][body_ref(export)]
    assert {"exported_at", "profile", "care_links", "invites", "journal"} <= set(document["properties"])
    journal = resolve(schema, document["properties"]["journal"]["allOf"][0])
    assert journal["properties"]["reflections"]["items"] == {"$ref": "#/components/schemas/Reflection"}


def test_concurrency_and_throttling_headers_are_declared(schema) -> None:
    for method, path, operation in operations(schema):
        versioned = path.endswith(VERSIONED) or path.endswith("/confirm/")
        header_names = {p["name"] for p in operation.get("parameters", ()) if p["in"] == "header"}
        if versioned and method in {"PUT", "PATCH", "DELETE", "POST"}:
            assert "If-Match" in header_names, (method, path)
            assert "412" in operation["responses"]
        else:
            assert "If-Match" not in header_names, (method, path)
        for status, response in operation["responses"].items():
            headers = response.get("headers", {})
            if status in {"429", "503"}:
                assert headers["Retry-After"]["schema"] == {"type": "integer"}
            if status in {"200", "201"} and versioned:
                assert headers["ETag"]["required"] is True, (method, path)
    # A created object carries its ETag too; a list does not.
    assert "ETag" in schema["paths"]["/api/v1/reflections/"]["post"]["responses"]["201"]["headers"]
    assert "headers" not in schema["paths"]["/api/v1/reflections/"]["get"]["responses"]["200"]


def test_names_generate_clean_code(schema) -> None:
    components = schema["components"]["schemas"]
    assert len(components) < 120
    assert not set(components) & CLASHING_NAMES
    assert all(re.fullmatch(r"[A-Z][A-Za-z0-9]*", name) for name in components)
    # Query parameters refer to the enums their fields use, and ids in paths are UUIDs.
    for method, path, operation in operations(schema):
        for parameter in operation.get("parameters", ()):
            assert "enum" not in parameter["schema"], (method, path, parameter["name"])
            if parameter["in"] == "path":
                assert parameter["schema"] == {"type": "string", "format": "uuid"}
    status = next(p for p in schema["paths"]["/api/v1/commitments/"]["get"]["parameters"] if p["name"] == "status")
    assert status["schema"] == {"$ref": "#/components/schemas/CommitmentStatusEnum"}
    week_bounds = [
        p["schema"]["pattern"]
        for p in schema["paths"]["/api/v1/pride-entries/"]["get"]["parameters"]
        if p["name"] in {"from", "to"}
    ]
    assert week_bounds == [components["PrideEntry"]["properties"]["week"]["pattern"]] * 2
    assert re.fullmatch(week_bounds[0], "2026-W48")
    assert not re.fullmatch(week_bounds[0], "2026-48")
