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
    ("POST", "/api/v1/auth/logout-everywhere/"): "logoutEverywhere",
    ("POST", "/api/v1/auth/password/change/"): "changePassword",
    ("POST", "/api/v1/auth/password/reset/"): "requestPasswordReset",
    ("POST", "/api/v1/auth/password/reset/confirm/"): "confirmPasswordReset",
    ("POST", "/api/v1/auth/web/token/"): "webLogin",
    ("POST", "/api/v1/auth/web/token/refresh/"): "webRefreshToken",
    ("POST", "/api/v1/auth/web/logout/"): "webLogout",
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
    ("GET", "/api/v1/devices/web-push/"): "getWebPushKey",
    ("GET", "/api/v1/crisis-resources/"): "getCrisisResources",
    ("GET", "/api/v1/check-ins/"): "listCheckIns",
    ("POST", "/api/v1/check-ins/"): "requestCheckIn",
    ("POST", "/api/v1/patients/{patient_id}/flags/{flag_id}/seen/"): "markFlagSeen",
    ("PUT", "/api/v1/patients/{patient_id}/next-session/"): "setNextSession",
    ("DELETE", "/api/v1/patients/{patient_id}/next-session/"): "clearNextSession",
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
    ("PATCH", "/api/v1/sessions/{id}/"): "updateSession",
    ("DELETE", "/api/v1/sessions/{id}/"): "deleteSession",
    ("GET", "/api/v1/me/access-log/"): "listAccessLog",
    ("GET", "/healthz"): "getHealth",
    ("GET", "/healthz/reminders"): "getRemindersHealth",
}
TAGS = {
    *(
        "health",
        "auth",
        "me",
        "care-links",
        "commitments",
        "journal",
        "sync",
        "progress",
        "reminders",
        "care",
        "safety",
    ),
}
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


