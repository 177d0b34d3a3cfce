"""What the schema says of the journal's views: each view's decorator, applied in views.py.

The prose's numbers and defaults come from the constants and rules that hold them, so the
schema cannot promise a limit or a default the server no longer keeps.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers

from core.input import FIRST_YEAR
from core.openapi import DATE_PATTERN, WEEK_PATTERN, documented
from journal.kinds import KINDS, RecordKind
from journal.models import DEFAULT_KIND_WORDS, PRIDE_ITEMS_MAX, PRIDE_ITEMS_MIN, Commitment
from journal.selectors import PAGE_LIMIT
from journal.serializers import (
    CommitmentSerializer,
    ExperimentSerializer,
    PrideEntrySerializer,
    ProgressQuerySerializer,
    ProgressReportSerializer,
    ReflectionSerializer,
)
from safety.serializers import SafetySerializer

WRITES = ["create", "update", "partial_update"]

# A pride commitment's usual cadence and target, as the model fills them in for an author who
# gives neither.
_pride = Commitment(kind=Commitment.Kind.PRIDE_WEEKLY)
_pride.fill_defaults(given=())

commitments = documented(
    extend_schema_view(
        list=extend_schema(
            operation_id="listCommitments",
            summary="List commitments",
            description="Patients: their own commitments. Therapists: those of the patients linked to them; "
            "`patient` narrows to one.",
            parameters=[
                OpenApiParameter(
                    "patient",
                    OpenApiTypes.UUID,
                    description="Therapists: one linked patient (404 if not linked). Patients: their own id, "
                    "or nothing.",
                )
            ],
        ),
        create=extend_schema(
            operation_id="createCommitment",
            summary="Agree on a practice",
            description="Patients set their own (`patient` may be left out); therapists set one for a linked "
            "patient (`patient` required). It starts `active`, or `proposed` for the patient to confirm. "
            f"`cadence` and `target_count` default from `kind` ({_pride.kind}: {_pride.cadence}, "
            f"{_pride.target_count}).",
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
    ),
    extend_validation_errors(["invalid"], field_name="patient", actions=["list"]),
    extend_validation_errors(["not_yours", "required"], field_name="patient", actions=["create"]),
    extend_validation_errors(
        ["invalid_status", "invalid_transition"], field_name="status", actions=["create", "partial_update"]
    ),
    extend_validation_errors(["ends_before_start"], field_name="ends_on", actions=["create", "partial_update"]),
    extend_validation_errors(["invalid_schedule"], field_name="planned_for", actions=["create", "partial_update"]),
    extend_validation_errors(["invalid_schedule"], field_name="weekdays", actions=["create", "partial_update"]),
    extend_validation_errors(["required", "invalid_choice", "null"], field_name="cadence", actions=["create"]),
    extend_validation_errors(["not_proposed"], field_name="status", actions=["confirm"]),
    extend_schema(tags=["commitments"]),
    # A therapist may not change what the patient set for themself: 403 ``not_yours_to_change``.
    refusable_actions={"partial_update", "destroy", "confirm"},
    error_codes={"403": ["not_yours_to_change"]},
    # ``?patient=`` (list) or ``patient`` (create) naming a patient not linked to the therapist: 404.
    may_not_find={"list", "create"},
)


def range_parameters(slot: str, pattern: str) -> list[OpenApiParameter]:
    """``?from=`` and ``?to=`` of a list of entries, ``slot`` saying what they take."""
    return [
        OpenApiParameter(
            bound,
            OpenApiTypes.STR,
            pattern=pattern,
            description=f"Inclusive {side} bound: {slot}, from {FIRST_YEAR} on.",
        )
        for bound, side in (("from", "lower"), ("to", "upper"))
    ]


#: What every entry kind's writes and lists refuse, whatever the kind.
entries = documented(
    extend_validation_errors(["invalid"], field_name="from", actions=["list"]),
    extend_validation_errors(
        ["invalid", "does_not_exist", "incorrect_type", "null"], field_name="commitment", actions=WRITES
    ),
    extend_validation_errors(["invalid"], field_name="to", actions=["list"]),
)


def written(serializer: Any) -> Any:
    """What a write of an entry answers: the entry, and ``safety``."""
    name = serializer.__name__.removesuffix("Serializer")
    return type(
        f"{name}WrittenSerializer",
        (serializer,),
        {
            "safety": SafetySerializer(
                read_only=True,
                allow_null=True,
                help_text="Null, unless the entry's words sound like they were written in crisis: then help "
                "to show at once, gently (the crisis resources for the patient's country) and whether a "
                "therapist may read the entry. A therapist who may is told, once per entry.",
            ),
            "Meta": type("Meta", (serializer.Meta,), {"fields": [*serializer.Meta.fields, "safety"]}),
        },
    )


def entry_schema(serializer: Any, *, one: str, many: str, rules: str, by_week: bool = False) -> Any:
    """The six operations of an entry kind, named and described the same way for each."""
    slot, pattern = ("an ISO week YYYY-Www", WEEK_PATTERN) if by_week else ("a day YYYY-MM-DD", DATE_PATTERN)
    name, names = one.title().replace(" ", ""), many.title().replace(" ", "")  # PrideEntry, PrideEntries
    answer = written(serializer)
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
            responses={201: answer},
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
            responses={200: answer, 201: answer},
        ),
        partial_update=extend_schema(
            operation_id=f"update{name}",
            summary=f"Change a {one}",
            description="Changes only the fields sent; the others keep their values.",
            responses={200: answer},
        ),
        destroy=extend_schema(
            operation_id=f"delete{name}",
            summary=f"Delete a {one}",
            description="Leaves a tombstone, so other devices learn of it through `listSyncChanges`.",
        ),
    )


reflections = documented(
    entry_schema(
        ReflectionSerializer,
        one="reflection",
        many="reflections",
        rules="One per local day (409 with `existing_id` for a second); `date` defaults to today in the "
        "patient's zone and may not be in the future; `kind_words` defaults to "
        f'"{DEFAULT_KIND_WORDS}"',
    ),
    extend_validation_errors(["future_date"], field_name="date", actions=WRITES),
    extend_schema(tags=["journal"]),
)

pride_entries = documented(
    entry_schema(
        PrideEntrySerializer,
        one="pride entry",
        many="pride entries",
        rules="One per ISO week (409 with `existing_id` for a second); `week` defaults to this week in the "
        "patient's zone and may not be in the future; past weeks are welcome. "
        f"`items`: {PRIDE_ITEMS_MIN} to {PRIDE_ITEMS_MAX} things.",
        by_week=True,
    ),
    extend_validation_errors(["future_week"], field_name="week", actions=WRITES),
    extend_validation_errors(["item_not_text", "item_blank", "item_too_long"], field_name="items", actions=WRITES),
    extend_schema(tags=["journal"]),
)

experiments = documented(
    entry_schema(
        ExperimentSerializer,
        one="experiment",
        many="experiments",
        rules="One small imperfect action: `worry` is what the patient feared, `outcome` what happened. "
        "Trying counts whatever the result: a dish that flopped is `tried`.",
    ),
    extend_schema(tags=["journal"]),
)


def change_serializer(kind: RecordKind) -> type[serializers.Serializer[Any]]:
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


class SyncPageSerializer(serializers.Serializer[Any]):
    changes = SyncChange
    cursor = serializers.CharField(help_text="Opaque: send it back as ?cursor= to get what changed since.")
    has_more = serializers.BooleanField(help_text="More changes wait: ask again at once with `cursor`.")


sync = documented(
    extend_validation_errors(["invalid_cursor"], field_name="cursor"),
    extend_schema_view(
        get=extend_schema(
            operation_id="listSyncChanges",
            summary="What changed since my last sync",
            description="Every record of the patient's journal (commitments and all kinds of entries) that "
            f"changed since `cursor`, in the order the changes were committed, at most {PAGE_LIMIT} a page. "
            "Without `cursor`: everything. Keep the answer's `cursor` and follow it while `has_more`; a change "
            "committed while a client syncs is in its next sync, never skipped. A deleted record comes "
            "with `deleted: true` and `data: null`.",
            parameters=[OpenApiParameter("cursor", OpenApiTypes.STR, description="From the previous page.")],
            responses={200: SyncPageSerializer},
            tags=["sync"],
        )
    ),
)

progress = documented(
    extend_validation_errors(["invalid", "min_value", "max_value"], field_name="weeks"),
    extend_schema_view(
        get=extend_schema(
            operation_id="getProgress",
            summary="My practice, week by week",
            description="Per ISO week in the patient's zone, newest first: pride items written against the "
            "week's target, reflection days, experiments tried and the average mood, plus the streak of "
            "weeks with any practice. It counts what was done; nothing is called failed.",
            parameters=[ProgressQuerySerializer],
            responses={200: ProgressReportSerializer},
            tags=["progress"],
        )
    ),
)
