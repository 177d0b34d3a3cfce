from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django_filters import rest_framework as filters
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsPatient, signed_in_user
from core import filters as core_filters
from core.input import parse_day
from core.versioning import UUID_PATTERN, VersionedModelViewSet, VersionedObjectMixin, if_match
from journal import schema, selectors, services
from journal.dates import parse_week
from journal.kinds import KINDS
from journal.models import Commitment, Entry, Experiment, PrideEntry, Reflection
from journal.serializers import (
    CommitmentSerializer,
    CommitmentUpdateSerializer,
    ExperimentSerializer,
    PrideEntrySerializer,
    ProgressQuerySerializer,
    ProgressReportSerializer,
    ReflectionSerializer,
)
from safety.selectors import safety_block
from safety.serializers import SafetySerializer

ENTRY_METHODS = ["get", "post", "put", "patch", "delete", "head", "options"]


class CommitmentFilter(core_filters.FilterSet):
    status = filters.ChoiceFilter(choices=Commitment.Status.choices)
    kind = filters.ChoiceFilter(choices=Commitment.Kind.choices)

    class Meta:
        model = Commitment
        fields = ["status", "kind"]


@schema.commitments
class CommitmentViewSet(VersionedModelViewSet):
    """A patient's own commitments, or, for a therapist, those of patients linked to them."""

    queryset = Commitment.objects.none()
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

    @transaction.atomic
    def list(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert page is not None  # every list is paged (settings: DEFAULT_PAGINATION_CLASS)
        commitments = selectors.commitments_read(
            reader=signed_in_user(request), commitments=page, patient_id=self.patient_param(), now=timezone.now()
        )
        return self.get_paginated_response(self.get_serializer(commitments, many=True).data)

    @transaction.atomic
    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        commitment = self.get_object()
        selectors.commitments_read(reader=signed_in_user(request), commitments=[commitment], now=timezone.now())
        return Response(self.get_serializer(commitment).data)

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


@schema.entries
class EntryViewSet(
    VersionedObjectMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The patient's own entries. ``PUT /{id}/`` with a new client UUID creates (201), with a
    known one updates the fields it sends, as ``PATCH`` does (200); ``DELETE`` leaves a
    tombstone for sync. One meaning of ``PUT`` for every kind: a phone built before a field
    existed cannot wipe it by leaving it out."""

    lookup_value_regex = UUID_PATTERN  # anything but a UUID cannot name an object: 404 before any query
    permission_classes = [IsPatient]
    http_method_names = ENTRY_METHODS

    @property
    def may_conflict(self) -> bool:
        """A second entry for a day or week already written is a 409 (experiments have no slot)."""
        return self.model.slot_field is not None

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
        return Response(self.written(record), status=status.HTTP_201_CREATED)

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
        return Response(self.written(entry), status=201 if created else 200)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entry = self.get_object()  # 404 for another patient's id or a tombstone; 412 on a stale If-Match
        serializer = self.get_serializer(entry, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        entry = services.entry_update(entry=entry, now=timezone.now(), **serializer.validated_data)
        return Response(self.written(entry))

    def written(self, entry: Entry) -> dict[str, Any]:
        """A write's answer: the entry, and ``safety`` (help at once) when its words sound like crisis."""
        block = None if entry.risk is None else safety_block(patient=entry.patient, entry_shared=entry.shared)
        return {**self.get_serializer(entry).data, "safety": None if block is None else SafetySerializer(block).data}

    def perform_destroy(self, instance) -> None:
        services.record_delete(record=instance, now=timezone.now())


@schema.reflections
class ReflectionViewSet(EntryViewSet):
    queryset = Reflection.objects.none()
    serializer_class = ReflectionSerializer
    filterset_class = ReflectionFilter


@schema.pride_entries
class PrideEntryViewSet(EntryViewSet):
    queryset = PrideEntry.objects.none()
    serializer_class = PrideEntrySerializer
    filterset_class = PrideFilter


@schema.experiments
class ExperimentViewSet(EntryViewSet):
    queryset = Experiment.objects.none()
    serializer_class = ExperimentSerializer
    filterset_class = ExperimentFilter


@schema.sync
class SyncView(APIView):
    """Everything that changed in the patient's journal since ``cursor`` (no cursor: everything).

    Changes come in the order they were committed, at most ``selectors.PAGE_LIMIT`` a page; follow ``cursor``
    while ``has_more``. A change committed while a client syncs is in its next sync.
    """

    permission_classes = [IsPatient]

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


@schema.progress
class ProgressView(APIView):
    """The patient's practice week by week, in their own zone. Counts what was done."""

    permission_classes = [IsPatient]

    def get(self, request: Request) -> Response:
        query = ProgressQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        summary = selectors.progress(
            patient=signed_in_user(request), weeks=query.validated_data["weeks"], now=timezone.now()
        )
        return Response(ProgressReportSerializer(summary).data)
