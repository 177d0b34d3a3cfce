"""The therapist's workspace over HTTP. Thin: each view validates its input, calls one care
selector or service (which checks the link and writes the access log) and shows the answer.

Reads run in one transaction (``ReadInOneTransaction``): the access-log row and every query
that builds the answer commit together, or not at all.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from accounts.models import CareLink
from accounts.permissions import IsPatient, IsTherapist, signed_in_user
from care import brief as briefs
from care import selectors, services
from care.brief_markdown import brief_markdown
from care.models import AccessLog, Session
from care.serializers import (
    AccessLogSerializer,
    BriefQuerySerializer,
    BriefSerializer,
    EntriesQuerySerializer,
    PatientSerializer,
    RosterPatientSerializer,
    SessionCreateSerializer,
    SessionSerializer,
    SessionsQuerySerializer,
    SharedEntriesPageSerializer,
)
from core.input import parse_day
from core.openapi import DATE_PATTERN, WEEK_PATTERN
from core.pagination import CursorPagination
from journal.dates import parse_week, week_last_day, week_monday
from journal.kinds import KINDS
from journal.serializers import ProgressQuerySerializer, ProgressReportSerializer
from journal.schema import range_parameters

PATIENT_ID = OpenApiParameter("patient_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The patient's id.")


def day_or_week(param: str, raw: str | None, *, last: bool) -> date | None:
    """A bound of ``?from=``/``?to=``: a date, or an ISO week (its Monday, or Sunday for ``to``)."""
    if raw is None:
        return None
    try:
        if "W" in raw:
            week = parse_week(raw)
            return week_last_day(week) if last else week_monday(week)
        return parse_day(raw)
    except ValueError:
        raise ValidationError({param: ["A date as YYYY-MM-DD or an ISO week as YYYY-Www."]}, code="invalid") from None


class ReadInOneTransaction(APIView):
    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        with transaction.atomic():
            return super().dispatch(request, *args, **kwargs)


class ByPatientName(CursorPagination):
    ordering = ("patient_name", "id")


@extend_schema_view(
    get=extend_schema(
        operation_id="listPatients",
        summary="My patients, this week and the last four",
        description="The patients linked to you, by name: this week so far (in each patient's zone), the four weeks "
        "before it, when they last wrote, and `needs_attention` after 14 days with no entry. The same number of "
        "queries for one patient as for two hundred. Each patient's access log records the read.",
        tags=["care"],
    )
)
class RosterView(ReadInOneTransaction, generics.ListAPIView[Any]):
    queryset = CareLink.objects.none()
    permission_classes = [IsTherapist]
    serializer_class = RosterPatientSerializer
    pagination_class = ByPatientName

    def get_queryset(self) -> Any:
        return selectors.roster_links(signed_in_user(self.request))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        links = self.paginate_queryset(self.get_queryset())
        assert links is not None  # paged
        rows = selectors.roster(therapist=signed_in_user(request), links=links, now=timezone.now())
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


class PatientView(ReadInOneTransaction):
    permission_classes = [IsTherapist]

    @extend_schema(
        operation_id="getPatient",
        summary="A patient, with their commitments",
        description="A patient linked to you: profile, link, last activity and every commitment (`proposed` "
        "drafts included). 404 for anyone not linked to you now.",
        parameters=[PATIENT_ID],
        responses={200: PatientSerializer},
        tags=["care"],
    )
    def get(self, request: Request, patient_id: uuid.UUID) -> Response:
        detail = selectors.patient_detail(therapist=signed_in_user(request), patient_id=patient_id, now=timezone.now())
        return Response(PatientSerializer(detail).data)


@extend_validation_errors(["invalid", "min_value", "max_value"], field_name="weeks")
class PatientProgressView(ReadInOneTransaction):
    permission_classes = [IsTherapist]

    @extend_schema(
        operation_id="getPatientProgress",
        summary="A patient's practice, week by week",
        description="As `getProgress`, for a patient linked to you: it counts every entry, shared or not "
        "(no text is shown).",
        parameters=[PATIENT_ID, ProgressQuerySerializer],
        responses={200: ProgressReportSerializer},
        tags=["care"],
    )
    def get(self, request: Request, patient_id: uuid.UUID) -> Response:
        query = ProgressQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        report = selectors.patient_progress(
            therapist=signed_in_user(request),
            patient_id=patient_id,
            weeks=query.validated_data["weeks"],
            now=timezone.now(),
        )
        return Response(ProgressReportSerializer(report).data)


@extend_validation_errors(["invalid_choice"], field_name="type")
@extend_validation_errors(["invalid"], field_name="from")
@extend_validation_errors(["invalid"], field_name="to")
@extend_validation_errors(["invalid"], field_name="page_size")
@extend_validation_errors(["invalid_cursor"], field_name="cursor")
class PatientEntriesView(ReadInOneTransaction):
    permission_classes = [IsTherapist]

    @extend_schema(
        operation_id="listPatientEntries",
        summary="The entries a patient shares with me",
        description="Only entries the patient marked `shared`, and only while their link shares entries "
        "(`shared: false` and an empty list otherwise); a patient who unshares takes them out at once. Newest "
        "written first; `type` (repeatable) narrows the kinds, `from` and `to` (dates or ISO weeks) the days "
        "they are for.",
        parameters=[
            PATIENT_ID,
            EntriesQuerySerializer,
            *range_parameters(pattern=f"{DATE_PATTERN}|{WEEK_PATTERN}", slot="a date or ISO week"),
        ],
        responses={200: SharedEntriesPageSerializer},
        tags=["care"],
    )
    def get(self, request: Request, patient_id: uuid.UUID) -> Response:
        query = EntriesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        position = None
        if cursor := query.validated_data.get("cursor"):
            try:
                position = selectors.Position.decode(cursor)
            except ValueError:
                not_ours = ["Not a cursor this server gave out."]
                raise ValidationError({"cursor": not_ours}, code="invalid_cursor") from None
        start = day_or_week("from", request.query_params.get("from"), last=False)
        end = day_or_week("to", request.query_params.get("to"), last=True)
        asked = query.validated_data.get("type", ())
        types = [name for name in selectors.ENTRY_TYPES if name in asked] or list(selectors.ENTRY_TYPES)
        page = selectors.shared_entries(
            therapist=signed_in_user(request),
            patient_id=patient_id,
            types=types,
            start=start,
            end=end,
            position=position,
            limit=query.validated_data["page_size"],
            now=timezone.now(),
        )
        serializers = {kind.name: kind.serializer for kind in KINDS}
        url = request.build_absolute_uri()
        return Response(
            {
                "next": page.next and replace_query_param(url, "cursor", page.next.encode()),
                "previous": page.previous and replace_query_param(url, "cursor", page.previous.encode()),
                "next_cursor": page.next and page.next.encode(),
                "previous_cursor": page.previous and page.previous.encode(),
                "types": types,
                "shared": page.shared,
                "results": [
                    {"type": name, "id": str(entry.id), "data": serializers[name](entry).data}
                    for name, entry in page.entries
                ],
            }
        )


class MarkdownRenderer(BaseRenderer):
    media_type = "text/markdown"
    format = "md"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        # The view renders the brief inside the read's transaction; this only encodes it.
        return str(data).encode()


@extend_validation_errors(["invalid", "future_date", "too_far_back"], field_name="since")
class PatientBriefView(ReadInOneTransaction):
    permission_classes = [IsTherapist]
    renderer_classes = [JSONRenderer, MarkdownRenderer]

    @extend_schema(
        operation_id="getPatientBrief",
        summary="The pre-session brief",
        description="What a linked patient practised since your last session with them (or `since`, at "
        "most a year back; without either, the last four weeks): each active commitment with what was done "
        "against it, reflection days and mood trend, pride weeks (items only where shared), experiments and "
        "what happened (text only where shared), and the quiet stretches. `?format=md` (or `Accept: "
        "text/markdown`) gives the same brief as Markdown.",
        parameters=[
            PATIENT_ID,
            BriefQuerySerializer,
            # DRF's own ``?format=`` (URL_FORMAT_OVERRIDE): a generated client may not let its
            # caller set ``Accept``, so the choice is a parameter it can type.
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=[JSONRenderer.format, MarkdownRenderer.format],
                description="`md`: the brief as Markdown (`text/markdown`), as `Accept: text/markdown` gives; "
                "an error is JSON all the same. Without it: JSON.",
                extensions={"x-enum-name": "BriefFormat"},
            ),
        ],
        responses={
            (200, "application/json"): BriefSerializer,
            (200, "text/markdown"): OpenApiResponse(OpenApiTypes.STR, description="The brief as Markdown."),
        },
        tags=["care"],
    )
    def get(self, request: Request, patient_id: uuid.UUID) -> Response:
        query = BriefQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        brief = briefs.patient_brief(
            therapist=signed_in_user(request),
            patient_id=patient_id,
            since=query.validated_data.get("since"),
            now=timezone.now(),
        )
        if isinstance(request.accepted_renderer, MarkdownRenderer):
            return Response(brief_markdown(brief))
        return Response(BriefSerializer(brief).data)

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        # An error is JSON whatever was asked for: the contract's error body.
        if getattr(response, "exception", False):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class NewestHeldFirst(CursorPagination):
    ordering = ("-held_on", "-created_at")  # DRF pages on the first; a tie keeps its order by offset


@extend_validation_errors(["required", "invalid"], field_name="patient", methods=["get"])
class SessionsView(ReadInOneTransaction, generics.GenericAPIView[Any]):
    queryset = Session.objects.none()
    pagination_class = NewestHeldFirst
    permission_classes = [IsTherapist]
    #: ``?patient=`` (list) or ``patient`` (record) naming a patient not linked to you: 404.
    may_not_find = {"get", "post"}
    serializer_class = SessionSerializer

    @extend_schema(
        operation_id="listSessions",
        summary="My sessions with a patient",
        description="The sessions you recorded with a linked patient, newest first, each with the commitments "
        "its transcript drafted (as they are now).",
        parameters=[SessionsQuerySerializer],
        responses={200: SessionSerializer(many=True)},
        tags=["care"],
    )
    def get(self, request: Request) -> Response:
        query = SessionsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        sessions = selectors.patient_sessions(
            therapist=signed_in_user(request), patient_id=query.validated_data["patient"], now=timezone.now()
        )
        page = self.paginate_queryset(sessions)
        assert page is not None
        drafts = selectors.session_drafts(sessions=page)
        shown = [selectors.SessionDrafts(session=session, drafts=drafts[session.id]) for session in page]
        return self.get_paginated_response(SessionSerializer(shown, many=True).data)

    @extend_schema(
        operation_id="createSession",
        summary="Record a session",
        description="Record a session with a linked patient. With a `transcript`, each practice you proposed "
        "and the patient agreed to becomes a `proposed` commitment (confirm it with `confirmCommitment`), its "
        "evidence the two turns quoted; lines the parser skipped are in `warnings`. A transcript that is not "
        "text or has no turns is a 400 and nothing is recorded.",
        request=SessionCreateSerializer,
        responses={201: SessionSerializer},
        tags=["care"],
    )
    def post(self, request: Request) -> Response:
        body = SessionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        recorded = services.session_record(
            therapist=signed_in_user(request),
            now=timezone.now(),
            patient_id=body.validated_data.pop("patient"),
            **body.validated_data,
        )
        return Response(SessionSerializer(recorded).data, status=status.HTTP_201_CREATED)


class SessionView(ReadInOneTransaction):
    permission_classes = [IsTherapist]

    @extend_schema(
        operation_id="getSession",
        summary="A session",
        description="One of your sessions, while its patient is linked to you.",
        parameters=[OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses={200: SessionSerializer},
        tags=["care"],
    )
    def get(self, request: Request, id: uuid.UUID) -> Response:
        session, drafts = selectors.session_detail(therapist=signed_in_user(request), session_id=id, now=timezone.now())
        return Response(SessionSerializer(selectors.SessionDrafts(session=session, drafts=drafts)).data)


class NewestReadFirst(CursorPagination):
    ordering = ("-at", "-id")


@extend_schema_view(
    get=extend_schema(
        operation_id="listAccessLog",
        summary="Who read my records",
        description="Every read of your records by a therapist (roster, profile and commitments, progress, shared "
        "entries, brief, sessions), newest first. Kept while your account lives, including after a link ends.",
        tags=["me"],
    )
)
class AccessLogView(generics.ListAPIView[Any]):
    queryset = AccessLog.objects.none()
    permission_classes = [IsPatient]
    serializer_class = AccessLogSerializer
    pagination_class = NewestReadFirst

    def get_queryset(self) -> Any:
        return selectors.access_log_of(signed_in_user(self.request))
