"""What the schema says of the safety endpoints: each view's decorator, applied in views.py."""

from __future__ import annotations

from datetime import timedelta

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors

from core.openapi import documented, duration
from safety.resources import COUNTRY_QUERY
from safety.serializers import CrisisResourcesSerializer

#: ``?country=``, said by hand: from the serializer the schema would refuse an empty value,
#: which the server reads as no country (an app with no country set may send it so).
COUNTRY = OpenApiParameter(
    "country",
    {"type": "string", "pattern": COUNTRY_QUERY},
    OpenApiParameter.QUERY,
    description="An ISO 3166-1 alpha-2 code, such as US (any case). Without it, or empty, only the statements.",
)
#: How long a browser or a proxy may keep an answer: the file changes only with a deploy.
CACHE_FOR = timedelta(hours=1)

crisis_resources = documented(
    extend_validation_errors(
        ["invalid_country", "max_length", "invalid", "null_characters_not_allowed", "surrogate_characters_not_allowed"],
        field_name="country",
    ),
    extend_schema_view(
        get=extend_schema(
            operation_id="getCrisisResources",
            summary="Where to find help now",
            description="The crisis services for a country, from the operator's file, with the statement that the "
            "journal is not watched in real time and is not an emergency service, and what to do in an emergency. "
            "A country the file does not list gets the statements and no services, never an empty answer. No "
            f"sign-in; the same answer for everyone, so it may be cached for {duration(CACHE_FOR)} "
            "(`Cache-Control: public`).",
            parameters=[COUNTRY],
            auth=[],
            responses={200: OpenApiResponse(CrisisResourcesSerializer)},
            tags=["safety"],
        )
    ),
)
