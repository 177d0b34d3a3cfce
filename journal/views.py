from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsPatient, signed_in_user
from core import fields
from core import filters as core_filters
from core.input import parse_day
from core.versioning import UUID_PATTERN, VersionedObjectMixin, if_match
from journal import selectors, services
from journal.dates import parse_week
from journal.kinds import KINDS
from journal.models import Commitment, Entry, Experiment, PrideEntry, Reflection
from journal.serializers import (
    CommitmentSerializer,
    CommitmentUpdateSerializer,
    ExperimentSerializer,
    PrideEntrySerializer,
    ReflectionSerializer,
)

ENTRY_METHODS = ["get", "post", "put", "patch", "delete", "head", "options"]


class CommitmentFilter(core_filters.FilterSet):
    status = filters.ChoiceFilter(choices=Commitment.Status.choices)
    kind = filters.ChoiceFilter(choices=Commitment.Kind.choices)

    class Meta:
        model = Commitment
        fields = ["status", "kind"]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "patient",
                OpenApiTypes.UUID,
                description="Therapists: one linked patient (404 if not linked). Patients: their own id, or nothing.",
            )
        ]
    ),
    confirm=extend_schema(request=None, responses={200: CommitmentSerializer}),
)
@extend_validation_errors(["invalid"], field_name="patient", actions=["list"])
@extend_validation_errors(["not_yours", "required"], field_name="patient", actions=["create"])
@extend_validation_errors(
    ["invalid_status", "invalid_transition"], field_name="status", actions=["create", "partial_update"]
)
@extend_validation_errors(["ends_before_start"], field_name="ends_on", actions=["create", "partial_update"])
@extend_validation_errors(["required", "invalid_choice", "null"], field_name="cadence", actions=["create"])
@extend_validation_errors(["not_proposed"], field_name="status", actions=["confirm"])
@extend_schema(tags=["commitments"])
class CommitmentViewSet(
    VersionedObjectMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A patient's own commitments, or, for a therapist, those of patients linked to them."""

    lookup_value_regex = UUID_PATTERN  # anything but a UUID cannot name an object: 404 before any query
    queryset = Commitment.objects.none()
    #: A therapist may not change what the patient set for themself: 403 ``not_yours_to_change``.
    refusable_actions = {"partial_update", "destroy", "confirm"}
    serializer_class = CommitmentSerializer
    filterset_class = CommitmentFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Commitment]:
        patient_id = self.patient_param() if self.action == "list" else None
        return selectors.commitments_visible_to(user=signed_in_user(self.request), patient_id=patient_id)

    def patient_param(self) -> uuid.UUID | None:
        raw = self.request.query_params.get("patient")
        if raw is None:
            return None
        try:
            return uuid.UUID(raw)
        except ValueError:
            raise ValidationError({"patient": ["A patient id (UUID)."]}, code="invalid") from None

    def get_serializer_class(self):
        return CommitmentUpdateSerializer if self.action == "partial_update" else CommitmentSerializer

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        commitment = services.commitment_create(
            author=signed_in_user(request), now=timezone.now(), **serializer.validated_data
        )
        return Response(CommitmentSerializer(commitment).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        commitment = self.get_object()
        serializer = self.get_serializer(commitment, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        commitment = services.commitment_update(
            commitment=commitment, by=signed_in_user(request), now=timezone.now(), **serializer.validated_data
        )
        return Response(CommitmentSerializer(commitment).data)

    def perform_destroy(self, instance: Commitment) -> None:
        services.commitment_delete(commitment=instance, by=signed_in_user(self.request), now=timezone.now())

    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk=None) -> Response:
        """Turn a proposed commitment (drafted from a transcript) into an active one."""
        commitment = self.get_object()
        commitment = services.commitment_confirm(commitment=commitment, by=signed_in_user(request), now=timezone.now())
        return Response(CommitmentSerializer(commitment).data)


class RangeFilter(core_filters.FilterSet):
    """``?from=&to=``: inclusive bounds on the entry's day (or week, for pride entries)."""

    slot = "date"
    data: QueryDict | dict[str, Any]  # FilterSet keeps ``data or QueryDict()``: never None

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        bounds = {}
        for param, lookup in (("from", "gte"), ("to", "lte")):
            raw = self.data.get(param)
            if raw is not None:  # sent empty is a 400 too, as the schema's pattern says
                bounds[f"{self.slot}__{lookup}"] = self.parse(param, raw)
        return queryset.filter(**bounds)

    def parse(self, param: str, raw: str):
        try:
            return parse_day(raw)
        except ValueError:
            raise ValidationError({param: ["A date as YYYY-MM-DD."]}, code="invalid") from None


class WeekRangeFilter(RangeFilter):
    slot = "week"

    def parse(self, param: str, raw: str):
        try:
            return parse_week(raw)
        except ValueError:
            raise ValidationError({param: ["An ISO week as YYYY-Www."]}, code="invalid") from None


class ReflectionFilter(RangeFilter):
    class Meta:
        model = Reflection
        fields: list[str] = []


class PrideFilter(WeekRangeFilter):
    class Meta:
        model = PrideEntry
        fields: list[str] = []


class ExperimentFilter(RangeFilter):
    status = filters.ChoiceFilter(choices=Experiment.Status.choices)

    class Meta:
        model = Experiment
        fields = ["status"]


DAY_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
WEEK_PATTERN = r"^[0-9]{4}-W[0-9]{2}$"


def range_parameters(slot: str, pattern: str) -> list[OpenApiParameter]:
    return [
        OpenApiParameter(
            bound, OpenApiTypes.STR, pattern=pattern, description=f"Inclusive {side} bound: {slot}, from 1900 on."
        )
        for bound, side in (("from", "lower"), ("to", "upper"))
    ]


@extend_validation_errors(["invalid"], field_name="from", actions=["list"])
@extend_validation_errors(["invalid", "does_not_exist", "incorrect_type", "null"], field_name="commitment")
@extend_validation_errors(["future_date"], field_name="date")
@extend_validation_errors(["future_week"], field_name="week")
@extend_validation_errors(["item_not_text", "item_blank", "item_too_long"], field_name="items")
@extend_validation_errors(["invalid"], field_name="to", actions=["list"])
class EntryViewSet(
    VersionedObjectMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The patient's own entries. ``PUT /{id}/`` with a new client UUID creates (201), with a
    known one replaces (200); ``DELETE`` leaves a tombstone for sync."""

    lookup_value_regex = UUID_PATTERN  # anything but a UUID cannot name an object: 404 before any query
    permission_classes = [IsPatient]
    http_method_names = ENTRY_METHODS
    may_conflict = True
    queryset: QuerySet[Entry]  # each kind's viewset sets it

    @property
    def model(self) -> type[Entry]:
        return self.queryset.model

    def get_queryset(self) -> QuerySet[Entry]:
        return selectors.records_of(model=self.model, patient=signed_in_user(self.request))

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = services.entry_create(
            model=self.model, patient=signed_in_user(request), now=timezone.now(), **serializer.validated_data
        )
        return Response(self.get_serializer(record).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry, created = services.entry_put(
            model=self.model,
            patient=signed_in_user(request),
            entry_id=uuid.UUID(kwargs["pk"]),
            now=timezone.now(),
            if_match=if_match(request),
            **serializer.validated_data,
        )
        return Response(self.get_serializer(entry).data, status=201 if created else 200)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entry = self.get_object()  # 404 for another patient's id or a tombstone; 412 on a stale If-Match
        serializer = self.get_serializer(entry, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        entry = services.entry_update(entry=entry, now=timezone.now(), **serializer.validated_data)
        return Response(self.get_serializer(entry).data)

    def perform_destroy(self, instance) -> None:
        services.record_delete(record=instance, now=timezone.now())


def entry_schema(serializer, *, by_week: bool = False):
    slot, pattern = ("an ISO week YYYY-Www", WEEK_PATTERN) if by_week else ("a day YYYY-MM-DD", DAY_PATTERN)
    return extend_schema_view(
        list=extend_schema(parameters=range_parameters(slot, pattern)),
        update=extend_schema(
            responses={200: serializer, 201: serializer},
            description="With a new client-chosen UUID: creates (201). With a known one: replaces (200).",
        ),
    )


@entry_schema(ReflectionSerializer)
@extend_schema(tags=["journal"])
class ReflectionViewSet(EntryViewSet):
    queryset = Reflection.objects.none()
    serializer_class = ReflectionSerializer
    filterset_class = ReflectionFilter


@entry_schema(PrideEntrySerializer, by_week=True)
@extend_schema(tags=["journal"])
class PrideEntryViewSet(EntryViewSet):
    queryset = PrideEntry.objects.none()
    serializer_class = PrideEntrySerializer
    filterset_class = PrideFilter


@entry_schema(ExperimentSerializer)
@extend_schema(tags=["journal"])
class ExperimentViewSet(EntryViewSet):
    queryset = Experiment.objects.none()
    serializer_class = ExperimentSerializer
    filterset_class = ExperimentFilter


class SyncChangeSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=[kind.name for kind in KINDS])
    id = serializers.UUIDField()
    deleted = serializers.BooleanField()
    data = serializers.DictField(  # type: ignore[assignment]  # a declared field: DRF's metaclass takes it off the class
        allow_null=True, help_text="The record as its own endpoint shows it; null when deleted."
    )


class SyncResponseSerializer(serializers.Serializer):
    changes = SyncChangeSerializer(many=True)
    cursor = serializers.CharField(help_text="Opaque: send it back as ?cursor= to get what changed since.")
    has_more = serializers.BooleanField()


@extend_validation_errors(["invalid_cursor"], field_name="cursor")
class SyncView(APIView):
    """Everything that changed in the patient's journal since ``cursor`` (no cursor: everything).

    Changes come in the order they were committed, at most 500 a page; follow ``cursor``
    while ``has_more``. A change committed while a client syncs is in its next sync.
    """

    permission_classes = [IsPatient]

    @extend_schema(
        parameters=[OpenApiParameter("cursor", OpenApiTypes.STR, description="From the previous page.")],
        responses={200: SyncResponseSerializer},
        tags=["journal"],
    )
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("cursor")
        after = selectors.decode_cursor(raw) if raw else 0
        page = selectors.sync_page(patient=signed_in_user(request), after=after)
        # One serializer per kind of record, not per record: DRF builds its fields once.
        # Keyed by kind and id: ids are unique within a kind's table, not across kinds.
        data: dict[tuple[str, uuid.UUID], Any] = {}
        for kind in KINDS:
            living = [record for of, record in page.changes if of is kind and record.deleted_at is None]
            shown = kind.serializer(living, many=True).data
            data.update(zip(((kind.name, record.id) for record in living), shown, strict=True))
        changes = [
            {
                "type": kind.name,
                "id": str(record.id),
                "deleted": record.deleted_at is not None,
                "data": data.get((kind.name, record.id)),
            }
            for kind, record in page.changes
        ]
        return Response({"changes": changes, "cursor": selectors.encode_cursor(page.cursor), "has_more": page.has_more})


class PrideWeekSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Items written that week.")
    target = serializers.IntegerField()
    met = serializers.BooleanField()


class ReflectionWeekSerializer(serializers.Serializer):
    days = serializers.IntegerField(source="reflection_days")
    dates = serializers.ListField(child=serializers.DateField(), source="reflection_dates")


class WeekProgressSerializer(serializers.Serializer):
    week = serializers.CharField()
    pride = PrideWeekSerializer()
    reflections = ReflectionWeekSerializer(source="*")
    experiments_done = serializers.IntegerField(
        source="experiments_tried", help_text="Experiments tried that week, whatever happened."
    )
    mood_avg = serializers.FloatField(allow_null=True)


class ProgressSerializer(serializers.Serializer):
    timezone = serializers.CharField()
    practice_streak_weeks = serializers.IntegerField()
    last_active_at = serializers.DateTimeField(allow_null=True)
    weeks = WeekProgressSerializer(many=True, help_text="Newest first.")


class ProgressQuerySerializer(serializers.Serializer):
    weeks = fields.QueryIntegerField(min_value=1, max_value=52, default=8)


@extend_validation_errors(["invalid", "min_value", "max_value"], field_name="weeks")
class ProgressView(APIView):
    """The patient's practice week by week, in their own zone. Counts what was done."""

    permission_classes = [IsPatient]

    @extend_schema(parameters=[ProgressQuerySerializer], responses={200: ProgressSerializer}, tags=["journal"])
    def get(self, request: Request) -> Response:
        query = ProgressQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        summary = selectors.progress(
            patient=signed_in_user(request), weeks=query.validated_data["weeks"], now=timezone.now()
        )
        return Response(ProgressSerializer(summary).data)
