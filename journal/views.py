from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema, extend_schema_view
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
from core.openapi import DATE_PATTERN, WEEK_PATTERN
from core.versioning import UUID_PATTERN, VersionedModelViewSet, VersionedObjectMixin, if_match
from journal import selectors, services
from journal.dates import parse_week
from journal.kinds import KINDS, RecordKind
from journal.models import Commitment, Entry, Experiment, PrideEntry, Reflection
from journal.serializers import (
    CommitmentSerializer,
    CommitmentUpdateSerializer,
    ExperimentSerializer,
    PrideEntrySerializer,
    ProgressReportSerializer,
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
        operation_id="listCommitments",
        summary="List commitments",
        description="Patients: their own commitments. Therapists: those of the patients linked to them; "
        "`patient` narrows to one.",
        parameters=[
            OpenApiParameter(
                "patient",
                OpenApiTypes.UUID,
                description="Therapists: one linked patient (404 if not linked). Patients: their own id, or nothing.",
            )
        ],
    ),
    create=extend_schema(
        operation_id="createCommitment",
        summary="Agree on a practice",
        description="Patients set their own (`patient` may be left out); therapists set one for a linked "
        "patient (`patient` required). It starts `active`, or `proposed` for the patient to confirm. "
        "`cadence` and `target_count` default from `kind` (pride_weekly: weekly, 3).",
    ),
    retrieve=extend_schema(
        operation_id="getCommitment", summary="Get a commitment", description="One commitment the caller can see."
    ),
    partial_update=extend_schema(
        operation_id="updateCommitment",
        summary="Change a commitment",
        description="Change the wording, cadence, target, dates or status (`active`, `paused`, `done`, "
        "`dropped`). A therapist changes only commitments a therapist created (403 "
        "`not_yours_to_change` otherwise).",
        responses={200: CommitmentSerializer},
    ),
    destroy=extend_schema(
        operation_id="deleteCommitment",
        summary="Delete a commitment",
        description="Leaves a tombstone for sync. A therapist may not delete what the patient set for "
        "themself (403 `not_yours_to_change`).",
    ),
    confirm=extend_schema(
        operation_id="confirmCommitment",
        summary="Confirm a proposed commitment",
        description="Turns a `proposed` commitment (drafted from a session) into an `active` one; any other "
        "status answers 400 `not_proposed`.",
        request=None,
        responses={200: CommitmentSerializer},
    ),
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
class CommitmentViewSet(VersionedModelViewSet):
    """A patient's own commitments, or, for a therapist, those of patients linked to them."""

    queryset = Commitment.objects.none()
    #: A therapist may not change what the patient set for themself: 403 ``not_yours_to_change``.
    refusable_actions = {"partial_update", "destroy", "confirm"}
    error_codes = {"403": ["not_yours_to_change"]}
    #: ``?patient=`` (list) or ``patient`` (create) naming a patient not linked to the therapist: 404.
    may_not_find = {"list", "create"}
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


WRITES = ["create", "update", "partial_update"]


def range_parameters(slot: str, pattern: str) -> list[OpenApiParameter]:
    return [
        OpenApiParameter(
            bound, OpenApiTypes.STR, pattern=pattern, description=f"Inclusive {side} bound: {slot}, from 1900 on."
        )
        for bound, side in (("from", "lower"), ("to", "upper"))
    ]


@extend_validation_errors(["invalid"], field_name="from", actions=["list"])
@extend_validation_errors(
    ["invalid", "does_not_exist", "incorrect_type", "null"], field_name="commitment", actions=WRITES
)
@extend_validation_errors(["invalid"], field_name="to", actions=["list"])
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


def entry_schema(serializer, *, one: str, many: str, rules: str, by_week: bool = False):
    """The six operations of an entry kind, named and described the same way for each."""
    slot, pattern = ("an ISO week YYYY-Www", WEEK_PATTERN) if by_week else ("a day YYYY-MM-DD", DATE_PATTERN)
    name, names = one.title().replace(" ", ""), many.title().replace(" ", "")  # PrideEntry, PrideEntries
    return extend_schema_view(
        list=extend_schema(
            operation_id=f"list{names}",
            summary=f"List my {many}",
            description=f"The patient's {many}, newest first; `from` and `to` narrow to {slot}s.",
            parameters=range_parameters(slot, pattern),
        ),
        create=extend_schema(
            operation_id=f"create{name}",
            summary=f"Write a {one}",
            description=f"{rules} The server picks the id; offline clients use `upsert{name}` instead.",
        ),
        retrieve=extend_schema(
            operation_id=f"get{name}", summary=f"Get a {one}", description=f"One of the patient's {many}."
        ),
        update=extend_schema(
            operation_id=f"upsert{name}",
            summary=f"Write a {one} with a client-chosen id",
            description=f"For offline clients: with a new UUID it creates (201), filling in what it leaves out "
            f"as `create{name}` does; with a known one it updates (200) exactly as `update{name}` does: only the "
            f"fields sent change, a field left out keeps its value (send `null` to clear one). A retried request "
            f"is harmless. {rules}",
            responses={200: serializer, 201: serializer},
        ),
        partial_update=extend_schema(
            operation_id=f"update{name}",
            summary=f"Change a {one}",
            description="Changes only the fields sent; the others keep their values.",
        ),
        destroy=extend_schema(
            operation_id=f"delete{name}",
            summary=f"Delete a {one}",
            description="Leaves a tombstone, so other devices learn of it through `listSyncChanges`.",
        ),
    )


