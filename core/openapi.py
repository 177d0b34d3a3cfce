"""OpenAPI for client generators: one error envelope, only the statuses an operation gives.

The schema is what the phone and web teams feed to openapi-generator, openapi-typescript
and openapi-python-client, so it is shaped for the code they get:

- Every 4xx and the 503 have one envelope, ``{type, errors: [{code, detail, attr}]}``, typed
  per operation: ``<Operation>Error`` whose items' ``code`` is ``<Operation>ErrorCode``, the
  enum of every code that operation gives (``<Operation>ConflictError`` adds the
  ``existing_id`` a 409 always carries). The codes come from declared places only: each
  status's ``KNOWN_CODES``, a view's ``error_codes``, and for a 400 the codes of the request
  serializer's fields and its own ``default_error_messages`` (drf-standardized-errors reads
  them) plus ``extend_validation_errors``. Generated enums keep a value added later (Kotlin's
  and Swift's ``unknownDefaultOpenApi``, the Python client's template in clients/templates).
  ``attr`` stays a string: a field sent by mistake is named there too.
- An operation lists only what it can answer: 400 when it reads a body or a query, 401 when
  it needs a token, 403 where a role or an owner can refuse, 404 when the path names an
  object, 406 everywhere (an ``Accept`` it cannot answer), 409 on ``may_conflict`` views, 412
  on writes to versioned objects, 413 and 415 when it reads a body, 429 when it is
  throttled, 503 everywhere. A 405 (a method the path does not have) belongs to no
  operation: the API's description says it.
- Headers are declared: ``If-Match`` on writes to versioned objects, ``ETag`` on the
  answers that carry one, ``Retry-After`` on 429 and 503.
- What the schema says of a view is written in its app's ``schema.py`` and put on the view
  with one decorator (``@schema.commitments``, built with ``documented``), so ``views.py``
  holds behaviour only: the ``extend_schema`` prose, the field codes of its 400s
  (``extend_validation_errors``) and the extra codes it gives per status (``error_codes``,
  ``{"403": ["not_yours_to_change"]}``). A number in that prose is formatted from the
  constant or setting that enforces it (``duration``, ``spelled``), never typed.
- Descriptions come from ``extend_schema`` only, never from docstrings, which are written
  for us and not for client developers (the schema test checks every operation has one).

The postprocessing hooks at the bottom fix what drf-spectacular leaves for generators: a
response field the server always sends is ``required``; no request carries a ``default`` (a
generated client would send it and overwrite what the user wrote: the server fills in what a
create leaves out, and a PUT or PATCH keeps it); an enum in a query parameter is the ``$ref``
of its component; the error bodies are typed per operation; a nullable field a request may
leave out is ``x-null-encodable``; ``/healthz``, a plain Django view, is added (core/schema.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.contrib.humanize.templatetags.humanize import apnumber
from django.utils import translation
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import force_instance, is_serializer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import Direction, OpenApiParameter
from drf_standardized_errors.openapi import AutoSchema as StandardAutoSchema
from drf_standardized_errors.openapi_utils import get_flat_serializer_fields, get_serializer_fields_with_error_codes
from rest_framework import serializers

from core.parsers import MAX_DEPTH
from core.serializers import UNKNOWN_FIELD, KnownFieldsOnly
from core.versioning import UUID_PATTERN, WRITE_METHODS, VersionedObjectMixin

#: The codes any operation may give for a status, whatever its fields.
KNOWN_CODES = {
    "401": ["not_authenticated", "authentication_failed", "token_not_valid", "user_not_found"],
    "403": ["permission_denied"],
    "404": ["not_found"],
    "406": ["not_acceptable"],
    "409": ["already_exists"],
    "412": ["precondition_failed"],
    "413": ["request_too_large"],
    "415": ["unsupported_media_type"],
    "429": ["throttled"],
    "503": ["service_unavailable"],
}

WHAT_IT_MEANS = {
    "400": "Bad input; nothing changed. `type` is `validation_error` (one item per problem, `attr` "
    "names the field or query parameter) or `client_error` with `parse_error` (the body is not "
    "acceptable JSON: a lone surrogate, a NUL, NaN, nesting deeper than "
    f"{MAX_DEPTH}).",
    "401": "No valid access token, or (logging in) the e-mail and password do not match.",
    "403": "The caller's role may never do this, or the object is one the caller may see but not change.",
    "404": "No such object among the caller's own (another user's answers the same).",
    "406": "The `Accept` header asks for a type this operation cannot give (JSON, or where offered Markdown).",
    "409": "The day, week or id is already taken; `existing_id` names the object in the way.",
    "412": "The object changed since the `If-Match` version was read; nothing changed. Read it again.",
    "413": "The body is larger than the server accepts.",
    "415": "The body is not `application/json`.",
    "429": "Too many attempts; wait the seconds in `Retry-After`.",
    "503": "The database or the broker is briefly unreachable; retry after the seconds in `Retry-After`.",
}


# --- writing an app's schema module (<app>/schema.py) ------------------------------------

View = TypeVar("View")


def documented(*decorators: Callable[[View], View], **attributes: object) -> Callable[[View], View]:
    """What the schema says of one view, written in its app's ``schema.py`` and put on the view
    with one decorator, so that ``views.py`` holds behaviour only.

    ``decorators`` (``extend_schema_view``, ``extend_validation_errors``...) apply as if stacked
    above the class in this order; ``attributes`` that ``AutoSchema`` reads (``error_codes``,
    ``may_not_find``, ``refusable_actions``, ``delete_takes_body``, a ``schema`` of its own) are set
    first, as if written in the class body.
    """

    def document(view: View) -> View:
        for name, value in attributes.items():
            setattr(view, name, value)
        for decorator in reversed(decorators):
            view = decorator(view)
        return view

    return document


def spelled(number: int) -> str:
    """``four`` for 4, ``14`` for 14: a number in prose, spelled out up to nine (AP style), in
    English whatever language is active, as the rest of the schema is."""
    with translation.override("en"):
        return str(apnumber(number))


_UNITS = (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))


def duration(span: timedelta, *, spell: bool = False) -> str:
    """``15 minutes``, ``30 days``, ``two hours`` (``spell``): a span in its largest whole unit."""
    seconds = int(span.total_seconds())
    unit, size = next((unit, size) for unit, size in _UNITS if seconds % size == 0)
    count = seconds // size
    return f"{spelled(count) if spell else count} {unit}{'' if count == 1 else 's'}"


def per(window: timedelta) -> str:
    """``hour`` for an hour, ``2 hours`` for two: what a rate is counted over (``... per hour``)."""
    return duration(window).removeprefix("1 ")


# --- patterns the server holds too (core/input.py refuses years before FIRST_YEAR, 1900) ------

#: A year from 1900 to 9999 in ASCII digits: `format: date` alone would let a client send 0999.
YEAR_FROM_1900 = "(19|[2-9][0-9])[0-9]{2}"
DATE_PATTERN = f"^{YEAR_FROM_1900}-[0-9]{{2}}-[0-9]{{2}}$"
WEEK_PATTERN = f"^{YEAR_FROM_1900}-W[0-9]{{2}}$"
#: What every IANA zone name looks like (``Europe/London``, ``America/Argentina/Buenos_Aires``,
#: ``Etc/GMT+5``, ``UTC``), and no offset (``+05:00``) or lower-case word is. The server checks
#: the name against the zone database; an enum of its 600 names would give generators clashing
#: constant names (``GMT+0``, ``GMT-0``, ``GMT0``).
ZONE_PATTERN = "^[A-Z][A-Za-z0-9_+-]*(/[A-Z][A-Za-z0-9_+-]*)*$"


class DateFrom1900(OpenApiSerializerFieldExtension):
    target_class = "core.fields.DateField"

    def map_serializer_field(self, auto_schema: Any, direction: Direction) -> dict[str, Any]:
        return {"type": "string", "format": "date", "pattern": DATE_PATTERN}


class ZoneName(OpenApiSerializerFieldExtension):
    target_class = "accounts.serializers.TimezoneField"

    def map_serializer_field(self, auto_schema: Any, direction: Direction) -> dict[str, Any]:
        return {"type": "string", "pattern": ZONE_PATTERN, "example": "Europe/London"}


#: The key under which ``AutoSchema`` hands each error response's codes to ``typed_error_codes``.
ERROR_CODES_KEY = "x-error-codes"


class ErrorItemSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(
        help_text="Machine-readable, e.g. `required`, `future_date`, `already_exists`: one of the operation's "
        "codes. Treat one your client does not know as its status."
    )
    detail = serializers.CharField(help_text="A sentence for people; may change.")
    attr = serializers.CharField(
        allow_null=True, help_text="The field or query parameter at fault (`items.2` inside a list), or null."
    )


class ErrorBodySerializer(serializers.Serializer[Any]):
    client_description = "The body of every 4xx and 503 answer."

    type = serializers.CharField(help_text="`validation_error`, `client_error` or `server_error`.")
    errors = ErrorItemSerializer(many=True)  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class


class ConflictErrorBodySerializer(ErrorBodySerializer):
    client_description = "The body of a 409: what `ErrorBody` says, and the id of the object already there."

    existing_id = serializers.UUIDField(help_text="The object already in the way: fetch or update it instead.")


def _code_list(codes: list[str] | set[str]) -> str:
    return ", ".join(f"`{code}`" for code in sorted(codes))


class AutoSchema(StandardAutoSchema):
    def _takes_body(self) -> bool:
        """A ``DELETE`` reads a body only where the view says so (``DELETE /me/`` asks for the password)."""
        if self.method == "DELETE":
            return getattr(self.view, "delete_takes_body", False)
        return self.method in {"POST", "PUT", "PATCH"} and self.get_request_serializer() is not None

    def _names_an_object(self) -> bool:
        return "{" in self.path  # a path parameter: ``/commitments/{id}/``

    def _is_versioned_write(self) -> bool:
        # A POST action on one object (``confirmCommitment``) checks ``If-Match`` too.
        return isinstance(self.view, VersionedObjectMixin) and self.method in WRITE_METHODS and self._names_an_object()

    # --- descriptions: from extend_schema only ------------------------------------------

    def get_description(self) -> str:  # type: ignore[override]
        return ""

    def get_auth(self) -> list[dict[str, Any]]:
        # drf-spectacular writes ``security: [{}]`` for an endpoint that takes no token at all
        # (register); generators read any ``security`` as "needs a token". Say nothing instead.
        auths: list[dict[str, Any]] = super().get_auth()
        return auths if any(auths) else []

    def _map_basic_serializer(self, serializer: Any, direction: Direction) -> dict[str, Any]:
        # A serializer's docstring (its parents' too) is for us; ``client_description`` is for them.
        schema: dict[str, Any] = super()._map_basic_serializer(serializer, direction)
        schema.pop("description", None)
        if description := getattr(serializer, "client_description", ""):
            schema["description"] = description
        if direction == "request" and isinstance(serializer, KnownFieldsOnly):
            schema["additionalProperties"] = False  # any other key is a 400 unknown_field
        return schema

    # --- request body and headers -------------------------------------------------------

    def _get_request_body(self, direction: Direction = "request") -> Any:
        if self.method != "DELETE" or not self._takes_body():
            return super()._get_request_body(direction)
        self.method = "POST"  # drf-spectacular maps bodies for POST/PUT/PATCH only
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self._is_versioned_write():
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    description='The `ETag` of the version the client read, e.g. `"3"`. If the object has '
                    "changed since, the write answers 412 and changes nothing. Without it the write goes through.",
                )
            )
        return parameters

    def _get_response_headers_for_code(self, status_code: str, direction: Direction = "response") -> dict[str, Any]:
        headers = super()._get_response_headers_for_code(status_code, direction)
        if status_code in {"429", "503"}:
            headers["Retry-After"] = {
                "schema": {"type": "integer"},
                "required": True,
                "description": "Seconds to wait before trying again.",
            }
        if status_code in {"200", "201"} and self._answers_one_versioned_object():
            headers["ETag"] = {
                "schema": {"type": "string"},
                "required": True,
                "description": 'The object\'s `version` as an entity tag, e.g. `"3"`: send it back as `If-Match`.',
            }
        return headers

    def _answers_one_versioned_object(self) -> bool:
        return isinstance(self.view, VersionedObjectMixin) and not self._is_list_view()

    # --- error responses ------------------------------------------------------------------

    def _get_response_bodies(self, direction: Direction = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction == "response":
            for status_code, response in responses.items():
                if status_code >= "400":
                    response["description"] = self._error_description(status_code)
                    # Read and removed by ``typed_error_codes``, which builds the operation's enum.
                    response[ERROR_CODES_KEY] = sorted(self._error_codes(status_code))
        return responses

    def _get_error_response_serializer(self, status_code: str) -> Any:
        return ConflictErrorBodySerializer if status_code == "409" else ErrorBodySerializer

    def _get_error_response_examples(self) -> list[Any]:
        return []  # drf-standardized-errors' examples are of its per-status bodies, not ours

    def _should_add_error_response(self, responses: dict[str, Any], status_code: str) -> bool:
        if status_code in responses:
            return False
        if status_code == "400":
            return self._takes_body() or self._should_add_validation_error_response()
        if status_code == "404":
            # ``may_not_find``: actions (viewsets) or methods (plain views) whose query or body
            # names an object (a patient) may 404 too.
            may_not_find = getattr(self.view, "may_not_find", ())
            return (
                self._names_an_object()
                or getattr(self.view, "action", None) in may_not_find
                or self.method.lower() in may_not_find
            )
        if status_code == "409":
            # A PATCH that moves an entry onto a day or week already written conflicts too.
            return getattr(self.view, "may_conflict", False) and self.method in {"POST", "PUT", "PATCH"}
        if status_code == "403" and getattr(self.view, "action", None) in getattr(self.view, "refusable_actions", ()):
            return True
        if status_code == "412":
            return self._is_versioned_write()
        if status_code in {"413", "415"}:
            return self._takes_body()
        if status_code == "406":
            return True  # any operation, asked with an Accept it cannot answer
        if status_code == "503":
            return True
        return super()._should_add_error_response(responses, status_code)

    def _determine_fields_with_error_codes(self) -> list[Any]:
        # A query read by a serializer (``parameters=[BriefQuerySerializer]``) refuses with its
        # fields' codes, as a body does; drf-standardized-errors reads only filter forms there.
        fields: list[Any] = super()._determine_fields_with_error_codes()
        if self.method not in {"POST", "PUT", "PATCH"}:
            for parameter in self.get_override_parameters():
                if is_serializer(parameter):
                    flat = get_flat_serializer_fields(force_instance(parameter))
                    fields += get_serializer_fields_with_error_codes(flat)
        return fields

    def _should_add_validation_error_response(self) -> bool:
        # An action with no body can still refuse with a validation error (confirming a
        # commitment that is not proposed: ``not_proposed`` on ``status``).
        return super()._should_add_validation_error_response() or bool(self._get_extra_validation_errors())

    def _get_extra_validation_errors(self) -> dict[str, set[str]]:
        # Every paginated list refuses a page_size out of range and a cursor it did not give.
        extra = super()._get_extra_validation_errors()
        if self.method == "GET" and self._is_list_view() and self._get_paginator():
            extra.setdefault("page_size", set()).add("invalid")
            extra.setdefault("cursor", set()).add("invalid_cursor")
        return extra

    def _error_description(self, status_code: str) -> str:
        text = WHAT_IT_MEANS.get(status_code, "")
        if status_code == "400":
            by_attr = self._validation_codes_by_attr()
            lines = [f"- `{attr}`: {_code_list(found)}" for attr, found in sorted(by_attr.items())]
            if self._refuses_unknown_fields():
                lines.append(f"- any field the request schema does not list: `{UNKNOWN_FIELD}`")
            if lines:
                text += "\n\nKnown codes by `attr`:\n" + "\n".join(lines)
            return text
        codes = self._error_codes(status_code)
        return f"{text}\n\nKnown codes: {_code_list(codes)}." if codes else text

    def _error_codes(self, status_code: str) -> set[str]:
        """Every code this operation gives with ``status_code``, from the declared places only."""
        if status_code == "400":
            codes = set().union(*self._validation_codes_by_attr().values())
            if self._takes_body():
                codes.add("parse_error")  # type client_error: not JSON the parser accepts
            if self._refuses_unknown_fields():
                codes.add(UNKNOWN_FIELD)
            return codes
        codes = set(KNOWN_CODES.get(status_code, ()))
        if status_code == "401" and not self._should_add_http401_error_response():
            codes = set()  # no token taken (log in, refresh): only the view's own codes
        codes.update(getattr(self.view, "error_codes", {}).get(status_code, ()))
        return codes

    def _refuses_unknown_fields(self) -> bool:
        serializer = self.get_request_serializer() if self._takes_body() else None
        kind = serializer if isinstance(serializer, type) else type(serializer)
        return issubclass(kind, KnownFieldsOnly)

    def _validation_codes_by_attr(self) -> dict[str, set[str]]:
        if not self._should_add_validation_error_response():
            return {}
        if self.method == "DELETE":  # only the codes the view declares: the base maps no DELETE body
            return {attr: set(codes) for attr, codes in self._get_extra_validation_errors().items()}
        fields = self._determine_fields_with_error_codes()
        return {attr: set(codes) for attr, codes in self._get_validation_error_codes_by_field(fields).items()}


# --- postprocessing hooks (settings.SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]) ------------


def _components(result: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = result.get("components", {}).get("schemas", {})
    return schemas


def require_what_is_always_sent(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A response object's fields are all ``required``: DRF always sends every field (null
    where there is nothing), so a generated client should not make each one optional."""
    for name, schema in _components(result).items():
        if name.endswith("Request") or "properties" not in schema:
            continue
        schema["required"] = list(schema["properties"])
    return result


