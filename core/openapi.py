"""OpenAPI for client generators: one error envelope, only the statuses an operation gives.

The schema is what the phone and web teams feed to openapi-generator, openapi-typescript
and openapi-python-client, so it is shaped for the code they get:

- Every 4xx and the 503 share one envelope, ``ErrorBody`` (``ConflictErrorBody`` adds the
  ``existing_id`` a 409 always carries). ``code`` and ``attr`` are plain strings: a closed
  enum would make an app built today crash on a code added tomorrow. Each response's
  description lists the codes that operation is known to give, by ``attr``.
- An operation lists only what it can answer: 400 when it reads a body or a query, 401 when
  it needs a token, 403 where a role or an owner can refuse, 404 when the path names an
  object, 409 on ``may_conflict`` views, 412 on writes to versioned objects, 413 when it
  reads a body, 429 when it is throttled, 503 everywhere. No 405/406/415 boilerplate.
- Headers are declared: ``If-Match`` on writes to versioned objects, ``ETag`` on the
  answers that carry one, ``Retry-After`` on 429 and 503.
- A view names the extra codes it gives per status in ``error_codes`` (``{"403":
  ["not_yours_to_change"]}``), and the field codes of its 400s with ``extend_validation_errors``.
- Descriptions come from ``extend_schema`` only, never from docstrings, which are written
  for us and not for client developers (the schema test checks every operation has one).

The postprocessing hooks at the bottom fix what drf-spectacular leaves for generators: a
response field the server always sends is ``required``; a ``Patched*`` request carries no
``default`` (a generated client would send it and overwrite what the user wrote); an enum in
a query parameter is the ``$ref`` of its component.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import Direction, OpenApiParameter
from drf_standardized_errors.openapi import AutoSchema as StandardAutoSchema
from rest_framework import serializers

from core.serializers import UNKNOWN_FIELD, KnownFieldsOnly
from core.versioning import UUID_PATTERN, WRITE_METHODS, VersionedObjectMixin

#: The codes any operation may give for a status, whatever its fields.
KNOWN_CODES = {
    "401": ["not_authenticated", "authentication_failed", "token_not_valid", "user_not_found"],
    "403": ["permission_denied"],
    "404": ["not_found"],
    "409": ["already_exists"],
    "412": ["precondition_failed"],
    "413": ["request_too_large"],
    "429": ["throttled"],
    "503": ["service_unavailable"],
}

WHAT_IT_MEANS = {
    "400": "Bad input; nothing changed. `type` is `validation_error` (one item per problem, `attr` "
    "names the field or query parameter) or `client_error` with `parse_error` (the body is not "
    "acceptable JSON: a lone surrogate, a NUL, NaN, nesting deeper than 32).",
    "401": "No valid access token, or (logging in) the e-mail and password do not match.",
    "403": "The caller's role may never do this, or the object is one the caller may see but not change.",
    "404": "No such object among the caller's own (another user's answers the same).",
    "409": "The day, week or id is already taken; `existing_id` names the object in the way.",
    "412": "The object changed since the `If-Match` version was read; nothing changed. Read it again.",
    "413": "The body is larger than the server accepts.",
    "429": "Too many attempts; wait the seconds in `Retry-After`.",
    "503": "The database or the broker is briefly unreachable; retry after the seconds in `Retry-After`.",
}


class ErrorItemSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(
        help_text="Machine-readable, e.g. `required`, `future_date`, `already_exists`. The codes an "
        "operation is known to give are listed in its responses; treat an unknown one as its status."
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
        if status_code == "413":
            return self._takes_body()
        if status_code == "503":
            return True
        return super()._should_add_error_response(responses, status_code)

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
        codes = set(KNOWN_CODES.get(status_code, ()))
        if status_code == "401" and not self._should_add_http401_error_response():
            codes = set()  # no token taken (log in, refresh): only the view's own codes
        codes.update(getattr(self.view, "error_codes", {}).get(status_code, ()))
        return f"{text}\n\nKnown codes: {_code_list(codes)}." if codes else text

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


def no_defaults_in_patches(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A PATCH changes only what it sends, so its schema must not carry defaults: a client
    generated from one sends the default whenever the field is unset, replacing the user's
    own words (a PATCH of ``mood`` once reset ``kind_words``)."""
    for name, schema in _components(result).items():
        if name.startswith("Patched"):
            for field in schema.get("properties", {}).values():
                field.pop("default", None)
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
