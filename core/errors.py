"""Error plumbing shared by every app: all errors leave as drf-standardized-errors bodies.

The one place where the domain's errors (``core.exceptions``) and Django's
``ValidationError`` become HTTP statuses.
"""

from __future__ import annotations

import logging
from typing import Any

import kombu.exceptions
import redis.exceptions
from django import db
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from drf_standardized_errors.formatter import ExceptionFormatter as StandardExceptionFormatter
from drf_standardized_errors.handler import ExceptionHandler as StandardExceptionHandler
from drf_standardized_errors.types import ErrorResponse
from rest_framework import exceptions, serializers, status

from core import exceptions as domain

log = logging.getLogger(__name__)

#: What a lost connection to the database or Redis raises. An IntegrityError or a
#: ProgrammingError is a bug or a race, not an outage, and stays a 500 / is handled.
DATABASE_OUTAGES: tuple[type[BaseException], ...] = (db.OperationalError, db.InterfaceError)
OUTAGES: tuple[type[BaseException], ...] = (
    *DATABASE_OUTAGES,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    kombu.exceptions.OperationalError,
)


class ExceptionHandler(StandardExceptionHandler):
    """Maps the domain's errors, and Django's ``ValidationError``, to their HTTP statuses.

    Services know nothing of HTTP (management commands and tasks call them too); here what
    they raise becomes the same body a serializer or DRF itself would give.
    """

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, DjangoValidationError):
            return exceptions.ValidationError(serializers.as_serializer_error(exc))
        if isinstance(exc, domain.DomainError):
            return from_domain_error(exc)
        if is_outage(exc):
            log.warning("Answering 503: %s", exc)
            return ServiceUnavailable()
        if isinstance(exc, exceptions.AuthenticationFailed) and isinstance(exc.detail, dict):
            # simplejwt nests {detail, code[, messages]}, which would become an error per key.
            detail = exc.detail.get("detail", exc.default_detail)
            code = exc.detail.get("code", "authentication_failed")
            return exceptions.AuthenticationFailed(detail=str(detail), code=str(code))
        return super().convert_known_exceptions(exc)


def from_domain_error(exc: domain.DomainError) -> exceptions.APIException:
    if isinstance(exc, domain.NotFound):
        return exceptions.NotFound(exc.detail, exc.code)
    if isinstance(exc, domain.NotAllowed):
        return exceptions.PermissionDenied(exc.detail, exc.code)
    if isinstance(exc, domain.Conflict):
        return APIConflict(exc.detail, exc.code, attr=exc.attr, existing_id=exc.existing_id)
    if isinstance(exc, domain.StaleVersion):
        return PreconditionFailed(exc.detail, exc.code)
    if exc.attr is None:
        return exceptions.ValidationError([exc.detail], exc.code)
    return exceptions.ValidationError({exc.attr: [exc.detail]}, exc.code)


class APIConflict(exceptions.APIException):
    """409. ``attr`` names the field in conflict; ``existing_id`` the object already there."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "This conflicts with something that already exists."
    default_code = "conflict"

    def __init__(
        self,
        detail: str | None = None,
        code: str | None = None,
        *,
        attr: str | None = None,
        existing_id: str | None = None,
    ) -> None:
        super().__init__(detail, code)
        self.attr = attr
        self.existing_id = existing_id


class ExceptionFormatter(StandardExceptionFormatter):
    """The standard body, plus ``existing_id`` on a 409 so a client can go to what is there."""

    def format_error_response(self, error_response: ErrorResponse) -> Any:
        body = super().format_error_response(error_response)
        if isinstance(self.exc, APIConflict):
            body["errors"][0]["attr"] = self.exc.attr
            if self.exc.existing_id is not None:
                body["existing_id"] = self.exc.existing_id
        return body


class ServiceUnavailable(exceptions.APIException):
    """The database or the broker cannot be reached: a client should retry, not give up."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The service is briefly unavailable; try again in a moment."
    default_code = "service_unavailable"
    wait = 30  # seconds, sent as Retry-After


def is_outage(exc: BaseException) -> bool:
    """The database or Redis could not be reached (not: a query that was wrong)."""
    return isinstance(exc, OUTAGES)


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "This object changed since you read it; fetch it again and retry."
    default_code = "precondition_failed"


def error_response(status_code: int, code: str, detail: str) -> JsonResponse:
    """The contract's error body, for answers given outside DRF (middleware, URL resolving)."""
    error_type = "server_error" if status_code >= 500 else "client_error"
    body = {"type": error_type, "errors": [{"code": code, "detail": detail, "attr": None}]}
    return JsonResponse(body, status=status_code)
