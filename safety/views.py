from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.cache import patch_cache_control
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import IsPatient, signed_in_user
from accounts.selectors import therapists_linked
from core.pagination import CursorPagination
from safety import schema, services
from safety.models import Flag
from safety.selectors import crisis_answer
from safety.serializers import (
    CheckInRequestSerializer,
    CheckInSerializer,
    CrisisQuerySerializer,
    CrisisResourcesSerializer,
)


@schema.crisis_resources
class CrisisResourcesView(APIView):
    """The same answer for everyone: no sign-in, and no credentials read (a stale token on a
    phone in crisis must not turn help into a 401)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        query = CrisisQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        answer = crisis_answer(query.validated_data.get("country"))
        response = Response(CrisisResourcesSerializer(answer).data)
        patch_cache_control(response, public=True, max_age=int(schema.CACHE_FOR.total_seconds()))
        return response


class NewestFirst(CursorPagination):
    ordering = ("-raised_at", "-id")


def check_ins_shown(patient: User, flags: Sequence[Flag]) -> list[dict[str, Any]]:
    """The requests as the patient sees them, each saying whether it reaches a therapist."""
    linked = therapists_linked(patient.id).exists()
    for flag in flags:
        # A request made with no therapist linked was kept cleared: it reached no one.
        flag.reaches_therapist = linked and flag.cleared_at is None  # type: ignore[attr-defined]  # shown, not stored
    return list(CheckInSerializer(flags, many=True).data)


@schema.check_ins
class CheckInView(generics.ListAPIView[Flag]):
    """A patient asks their therapist to check in: a tap, no words. Asking again while a request
    is still unseen answers that request (200) rather than making a second (201)."""

    permission_classes = [IsPatient]
    serializer_class = CheckInSerializer
    queryset = Flag.objects.none()
    pagination_class = NewestFirst

    def get_queryset(self) -> QuerySet[Flag]:
        return Flag.objects.filter(patient=signed_in_user(self.request), source=Flag.Source.CHECK_IN)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None  # every list is paged (settings: DEFAULT_PAGINATION_CLASS)
        return self.get_paginated_response(check_ins_shown(signed_in_user(request), page))

    def post(self, request: Request) -> Response:
        CheckInRequestSerializer(data=request.data).is_valid(raise_exception=True)
        patient = signed_in_user(request)
        flag, created = services.check_in_request(patient=patient, now=timezone.now())
        answer = check_ins_shown(patient, [flag])[0]
        return Response(answer, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