def operations(schema: dict[str, Any], *, api_only: bool = False) -> list[tuple[str, str, dict[str, Any]]]:
    """Every operation; ``api_only`` leaves out the ``/healthz`` checks, whose 503s have bodies of their own."""
    return [
        (method.upper(), path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if path.startswith("/api/") or not api_only
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


def pascal(operation_id: str) -> str:
    return operation_id[0].upper() + operation_id[1:]


def error_codes_of(schema: dict[str, Any], method: str, path: str) -> list[str]:
    operation_id = schema["paths"][path][method.lower()]["operationId"]
    return schema["components"]["schemas"][f"{pascal(operation_id)}ErrorCode"]["enum"]


def test_every_error_answer_is_the_envelope_with_the_operations_codes_as_an_enum(schema) -> None:
    # Each operation's error body types `code` as the enum of the codes it gives, so a client
    # switches over `wrong_code` or `precondition_failed` instead of comparing strings.
    components = schema["components"]["schemas"]
    for method, path, operation in operations(schema, api_only=True):
        statuses = set(operation["responses"])
        assert not statuses & {"405", "500"}, (method, path)
        assert "503" in statuses
        name = pascal(operation["operationId"])
        for status, response in operation["responses"].items():
            if status >= "400":
                assert body_ref(response) == (f"{name}ConflictError" if status == "409" else f"{name}Error")
                assert response["description"].strip()
        body = components[f"{name}Error"]
        assert body["required"] == ["type", "errors"]
        item = resolve(schema, body["properties"]["errors"]["items"])
        assert item["required"] == ["code", "detail", "attr"]
        assert item["properties"]["code"] == {"$ref": f"#/components/schemas/{name}ErrorCode"}
        assert item["properties"]["attr"]["type"] == "string"
        assert "enum" not in item["properties"]["attr"]  # a field sent by mistake is named too
        codes = components[f"{name}ErrorCode"]
        assert codes["type"] == "string"
        assert codes["enum"] == sorted(set(codes["enum"]))
        assert "service_unavailable" in codes["enum"]
        for status in statuses - {"400", "401", "403", "409"}:
            if status >= "400":
                assert {
                    "404": "not_found",
                    "406": "not_acceptable",
                    "412": "precondition_failed",
                    "413": "request_too_large",
                    "415": "unsupported_media_type",
                    "429": "throttled",
                    "503": "service_unavailable",
                }[status] in codes["enum"], (method, path, status)
    login = error_codes_of(schema, "POST", "/api/v1/auth/token/")
    assert {"no_active_account", "code_required", "wrong_code", "locked_out", "throttled", "parse_error"} <= set(login)
    assert "token_not_valid" not in login
    update = error_codes_of(schema, "PATCH", "/api/v1/reflections/{id}/")
    assert {"future_date", "precondition_failed", "already_exists", "not_found", "max_length", "null"} <= set(update)
    assert "item_too_long" not in update  # a pride entry's code, not a reflection's
    assert "not_yours_to_change" in error_codes_of(schema, "PATCH", "/api/v1/commitments/{id}/")
    assert "wrong_password" in error_codes_of(schema, "DELETE", "/api/v1/me/")
    conflict = components["CreateReflectionConflictError"]
    assert conflict["required"] == ["type", "errors", "existing_id"]
    assert conflict["properties"]["errors"] == components["CreateReflectionError"]["properties"]["errors"]
    assert not [name for name in components if name in {"ErrorBody", "ErrorItem", "ConflictErrorBody"}]


def test_the_statuses_the_server_sends_are_declared(schema) -> None:
    for method, path, operation in operations(schema, api_only=True):
        statuses = set(operation["responses"])
        # Any Accept the server cannot answer is a 406; any body that is not JSON a 415.
        assert "406" in statuses, (method, path)
        assert ("415" in statuses) == ("requestBody" in operation), (method, path)
    assert "405" in schema["info"]["description"]  # a method a path does not have


@pytest.mark.parametrize(
    ("path", "operation_id", "component", "fields"),
    [
        ("/healthz", "getHealth", "Health", {"database", "broker", "last_dispatch_at", "dispatcher"}),
        (
            "/healthz/reminders",
            "getRemindersHealth",
            "RemindersHealth",
            {"database", "broker", "last_dispatch_at", "dispatcher", "workers"},
        ),
    ],
)
def test_both_health_checks_are_in_the_schema_with_their_503(schema, path, operation_id, component, fields) -> None:
    health = schema["paths"][path]["get"]
    assert health["operationId"] == operation_id
    assert health["security"] == []
    ok, down = health["responses"]["200"], health["responses"]["503"]
    assert body_ref(ok) == body_ref(down) == component
    assert down["headers"]["Retry-After"] == {
        "schema": {"type": "integer"},
        "required": True,
        "description": down["headers"]["Retry-After"]["description"],
    }
    body = schema["components"]["schemas"][component]
    assert fields <= set(body["required"])
    assert "down" in body["properties"]


def test_the_health_schema_says_when_the_dispatcher_is_late(schema) -> None:
    # From the constant, so the schema cannot keep an old threshold (it said five minutes once).
    for component in ("Health", "RemindersHealth"):
        assert (
            "no pass for 90 seconds"
            in schema["components"]["schemas"][component]["properties"]["dispatcher"]["description"]
        )


def test_the_brief_as_markdown_is_a_declared_parameter(schema) -> None:
    brief = schema["paths"]["/api/v1/patients/{patient_id}/brief/"]["get"]
    parameter = next(p for p in brief["parameters"] if p["name"] == "format")
    assert parameter["in"] == "query"
    assert resolve(schema, parameter["schema"])["enum"] == ["json", "md"]
    assert brief["responses"]["200"]["content"]["text/markdown"]["schema"] == {"type": "string"}
    for status, response in brief["responses"].items():
        if status >= "400":
            assert list(response["content"]) == ["application/json"]


def test_a_put_means_what_a_patch_means_for_an_id_that_exists(schema) -> None:
    for kind in ("Reflection", "PrideEntry", "Experiment"):
        path = next(p for p, m in schema["paths"].items() if m.get("put", {}).get("operationId") == f"upsert{kind}")
        description = schema["paths"][path]["put"]["description"]
        assert f"exactly as `update{kind}` does" in description
        assert "a field left out keeps its value" in description


def test_dates_and_zones_are_refused_by_the_schema_as_by_the_server(schema) -> None:
    components = schema["components"]["schemas"]
    dates = [
        (name, field, spec)
        for name, component in components.items()
        if name.endswith("Request")
        for field, spec in component.get("properties", {}).items()
        if spec.get("format") == "date"
    ]
    assert {("ReflectionRequest", "date"), ("PatchedExperimentRequest", "planned_for")} <= {d[:2] for d in dates}
    for name, field, spec in dates:
        assert "pattern" in spec, (name, field)
        assert re.fullmatch(spec["pattern"], "1900-01-01")
        assert re.fullmatch(spec["pattern"], "9999-12-31")
        assert not re.fullmatch(spec["pattern"], "1899-12-31")
        assert not re.fullmatch(spec["pattern"], "0999-12-31")
    for name in ("RegisterRequest", "PatchedUserRequest"):
        zone = components[name]["properties"]["timezone"]
        assert zone["maxLength"] == 64
        assert re.fullmatch(zone["pattern"], "America/Argentina/Buenos_Aires")
        assert re.fullmatch(zone["pattern"], "Etc/GMT+5")
        for not_a_zone in ("+05:00", "utc", "Europe/", "local time", ""):
            assert not re.fullmatch(zone["pattern"], not_a_zone), not_a_zone


def test_a_custom_commitment_needs_its_cadence_in_the_schema_too(schema) -> None:
    create = schema["components"]["schemas"]["CommitmentRequest"]
    # Every kind but `custom` has a usual cadence; `custom` without one is a 400.
    # OpenAPI 3.0 has no if/then: "not (custom and no cadence)", which generators leave alone.
    assert create["not"] == {"properties": {"kind": {"enum": ["custom"]}}, "not": {"required": ["cadence"]}}
    assert "kind" in create["required"]
    assert "not" not in schema["components"]["schemas"]["PatchedCommitmentUpdateRequest"]


def test_a_page_names_its_neighbours_cursors(schema) -> None:
    for name, component in schema["components"]["schemas"].items():
        if name.startswith("Paginated"):
            assert {"next", "previous", "next_cursor", "previous_cursor"} <= set(component["required"]), name
            assert component["properties"]["next_cursor"]["nullable"] is True


def test_each_operation_lists_only_what_it_can_answer(schema) -> None:
    def statuses(method: str, path: str) -> set[str]:
        return set(schema["paths"][path][method.lower()]["responses"])

    assert statuses("GET", "/api/v1/me/") == {"200", "401", "406", "503"}
    assert statuses("POST", "/api/v1/auth/register/") == {"201", "400", "406", "413", "415", "429", "503"}
    assert statuses("POST", "/api/v1/auth/token/") == {"200", "400", "401", "406", "413", "415", "429", "503"}
    # The web app's cookie doors: no access token taken, a cross-site call refused (403).
    web = {"400", "403", "406", "413", "415", "503"}
    assert statuses("POST", "/api/v1/auth/web/token/") == web | {"200", "401", "429"}
    assert statuses("POST", "/api/v1/auth/web/token/refresh/") == web | {"200", "401"}
    assert statuses("POST", "/api/v1/auth/web/logout/") == web | {"204"}
    assert statuses("GET", "/api/v1/reflections/{id}/") == {"200", "401", "403", "404", "406", "503"}
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


def test_no_request_carries_a_default_that_a_client_would_send(schema) -> None:
    # A generated client sends a field's default whenever it is unset: in a PATCH or a PUT of
    # an entry that exists, that replaces what the user wrote. The server fills in what a
    # create leaves out; the description says what.
    components = schema["components"]["schemas"]
    for name, component in components.items():
        if name.startswith("Patched"):
            assert not component.get("required"), name
        if name.endswith("Request"):
            for field, property_schema in component.get("properties", {}).items():
                assert "default" not in property_schema, (name, field)
    kind_words = components["ReflectionRequest"]["properties"]["kind_words"]
    assert "You're doing your best, and that's enough." in kind_words["description"]
    assert "`true`" in components["CareLinkAcceptRequest"]["properties"]["share_entries"]["description"]


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
        "CreateReflectionConflictError": {"existing_id"},
        "CreateReflectionErrorItem": {"attr"},
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
        versioned = path.endswith(VERSIONED) or path.endswith("{id}/confirm/")
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
    # Each operation has its error body, item and codes; the rest stays small (safety's flags,
    # check-ins and their empty request, an entry write's answer with its help block, the roster's
    # ?attention_now= took it from 119 to 130; the reminders' health check's body to 135).
    assert len([name for name in components if not re.search(r"(Conflict)?Error(Item|Code)?$", name)]) < 136
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


def test_a_nullable_field_a_request_may_leave_out_can_be_sent_as_null(schema) -> None:
    # Kotlin's and Swift's generators have one null for "unset" and "clear it": x-null-encodable
    # makes them generate a three-way type (Sendable, NullEncodable; make clients checks both).
    components = schema["components"]["schemas"]
    marked = {
        (name, field)
        for name, component in components.items()
        for field, spec in component.get("properties", {}).items()
        if spec.get("x-null-encodable")
    }
    assert {
        ("PatchedReflectionRequest", "mood"),
        ("PatchedReflectionRequest", "commitment"),
        ("PatchedExperimentRequest", "planned_for"),
        ("PatchedCommitmentUpdateRequest", "ends_on"),
        ("ReminderSettingsRequest", "paused_until"),
    } <= marked
    for name, field in marked:
        assert name.endswith("Request")
        assert components[name]["properties"][field]["nullable"] is True
        assert field not in components[name].get("required", ())
