"""Safety's section of ``GET /api/v1/me/export/``: every flag raised on what the patient wrote,
and every request for a check-in, with who marked it seen and when (registered with
accounts.export in ``SafetyConfig.ready``)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.export import Section
from accounts.models import User
from accounts.serializers import PersonSerializer
from safety.models import Flag


class FlagExportSerializer(serializers.ModelSerializer[Flag]):
    seen_by = PersonSerializer(allow_null=True, read_only=True, help_text="The therapist who marked it seen.")
    sentence = serializers.CharField(
        allow_null=True, read_only=True, help_text="The sentence, as written; null for a check-in and once cleared."
    )
    kind = serializers.CharField(
        source="risk_kind", allow_null=True, read_only=True, help_text="What the words sounded like; null: a check-in."
    )

    class Meta:
        model = Flag
        fields = [
            "id",
            "source",
            "entry_id",
            "entry_when",
            "kind",
            "sentence",
            "shared",
            "raised_at",
            "cleared_at",
            "notified_at",
            "seen_at",
            "seen_by",
        ]
        read_only_fields = fields


class SafetyExportSerializer(serializers.Serializer[dict[str, Any]]):
    flags = FlagExportSerializer(
        many=True,
        read_only=True,
        help_text="Entries whose words sounded like crisis, and requests for a check-in, oldest first. "
        "`notified_at`: when the therapists were told (once); `cleared_at`: the words were edited away or deleted.",
    )


def safety_section(user: User) -> dict[str, Any]:
    flags = Flag.objects.filter(patient=user).select_related("seen_by").order_by("raised_at", "id")
    return SafetyExportSerializer({"flags": flags}).data


SECTION = Section(read=safety_section, shape=SafetyExportSerializer(read_only=True))
