"""The journal's record kinds, once: what sync calls each, its model, its export section,
its serializer and its slot. Sync, the export and the services all read this table.

The serializer is named by its import path and resolved on first use, so the domain code
that reads this table (selectors, services) never imports the API layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from django.utils.module_loading import import_string

from journal.models import Commitment, Experiment, JournalRecord, PrideEntry, Reflection

if TYPE_CHECKING:
    from rest_framework.serializers import BaseSerializer


@dataclass(frozen=True)
class RecordKind:
    name: str  # the ``type`` of a sync change
    model: type[JournalRecord]
    export_key: str  # the section of ``/me/export/`` under ``journal``
    serializer_path: str = field(repr=False)

    @property
    def slot_field(self) -> str | None:
        return self.model.slot_field

    @cached_property
    def serializer(self) -> type[BaseSerializer]:
        """How the record's own endpoint shows it; sync and the export show it the same way."""
        serializer: type[BaseSerializer] = import_string(self.serializer_path)
        return serializer


#: Oldest concept first; sync pages and the export follow this order.
KINDS: tuple[RecordKind, ...] = (
    RecordKind("commitment", Commitment, "commitments", "journal.serializers.CommitmentSerializer"),
    RecordKind("reflection", Reflection, "reflections", "journal.serializers.ReflectionSerializer"),
    RecordKind("pride_entry", PrideEntry, "pride_entries", "journal.serializers.PrideEntrySerializer"),
    RecordKind("experiment", Experiment, "experiments", "journal.serializers.ExperimentSerializer"),
)

# Importable for drf-spectacular's ENUM_NAME_OVERRIDES: the one-value ``type`` of each kind's
# sync change (and of a therapist's shared entry), named as sync first named them.
COMMITMENT_TYPE = [("commitment", "commitment")]
REFLECTION_TYPE = [("reflection", "reflection")]
PRIDE_ENTRY_TYPE = [("pride_entry", "pride_entry")]
EXPERIMENT_TYPE = [("experiment", "experiment")]
