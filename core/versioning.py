"""Optimistic concurrency for every mutable object: ``version``, ``ETag`` and ``If-Match``.

A client that read version 3 sends ``If-Match: "3"`` with its change; if someone else
changed the object since, the write answers 412 and changes nothing. Without ``If-Match``
the write goes through (the contract makes the header optional).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from rest_framework import mixins, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from core.concurrency import IfMatch, check_version, etag_for

if TYPE_CHECKING:
    from rest_framework.generics import GenericAPIView

    # What the mixin is mixed into, for the type checker; at run time it stands alone.
    _View = GenericAPIView[Any]
else:
    _View = object

UNSAFE_METHODS = {"PUT", "PATCH", "DELETE"}
#: Methods that write. A POST action on one object (``/commitments/{id}/confirm/``) locks it too.
WRITE_METHODS = UNSAFE_METHODS | {"POST"}
#: Ids in URLs are UUIDs; anything else cannot name an object and 404s before any query.
UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


def if_match(request: Request) -> IfMatch | None:
    return IfMatch.parse(request.headers.get("If-Match"))


class VersionedObjectMixin(_View):
    """For DRF generic views over a model with an integer ``version`` field.

    Writes run in one transaction with the row locked, so the ``If-Match`` check and the
    write see the same version even when two clients race.
    """

    def filter_queryset(self, queryset: Any) -> Any:
        queryset = super().filter_queryset(queryset)
        if self.request.method in WRITE_METHODS:
            # The one read that applies the caller's permissions also locks the row.
            queryset = queryset.select_for_update(of=("self",))
        return queryset

    def get_object(self) -> Any:
        obj = super().get_object()
        request: Request = self.request
        if request.method in WRITE_METHODS:
            check_version(if_match(request), obj.version)
        return obj

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.method in WRITE_METHODS:
            with transaction.atomic():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        if 200 <= response.status_code < 300 and isinstance(data, dict) and isinstance(data.get("version"), int):
            response["ETag"] = etag_for(data["version"])
        return response


class VersionedModelViewSet(
    VersionedObjectMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Any],
):
    """List, create, retrieve, update and delete objects with a ``version``, named by UUID.

    Anything but a UUID in the URL cannot name an object: a 404 before any query.
    """

    lookup_value_regex = UUID_PATTERN
