"""Error plumbing shared by every app: all errors leave as drf-standardized-errors bodies."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_standardized_errors.handler import ExceptionHandler as StandardExceptionHandler
from rest_framework import exceptions, serializers, status


class ExceptionHandler(StandardExceptionHandler):
    """Also turns Django's ``ValidationError`` into a 400.

    Services raise Django's ``ValidationError`` (they know nothing of HTTP, and management
    commands and tasks call them too); here it becomes the same body a serializer would give.
    """

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, DjangoValidationError):
            return exceptions.ValidationError(serializers.as_serializer_error(exc))
        return super().convert_known_exceptions(exc)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This conflicts with something that already exists."
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "This object changed since you read it; fetch it again and retry."
    default_code = "precondition_failed"
