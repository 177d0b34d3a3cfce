"""The journal's section of ``GET /api/v1/me/export/``: every living record, shown as its
own endpoint shows it (registered with accounts.export in ``JournalConfig.ready``)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.export import Section
from accounts.models import User
from journal.kinds import KINDS
from journal.selectors import records_of


def journal_section(user: User) -> dict[str, Any]:
    """Empty lists for a therapist: their journal-side writing is their patients'."""
    return {
        kind.export_key: kind.serializer(
            records_of(model=kind.model, patient=user).order_by("created_at", "id"), many=True
        ).data
        for kind in KINDS
    }


JournalExportSerializer = type(
    "JournalExportSerializer",
    (serializers.Serializer,),
    {kind.export_key: kind.serializer(many=True, read_only=True) for kind in KINDS},
)

SECTION = Section(read=journal_section, shape=JournalExportSerializer(read_only=True))
