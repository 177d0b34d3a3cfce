"""Care's section of ``GET /api/v1/me/export/`` (registered in ``CareConfig.ready``): a
patient's access log; a therapist's sessions, with their notes and transcripts."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.export import Section
from accounts.models import User
from care.models import Session
from care.selectors import access_log_of
from care.serializers import AccessLogSerializer


class ExportSessionSerializer(serializers.ModelSerializer[Session]):
    patient = serializers.UUIDField(source="patient_id")
    title = serializers.CharField(allow_null=True)
    notes = serializers.CharField(allow_null=True)
    transcript = serializers.CharField(allow_null=True)

    class Meta:
        model = Session
        fields = ["id", "patient", "held_on", "title", "notes", "transcript", "turns", "created_at"]


class CareExportSerializer(serializers.Serializer[dict[str, Any]]):
    access_log = AccessLogSerializer(many=True, read_only=True, help_text="Therapists' reads of your records.")
    sessions = ExportSessionSerializer(many=True, read_only=True, help_text="Sessions you recorded (therapists).")


def care_section(user: User) -> dict[str, Any]:
    return CareExportSerializer(
        {
            "access_log": access_log_of(user).order_by("at", "id"),
            "sessions": Session.objects.filter(therapist=user).order_by("held_on", "created_at"),
        }
    ).data


SECTION = Section(read=care_section, shape=CareExportSerializer(read_only=True))
