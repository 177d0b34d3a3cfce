from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, cast

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import fields
from core.openapi import WEEK_PATTERN as SCHEMA_WEEK_PATTERN
from core.serializers import KnownFieldsOnly
from journal import selectors
from journal.dates import parse_week
from journal.models import (
    COMMITMENT_TITLE_MAX_LENGTH,
    DEFAULT_KIND_WORDS,
    KINDS_WITHOUT_USUAL_CADENCE,
    MOOD_MAX,
    MOOD_MIN,
    PRIDE_ITEM_MAX_LENGTH,
    PRIDE_ITEMS_MAX,
    PRIDE_ITEMS_MIN,
    TARGET_COUNT_MAX,
    Commitment,
    Experiment,
    PrideEntry,
    Reflection,
)

if TYPE_CHECKING:
    # What the mixin is mixed into, for the type checker; at run time it stands alone.
    _Serializer = serializers.BaseSerializer[Any]
else:
    _Serializer = object


class EncryptedTextMixin(_Serializer):
    """Encrypted text is stored as NULL when empty (the library's rule); clients see ""."""

    text_fields: tuple[str, ...] = ()

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        for name in self.text_fields:
            if name in data and data[name] is None:
                data[name] = ""
        return data


def text(max_length: int, *, required: bool = False, **kwargs) -> fields.CharField:
    return fields.CharField(max_length=max_length, required=required, allow_blank=not required, **kwargs)