def no_defaults_in_requests(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """No request body carries a ``default``: a client generated from one sends the default
    whenever the field is unset, and a PATCH or a PUT of an entry that exists then replaces
    the user's own words (a PATCH of ``mood`` once reset ``kind_words``). The server fills in
    what a create leaves out; the field's description says what, where it does not already."""
    for name, schema in _components(result).items():
        if not name.endswith("Request"):
            continue
        for field in schema.get("properties", {}).values():
            if "default" not in field:
                continue
            default = field.pop("default")
            description = field.get("description", "")
            if "default" not in description.lower():
                said = json.dumps(default)
                field["description"] = f"{description} Left out when creating: `{said}`.".strip()
    return result


def typed_error_codes(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Each operation's error answers refer to ``<Operation>Error``, whose items' ``code`` is
    ``<Operation>ErrorCode``: the enum of the codes ``AutoSchema`` found for its statuses. A
    409 refers to ``<Operation>ConflictError``, the same with ``existing_id``."""
    schemas = _components(result)
    body, item, conflict = schemas.pop("ErrorBody"), schemas.pop("ErrorItem"), schemas.pop("ConflictErrorBody")
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            errors = {status: r for status, r in operation.get("responses", {}).items() if ERROR_CODES_KEY in r}
            if not errors:
                continue
            name = operation["operationId"][0].upper() + operation["operationId"][1:]
            codes: set[str] = set().union(*(response.pop(ERROR_CODES_KEY) for response in errors.values()))
            schemas[f"{name}ErrorCode"] = {
                "type": "string",
                "enum": sorted(codes),
                "description": f"The codes `{operation['operationId']}` gives. A code added later may reach a client "
                "built before it: treat it as its status.",
            }
            schemas[f"{name}ErrorItem"] = {
                **item,
                "properties": {**item["properties"], "code": {"$ref": f"#/components/schemas/{name}ErrorCode"}},
                "required": ["code", "detail", "attr"],
            }
            errors_property = {"type": "array", "items": {"$ref": f"#/components/schemas/{name}ErrorItem"}}
            schemas[f"{name}Error"] = {
                **body,
                "properties": {**body["properties"], "errors": errors_property},
                "required": ["type", "errors"],
            }
            if "409" in errors:
                schemas[f"{name}ConflictError"] = {
                    **conflict,
                    "properties": {**conflict["properties"], "errors": errors_property},
                    "required": ["type", "errors", "existing_id"],
                }
            for status, response in errors.items():
                target = f"{name}ConflictError" if status == "409" else f"{name}Error"
                response["content"] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{target}"}}}
    result["components"]["schemas"] = dict(sorted(schemas.items()))
    return result


def enums_by_reference(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A query parameter whose values are an enum component's refers to that component, so a
    generator makes one type for the field and the filter, not two."""
    enums = {
        tuple(sorted(map(str, schema["enum"]))): name
        for name, schema in _components(result).items()
        if "enum" in schema and schema.get("type") == "string"
    }
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if name := parameter.pop("x-enum-name", None):
                    # A parameter's own enum, named by its view (``?format=`` of the brief).
                    _components(result)[name] = {"type": "string", "enum": schema["enum"]}
                    enums[tuple(sorted(map(str, schema["enum"])))] = name
                # A repeatable parameter (``?type=a&type=b``) is an array of the enum.
                holder = schema["items"] if schema.get("type") == "array" and "items" in schema else parameter
                values = holder.get("schema", holder).get("enum") if holder is parameter else holder.get("enum")
                name = enums.get(tuple(sorted(map(str, values)))) if values else None
                if name:
                    if holder is parameter:
                        parameter["schema"] = {"$ref": f"#/components/schemas/{name}"}
                    else:
                        schema["items"] = {"$ref": f"#/components/schemas/{name}"}
                    if parameter.get("description", "").startswith("* `"):  # the enum's values, again
                        del parameter["description"]
    return result


def uuids_in_paths(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """``{id}`` in a path is a UUID (``lookup_value_regex``): say ``format: uuid``, not the regex,
    so a generated client takes a UUID there, as it gets one in every ``id`` field."""
    uuid_pattern = f"^{UUID_PATTERN}$"
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["schema"].get("pattern") == uuid_pattern:
                    parameter["schema"] = {"type": "string", "format": "uuid"}
    return result


def nulls_that_clear(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A nullable field a request may leave out is ``x-null-encodable``: sending ``null`` clears
    it, leaving it out keeps it, and a client must be able to say which. Swift's generator makes
    it a ``NullEncodable`` (clients/templates/swift: left out unless set), Kotlin's a ``Sendable``
    (clients/templates/kotlin); Python's ``UNSET`` and TypeScript's absent key already tell them apart."""
    for name, schema in _components(result).items():
        if not name.endswith("Request"):
            continue
        required = set(schema.get("required", ()))
        for field, spec in schema.get("properties", {}).items():
            if spec.get("nullable") and field not in required and spec.get("type") != "array":
                spec["x-null-encodable"] = True
    return result
