"""Staff views of the journal: enough to support a patient, never what they wrote.

Only structural fields are listed and shown; the encrypted text is left out entirely, and
the pages are read-only (the journal is written through the app, by the patient).
"""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from journal.models import Commitment, Experiment, PrideEntry, Reflection


class ReadOnlyJournalAdmin(ReadOnlyAdmin):
    list_select_related = ["patient"]
    search_fields = ["patient__email"]
    date_hierarchy = "created_at"


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyJournalAdmin):
    list_display = ["id", "patient", "kind", "cadence", "target_count", "status", "created_at"]
    list_filter = ["kind", "cadence", "status"]
    fields = ["id", "patient", "kind", "cadence", "target_count", "starts_on", "ends_on", "status", "created_by",
              "session_id", "created_at", "updated_at", "deleted_at", "version", "seq"]  # fmt: skip


@admin.register(Reflection)
class ReflectionAdmin(ReadOnlyJournalAdmin):
    list_display = ["id", "patient", "date", "mood", "shared", "deleted_at"]
    list_filter = ["shared", "mood", ("deleted_at", admin.EmptyFieldListFilter)]
    fields = ["id", "patient", "date", "mood", "shared", "commitment", "created_at", "updated_at", "deleted_at",
              "version", "seq"]  # fmt: skip


@admin.register(PrideEntry)
class PrideEntryAdmin(ReadOnlyJournalAdmin):
    list_display = ["id", "patient", "week", "item_count", "shared", "deleted_at"]
    list_filter = ["shared", ("deleted_at", admin.EmptyFieldListFilter)]
    fields = ["id", "patient", "week", "item_count", "shared", "commitment", "created_at", "updated_at",
              "deleted_at", "version", "seq"]  # fmt: skip


@admin.register(Experiment)
class ExperimentAdmin(ReadOnlyJournalAdmin):
    list_display = ["id", "patient", "date", "planned_for", "status", "shared", "deleted_at"]
    list_filter = ["status", "shared", ("deleted_at", admin.EmptyFieldListFilter)]
    fields = ["id", "patient", "date", "planned_for", "status", "shared", "commitment", "created_at", "updated_at",
              "deleted_at", "version", "seq"]  # fmt: skip