class CommitmentSerializer(KnownFieldsOnly, EncryptedTextMixin, fields.ModelSerializer):
    text_fields = ("details", "evidence")
    patient = fields.UUIDField(
        source="patient_id", required=False, help_text="Required when a therapist creates; a patient's own otherwise."
    )
    session = serializers.UUIDField(source="session_id", read_only=True, allow_null=True)
    created_by = serializers.UUIDField(source="created_by_id", read_only=True, allow_null=True)
    title = text(COMMITMENT_TITLE_MAX_LENGTH, required=True)
    details = text(2000)
    evidence = fields.CharField(read_only=True)
    cadence = serializers.ChoiceField(choices=Commitment.Cadence.choices, required=False)
    target_count = fields.IntegerField(min_value=1, max_value=TARGET_COUNT_MAX, required=False)
    status = serializers.ChoiceField(choices=Commitment.Status.choices, required=False)
    weekdays = fields.PracticeDaysField(
        required=False, help_text="ISO weekdays (1 = Monday) it is on; empty for every day of its cadence."
    )
    remind_at = fields.LocalTimeField(
        required=False, allow_null=True, help_text="The time agreed for it: its reminder's, on the patient's clock."
    )
    planned_for = fields.DateField(
        required=False, allow_null=True, help_text="An experiment's planned day: its reminder nudges that morning."
    )

    class Meta:
        model = Commitment
        fields = [
            "id",
            "patient",
            "session",
            "kind",
            "title",
            "details",
            "cadence",
            "target_count",
            "starts_on",
            "ends_on",
            "status",
            "weekdays",
            "remind_at",
            "planned_for",
            "evidence",
            "created_by",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = ["id", "created_at", "updated_at", "version"]


class CommitmentSchema(OpenApiSerializerExtension):
    """A create of a kind with no usual cadence (``custom``) must give one, as ``fill_defaults``
    says. OpenAPI 3.0 has no ``if``/``then``: "not (such a kind and no cadence)" is a ``not``,
    which validators (schemathesis) hold and generators leave out of the types they make."""

    target_class = CommitmentSerializer

    def map_serializer(self, auto_schema: Any, direction: Any) -> Any:
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["not"] = {
                "properties": {"kind": {"enum": KINDS_WITHOUT_USUAL_CADENCE}},
                "not": {"required": ["cadence"]},
            }
        return schema


class CommitmentUpdateSerializer(CommitmentSerializer):
    """Whose it is and what kind it is are fixed once made (declared fields ignore read_only_fields)."""

    patient = fields.UUIDField(source="patient_id", read_only=True)
    kind = serializers.ChoiceField(choices=Commitment.Kind.choices, read_only=True)


class LinkableCommitmentField(fields.PrimaryKeyRelatedField[Commitment]):
    """The id of a commitment the signed-in patient's entry or reminder may name
    (``selectors.linkable_commitments``), or null; any other id is ``does_not_exist``."""

    def __init__(self, **kwargs: Any) -> None:
        # An empty queryset of the model, for the schema; requests choose from ``get_queryset``.
        super().__init__(queryset=Commitment.objects.none(), allow_null=True, required=False, **kwargs)

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        if request is None or not request.user.is_authenticated:
            return Commitment.objects.none()
        return selectors.linkable_commitments(patient=request.user)


class EntrySerializer(KnownFieldsOnly, EncryptedTextMixin, fields.ModelSerializer):
    commitment = LinkableCommitmentField()
    shared = fields.BooleanField(required=False)

    common_fields = ["id", "shared", "commitment", "created_at", "updated_at", "version"]


class ReflectionSerializer(EntrySerializer):
    text_fields = ("kind_words",)
    date = fields.DateField(required=False, help_text="The local day; defaults to today in the patient's zone.")
    effort = text(2000, required=True)
    # No serializer default: it would fill a PUT that leaves the field out and replace the
    # patient's words. The model fills it when the reflection is created without it.
    kind_words = text(500, help_text=f"Defaults to “{DEFAULT_KIND_WORDS}” when the reflection is created without it.")
    mood = fields.IntegerField(min_value=MOOD_MIN, max_value=MOOD_MAX, allow_null=True, required=False)

    class Meta:
        model = Reflection
        fields = [*EntrySerializer.common_fields, "date", "effort", "kind_words", "mood"]
        read_only_fields = ["id", "created_at", "updated_at", "version"]


@extend_schema_field({"type": "string", "pattern": SCHEMA_WEEK_PATTERN, "example": "2026-W48"})
class WeekField(fields.CharField):
    default_error_messages = {"invalid_week": "An ISO week such as 2026-W48."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 8)
        kwargs.setdefault("trim_whitespace", False)  # " 2026-W48" is a slip to refuse, not to mend
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return parse_week(value)
        except ValueError:
            self.fail("invalid_week")


class PrideEntrySerializer(EntrySerializer):
    text_fields = ("note",)
    week = WeekField(required=False, help_text="ISO week YYYY-Www; defaults to this week in the patient's zone.")
    items = fields.TextListField(
        item_max_length=PRIDE_ITEM_MAX_LENGTH, min_length=PRIDE_ITEMS_MIN, max_length=PRIDE_ITEMS_MAX
    )
    note = text(2000)
    target = serializers.SerializerMethodField(
        help_text="Items that meet the week: the target of the entry's commitment, else of the patient's active "
        "pride commitment, else 3."
    )
    met = serializers.SerializerMethodField()

    class Meta:
        model = PrideEntry
        fields = [*EntrySerializer.common_fields, "week", "items", "note", "target", "met"]
        read_only_fields = ["id", "created_at", "updated_at", "version"]

    def get_target(self, entry: PrideEntry) -> int:
        return entry.target(active_target=self.active_target(entry.patient_id))

    def get_met(self, entry: PrideEntry) -> bool:
        return entry.met(active_target=self.active_target(entry.patient_id))

    def active_target(self, patient_id: uuid.UUID) -> int | None:
        """The patient's active pride target, read once per response (a list shares its context)."""
        context = cast("dict[str, Any]", self.context)  # the root serializer's dict, typed read-only
        known: dict[uuid.UUID, int | None] = context.setdefault("active_pride_targets", {})
        if patient_id not in known:
            known[patient_id] = selectors.active_pride_targets(patient_ids=[patient_id]).get(patient_id)
        return known[patient_id]


class ExperimentSerializer(EntrySerializer):
    text_fields = ("worry", "outcome", "learned", "kind_words")
    title = text(200, required=True)
    worry = text(2000, help_text="What the patient feared would happen.")
    outcome = text(2000, help_text="What did happen.")
    learned = text(2000)
    kind_words = text(500)
    date = serializers.DateField(read_only=True, help_text="The local day it was written.")

    class Meta:
        model = Experiment
        fields = [
            *EntrySerializer.common_fields,
            "title",
            "planned_for",
            "date",
            "worry",
            "outcome",
            "learned",
            "kind_words",
            "status",
        ]
        read_only_fields = ["id", "created_at", "updated_at", "version"]


# --- Progress (the patient's, and a therapist's view of it) ---------------------------------


class PrideWeekSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Items written that week.")
    target = serializers.IntegerField()
    met = serializers.BooleanField()


class ReflectionWeekSerializer(serializers.Serializer):
    days = serializers.IntegerField(source="reflection_days")
    dates = serializers.ListField(child=serializers.DateField(), source="reflection_dates")


class ProgressWeekSerializer(serializers.Serializer):
    week = WeekField(read_only=True, help_text="ISO week YYYY-Www.")
    pride = PrideWeekSerializer()
    reflections = ReflectionWeekSerializer(source="*")
    experiments_done = serializers.IntegerField(
        source="experiments_tried", help_text="Experiments tried that week, whatever happened."
    )
    mood_avg = serializers.FloatField(allow_null=True)


class ProgressReportSerializer(serializers.Serializer):
    timezone = serializers.CharField(help_text="The zone the weeks are counted in: the patient's.")
    practice_streak_weeks = serializers.IntegerField(
        help_text="Weeks in a row with any practice; this week counts once it has some."
    )
    last_active_at = serializers.DateTimeField(allow_null=True)
    weeks = ProgressWeekSerializer(many=True, help_text="Newest first.")


class ProgressQuerySerializer(serializers.Serializer):
    """``?weeks=`` of a progress report (the patient's own, or a linked patient's for a therapist)."""

    weeks = fields.QueryIntegerField(min_value=1, max_value=52, default=8)
