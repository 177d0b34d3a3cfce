from __future__ import annotations

from django.utils.cache import patch_cache_control
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safety import schema
from safety.resources import current
from safety.serializers import CrisisQuerySerializer, CrisisResourcesSerializer


@schema.crisis_resources
class CrisisResourcesView(APIView):
    """The same answer for everyone: no sign-in, and no credentials read (a stale token on a
    phone in crisis must not turn help into a 401)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        query = CrisisQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        country = query.validated_data.get("country")
        resources = current()
        number, services = resources.for_country(country)
        answer = {
            "country": country,
            "not_watched": resources.not_watched,
            "emergency": {"statement": resources.emergency, "number": number},
            "services": services,
        }
        response = Response(CrisisResourcesSerializer(answer).data)
        patch_cache_control(response, public=True, max_age=int(schema.CACHE_FOR.total_seconds()))
        return response
