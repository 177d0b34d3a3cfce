"""Error plumbing shared by every app: all errors leave as drf-standardized-errors bodies.

The one place where the domain's errors (``core.exceptions``) and Django's
``ValidationError`` become HTTP statuses.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import kombu.exceptions
import redis.exceptions
from django import db
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
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


def outage_note(sender: object, *, request: HttpRequest | None = None, **kwargs: object) -> None:
    """Django's ``got_request_exception``, connected in ``CoreConfig.ready()``: the one door
    through which an outage becomes a 503 outside DRF's views.

    An exception raised in a middleware (the session loaded or saved, the lazy user, a lockout
    check) reaches no ``process_exception``: Django turns it into a 500 where it was raised and
    sends this signal, with the exception still being handled. Noting it on the request lets
    the outermost middleware of each part (``ApiResponseMiddleware`` for ``/api/``,
    ``dashboard.security.DashboardMiddleware`` for ``/app/``) answer that 500 as a 503. The
    500 travels outward in between, so the session middleware does not try to save the
    session again (it skips a 500).
    """
    exc = sys.exc_info()[1]
    if request is not None and exc is not None and is_outage(exc):
        # Django logs the 500 with its traceback, and then the 503 the client is given.
        request.outage = True  # type: ignore[attr-defined]  # read by outage_met


def outage_met(request: HttpRequest, response: HttpResponse) -> bool:
    """This 500 is Django's answer to an outage (``outage_note``), to be a 503 instead."""
    return response.status_code == 500 and getattr(request, "outage", False) is True


def service_unavailable() -> JsonResponse:
    """The API's 503, as DRF gives it for ``ServiceUnavailable``: the contract's body and ``Retry-After``."""
    response = error_response(503, ServiceUnavailable.default_code, str(ServiceUnavailable.default_detail))
    response["Retry-After"] = str(ServiceUnavailable.wait)
    return response


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "This object changed since you read it; fetch it again and retry."
    default_code = "precondition_failed"


def error_response(status_code: int, code: str, detail: str) -> JsonResponse:
    """The contract's error body, for answers given outside DRF (middleware, URL resolving)."""
    error_type = "server_error" if status_code >= 500 else "client_error"
    body = {"type": error_type, "errors": [{"code": code, "detail": detail, "attr": None}]}
    return JsonResponse(body, status=status_code)
