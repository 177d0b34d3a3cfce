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
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from accounts.models import CareLink
from accounts.permissions import IsPatient, IsTherapist, signed_in_user
from care import brief as briefs
from care import schema, selectors, services
from care.attention import flag_mark_seen
from care.brief_markdown import brief_markdown
from care.models import AccessLog, Session
from care.renderers import MarkdownRenderer
from care.serializers import (
    AccessLogSerializer,
    BriefQuerySerializer,
    BriefSerializer,
    EntriesQuerySerializer,
    FlagSerializer,
    NextSessionAnswerSerializer,
    NextSessionSerializer,
    PatientSerializer,
    RosterPatientSerializer,
    RosterQuerySerializer,
    SessionCreateSerializer,
    SessionSerializer,
    SessionsQuerySerializer,
    SessionUpdateSerializer,
)
from core.input import IDEMPOTENCY_KEY, IDEMPOTENCY_KEY_MAX_LENGTH, parse_day
from core.pagination import CursorPagination
from journal.dates import parse_week, week_last_day, week_monday
from journal.kinds import KINDS
from journal.serializers import ProgressQuerySerializer, ProgressReportSerializer


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
    """By name, a cursor that never skips nor repeats a patient. Who might need attention now is
    ``?attention_now=true`` (a first call), not an order: DRF's cursor pages on the first field,
    and a yes/no first would page the rest by offset, losing rows as flags come and go."""

    ordering = ("patient_name", "id")


@schema.roster
class RosterView(ReadInOneTransaction, generics.ListAPIView[Any]):
    queryset = CareLink.objects.none()
    permission_classes = [IsTherapist]
    serializer_class = RosterPatientSerializer
    pagination_class = ByPatientName

    def get_queryset(self) -> Any:
        query = RosterQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        wanted = query.validated_data.get("attention_now")
        return selectors.roster_links(
            signed_in_user(self.request), attention_now=None if wanted is None else wanted == "true"
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        links = self.paginate_queryset(self.get_queryset())
        assert links is not None  # paged
        rows = selectors.roster(therapist=signed_in_user(request), links=links, now=timezone.now())
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


@schema.patient
class PatientView(ReadInOneTransaction):
    permission_classes = [IsTherapist]

    def get(self, request: Request, patient_id: uuid.UUID) -> Response:
        # One week: this resource shows none, only when the patient last wrote.
        detail = selectors.patient_detail(
            therapist=signed_in_user(request), patient_id=patient_id, now=timezone.now(), weeks=1
        )
        return Response(PatientSerializer(detail, context={"reader_id": signed_in_user(request).id}).data)


@schema.flag_seen
class FlagSeenView(APIView):
    permission_classes = [IsTherapist]

    def post(self, request: Request, patient_id: uuid.UUID, flag_id: uuid.UUID) -> Response:
        therapist = signed_in_user(request)
        flag, _ = flag_mark_seen(therapist=therapist, patient_id=patient_id, flag_id=flag_id, now=timezone.now())
        return Response(FlagSerializer(flag, context={"reader_id": therapist.id}).data)


@schema.next_session
class NextSessionView(APIView):
    permission_classes = [IsTherapist]

    def put(self, request: Request, patient_id: uuid.UUID) -> Response:
        body = NextSessionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        link = services.next_session_set(
            therapist=signed_in_user(request), patient_id=patient_id, at=body.validated_data["at"], now=timezone.now()
        )
        return Response(NextSessionAnswerSerializer(link).data)

    def delete(self, request: Request, patient_id: uuid.UUID) -> Response:
        services.next_session_set(therapist=signed_in_user(request), patient_id=patient_id, at=None, now=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)


@schema.patient_progress
class PatientProgressView(ReadInOneTransaction):
    permission_classes = [IsTherapist]

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


@schema.patient_entries
class PatientEntriesView(ReadInOneTransaction):
    permission_classes = [IsTherapist]

    def get(self, request: Request, patient_id: uuid.UUID) -> Response:
        query = EntriesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        position = None
        if cursor := query.validated_data.get("cursor"):
            try:
                position = selectors.Position.decode(cursor)
            except selectors.NotACursor:
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
        shared_context: dict[str, object] = {}  # one read of the patient's pride target for the page
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
                    {"type": name, "id": str(entry.id), "data": serializers[name](entry, context=shared_context).data}
                    for name, entry in page.entries
                ],
            }
        )


@schema.patient_brief
class PatientBriefView(ReadInOneTransaction):
    permission_classes = [IsTherapist]
    renderer_classes = [JSONRenderer, MarkdownRenderer]

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
        return Response(BriefSerializer(brief, context={"reader_id": brief.reader_id}).data)

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        # An error is JSON whatever was asked for: the contract's error body.
        if getattr(response, "exception", False):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class NewestHeldFirst(CursorPagination):
    ordering = ("-held_on", "-created_at")  # DRF pages on the first; a tie keeps its order by offset


@schema.sessions
class SessionsView(ReadInOneTransaction, generics.GenericAPIView[Any]):
    queryset = Session.objects.none()
    pagination_class = NewestHeldFirst
    permission_classes = [IsTherapist]
    serializer_class = SessionSerializer

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

    def post(self, request: Request) -> Response:
        body = SessionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        recorded = services.session_record(
            therapist=signed_in_user(request),
            now=timezone.now(),
            patient_id=body.validated_data.pop("patient"),
            idempotency_key=idempotency_key(request),
            **body.validated_data,
        )
        response = Response(SessionSerializer(recorded).data, status=status.HTTP_201_CREATED)
        if recorded.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


def idempotency_key(request: Request) -> str | None:
    """The request's ``Idempotency-Key`` header: 1 to 255 visible ASCII characters, or absent."""
    key = request.headers.get("Idempotency-Key")
    if key is not None and not IDEMPOTENCY_KEY.fullmatch(key):
        raise ValidationError(
            {"Idempotency-Key": [f"1 to {IDEMPOTENCY_KEY_MAX_LENGTH} visible ASCII characters, such as a UUID."]},
            code="invalid",
        )
    return key


@schema.session
class SessionView(ReadInOneTransaction):
    permission_classes = [IsTherapist]

    def get(self, request: Request, id: uuid.UUID) -> Response:
        session, drafts = selectors.session_detail(therapist=signed_in_user(request), session_id=id, now=timezone.now())
        return Response(SessionSerializer(selectors.SessionDrafts(session=session, drafts=drafts)).data)

    def patch(self, request: Request, id: uuid.UUID) -> Response:
        body = SessionUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        therapist, now = signed_in_user(request), timezone.now()
        services.session_update(therapist=therapist, session_id=id, now=now, **body.validated_data)
        session, drafts = selectors.session_detail(therapist=therapist, session_id=id, now=now)
        return Response(SessionSerializer(selectors.SessionDrafts(session=session, drafts=drafts)).data)

    def delete(self, request: Request, id: uuid.UUID) -> Response:
        services.session_delete(therapist=signed_in_user(request), session_id=id, now=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)


class NewestReadFirst(CursorPagination):
    ordering = ("-at", "-id")


@schema.access_log
class AccessLogView(generics.ListAPIView[Any]):
    queryset = AccessLog.objects.none()
    permission_classes = [IsPatient]
    serializer_class = AccessLogSerializer
    pagination_class = NewestReadFirst

    def get_queryset(self) -> Any:
        return selectors.access_log_of(signed_in_user(self.request))
