"""OpenAPI: drf-standardized-errors' schema, plus the error statuses it does not know.

412 is documented on writes to versioned objects (``If-Match``), 409 on creates whose view
says a duplicate is possible (``may_conflict = True``), 403 on the actions a view names in
``refusable_actions`` (beside drf-standardized-errors' own for role permissions), 413 on every operation that takes a
body, 503 (database or broker unreachable, with ``Retry-After``) on every operation.
"""

from __future__ import annotations

from typing import Any

from drf_standardized_errors.openapi import AutoSchema as StandardAutoSchema
from rest_framework import serializers

from core.versioning import UNSAFE_METHODS, VersionedObjectMixin


class _ErrorSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class _ClientErrorResponse(serializers.Serializer[Any]):
    type = serializers.ChoiceField(choices=[("client_error", "Client Error")])
    errors = _ErrorSerializer(many=True)  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class


class ErrorResponse409Serializer(_ClientErrorResponse):
    existing_id = serializers.UUIDField(required=False, help_text="The object already in the way.")


class ErrorResponse412Serializer(_ClientErrorResponse):
    """The object changed since the ``If-Match`` version was read (``precondition_failed``)."""


class ErrorResponse403Serializer(_ClientErrorResponse):
    """403s: a role that never may use the endpoint (``permission_denied``), or an object the
    caller may see but not change (``not_yours_to_change``)."""


class ErrorResponse429Serializer(_ClientErrorResponse):
    """Too many attempts: ``throttled``, or ``locked_out`` after repeated failed log-ins;
    ``Retry-After`` says when to try again."""


class ErrorResponse413Serializer(_ClientErrorResponse):
    """The body is larger than the server accepts (``request_too_large``)."""


class ErrorResponse401Serializer(_ClientErrorResponse):
    """401s: no or bad access token, bad log-in, or a refresh token that no longer works."""


class ErrorResponse503Serializer(serializers.Serializer[Any]):
    """The database or the broker is briefly unreachable (``service_unavailable``): retry
    after the seconds in ``Retry-After``."""

    type = serializers.ChoiceField(choices=[("server_error", "Server Error")])
    errors = _ErrorSerializer(many=True)  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class


class AutoSchema(StandardAutoSchema):
    def _get_extra_validation_errors(self) -> dict[str, set[str]]:
        # Every paginated list refuses a page_size out of range (backend/pagination.py).
        extra = super()._get_extra_validation_errors()
        if self.method == "GET" and self._is_list_view():
            extra.setdefault("page_size", set()).add("invalid")
            extra.setdefault("cursor", set()).add("invalid_cursor")
        return extra

    def _should_add_validation_error_response(self) -> bool:
        # An action with no body can still refuse with a validation error (confirming a
        # commitment that is not proposed: ``not_proposed`` on ``status``).
        return super()._should_add_validation_error_response() or bool(self._get_extra_validation_errors())

    def _should_add_error_response(self, responses: dict[str, Any], status_code: str) -> bool:
        if status_code == "412":
            return (
                isinstance(self.view, VersionedObjectMixin)
                and self.method in UNSAFE_METHODS
                and (status_code not in responses)
            )
        if status_code == "409":
            return (
                getattr(self.view, "may_conflict", False)
                and self.method in {"POST", "PUT"}
                and (status_code not in responses)
            )
        if status_code == "403" and getattr(self.view, "action", None) in getattr(self.view, "refusable_actions", ()):
            return status_code not in responses
        if status_code == "413":
            return self.method in {"POST", "PUT", "PATCH", "DELETE"} and status_code not in responses
        if status_code == "503":
            return status_code not in responses
        return super()._should_add_error_response(responses, status_code)
