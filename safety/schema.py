"""What the schema says of the safety endpoints: each view's decorator, applied in views.py."""

from __future__ import annotations

from datetime import timedelta

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors

from core.openapi import ZONE_PATTERN, documented, duration
from safety.resources import COUNTRY_QUERY
from safety.serializers import CheckInRequestSerializer, CheckInSerializer, CrisisResourcesSerializer

#: ``?country=``, said by hand: from the serializer the schema would refuse an empty value,
#: which the server reads as no country (an app with no country set may send it so).
COUNTRY = OpenApiParameter(
    "country",
    {"type": "string", "pattern": COUNTRY_QUERY},
    OpenApiParameter.QUERY,
    description="An ISO 3166-1 alpha-2 code, such as US (any case). Without it, or empty, only the statements.",
)
TIMEZONE = OpenApiParameter(
    "timezone",
    # Empty is no zone, as ``?country=`` empty is no country (DRF reads an empty optional value as absent).
    {"type": "string", "pattern": f"^({ZONE_PATTERN.removeprefix('^').removesuffix('$')})?$", "maxLength": 64},
    OpenApiParameter.QUERY,
    description="An IANA zone, such as Europe/London: without `country`, the zone's country is used (a "
    "signed-out app sends the device's zone). Old names (US/Eastern) count too; a zone in no country (UTC) "
    "gives the statements only.",
)
#: What any text in the query may be refused for.
_TEXT_REFUSALS = ["max_length", "invalid", "null_characters_not_allowed", "surrogate_characters_not_allowed"]
#: How long a browser or a proxy may keep an answer: the file changes only with a deploy.
CACHE_FOR = timedelta(hours=1)

crisis_resources = documented(
    extend_validation_errors(
        ["invalid_country", "max_length", "invalid", "null_characters_not_allowed", "surrogate_characters_not_allowed"],
        field_name="country",
    ),
    extend_validation_errors(
        [
            "unknown_timezone",
            "max_length",
            "invalid",
            "null_characters_not_allowed",
            "surrogate_characters_not_allowed",
        ],
        field_name="timezone",
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
            parameters=[COUNTRY, TIMEZONE],
            auth=[],
            responses={200: OpenApiResponse(CrisisResourcesSerializer)},
            tags=["safety"],
        )
    ),
)


check_ins = documented(
    extend_schema_view(
        get=extend_schema(
            operation_id="listCheckIns",
            summary="My requests for a check-in",
            description="Newest first, each with when a therapist marked it seen.",
            tags=["safety"],
        ),
        post=extend_schema(
            operation_id="requestCheckIn",
            summary="Ask my therapist to check in",
            description="No words are sent: the patient's linked therapists see that they asked, at the top of "
            "their list, and are told once (e-mail where the server sends it). While a request is unseen, asking "
            "again answers it (200) rather than making a second (201). A body with any field is refused: "
            "it carries no words. `reaches_therapist` is false for a "
            "patient with no therapist linked: the app should then point to `getCrisisResources`.",
            request=CheckInRequestSerializer,
            responses={200: CheckInSerializer, 201: CheckInSerializer},
            tags=["safety"],
        ),
    ),
)