@entry_schema(
    ReflectionSerializer,
    one="reflection",
    many="reflections",
    rules="One per local day (409 with `existing_id` for a second); `date` defaults to today in the "
    "patient's zone and may not be in the future; `kind_words` defaults to \"You're doing your best, "
    "and that's enough.\"",
)
@extend_validation_errors(["future_date"], field_name="date", actions=WRITES)
@extend_schema(tags=["journal"])
class ReflectionViewSet(EntryViewSet):
    queryset = Reflection.objects.none()
    serializer_class = ReflectionSerializer
    filterset_class = ReflectionFilter


@entry_schema(
    PrideEntrySerializer,
    one="pride entry",
    many="pride entries",
    rules="One per ISO week (409 with `existing_id` for a second); `week` defaults to this week in the "
    "patient's zone and may not be in the future; past weeks are welcome. `items`: 1 to 10 things.",
    by_week=True,
)
@extend_validation_errors(["future_week"], field_name="week", actions=WRITES)
@extend_validation_errors(["item_not_text", "item_blank", "item_too_long"], field_name="items", actions=WRITES)
@extend_schema(tags=["journal"])
class PrideEntryViewSet(EntryViewSet):
    queryset = PrideEntry.objects.none()
    serializer_class = PrideEntrySerializer
    filterset_class = PrideFilter


@entry_schema(
    ExperimentSerializer,
    one="experiment",
    many="experiments",
    rules="One small imperfect action: `worry` is what the patient feared, `outcome` what happened. "
    "Trying counts whatever the result: a dish that flopped is `tried`.",
)
@extend_schema(tags=["journal"])
class ExperimentViewSet(EntryViewSet):
    queryset = Experiment.objects.none()
    serializer_class = ExperimentSerializer
    filterset_class = ExperimentFilter


def change_serializer(kind: RecordKind) -> type[serializers.Serializer]:
    """The schema of one kind's sync change: ``data`` is that kind's record, typed."""
    name = kind.name.title().replace("_", "")
    return type(
        f"{name}ChangeSerializer",
        (serializers.Serializer,),
        {
            "type": serializers.ChoiceField(choices=[kind.name]),
            "id": serializers.UUIDField(),
            "deleted": serializers.BooleanField(),
            "data": kind.serializer(
                allow_null=True, help_text="The record as its own endpoint shows it; null when deleted."
            ),
        },
    )


SyncChange = PolymorphicProxySerializer(
    component_name="SyncChange",
    serializers={kind.name: change_serializer(kind) for kind in KINDS},
    resource_type_field_name="type",
    many=True,
)


class SyncPageSerializer(serializers.Serializer):
    changes = SyncChange
    cursor = serializers.CharField(help_text="Opaque: send it back as ?cursor= to get what changed since.")
    has_more = serializers.BooleanField(help_text="More changes wait: ask again at once with `cursor`.")


@extend_validation_errors(["invalid_cursor"], field_name="cursor")
class SyncView(APIView):
    """Everything that changed in the patient's journal since ``cursor`` (no cursor: everything).

    Changes come in the order they were committed, at most 500 a page; follow ``cursor``
    while ``has_more``. A change committed while a client syncs is in its next sync.
    """

    permission_classes = [IsPatient]

    @extend_schema(
        operation_id="listSyncChanges",
        summary="What changed since my last sync",
        description="Every record of the patient's journal (commitments and all kinds of entries) that "
        "changed since `cursor`, in the order the changes were committed, at most 500 a page. Without "
        "`cursor`: everything. Keep the answer's `cursor` and follow it while `has_more`; a change "
        "committed while a client syncs is in its next sync, never skipped. A deleted record comes "
        "with `deleted: true` and `data: null`.",
        parameters=[OpenApiParameter("cursor", OpenApiTypes.STR, description="From the previous page.")],
        responses={200: SyncPageSerializer},
        tags=["sync"],
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


class ProgressQuerySerializer(serializers.Serializer):
    weeks = fields.QueryIntegerField(min_value=1, max_value=52, default=8)


@extend_validation_errors(["invalid", "min_value", "max_value"], field_name="weeks")
class ProgressView(APIView):
    """The patient's practice week by week, in their own zone. Counts what was done."""

    permission_classes = [IsPatient]

    @extend_schema(
        operation_id="getProgress",
        summary="My practice, week by week",
        description="Per ISO week in the patient's zone, newest first: pride items written against the "
        "week's target, reflection days, experiments tried and the average mood, plus the streak of "
        "weeks with any practice. It counts what was done; nothing is called failed.",
        parameters=[ProgressQuerySerializer],
        responses={200: ProgressReportSerializer},
        tags=["progress"],
    )
    def get(self, request: Request) -> Response:
        query = ProgressQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        summary = selectors.progress(
            patient=signed_in_user(request), weeks=query.validated_data["weeks"], now=timezone.now()
        )
        return Response(ProgressReportSerializer(summary).data)
