"""Staff views of the therapist's workspace: that a session was held and who read what, never
what was said (notes and transcripts are health data and are not shown).

Nothing is added, changed or deleted here: the access log is the patient's record of who
read their data, and a session is the therapist's.
"""

from django.contrib import admin
from django.http import HttpRequest

from care.models import AccessLog, Session
from core import admin as core_admin


class ReadOnlyAdmin(core_admin.ReadOnlyAdmin):
    search_fields = ["patient__email"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = ["id", "held_on", "therapist", "patient", "turns", "created_at"]
    list_select_related = ["therapist", "patient"]
    date_hierarchy = "held_on"
    fields = ["id", "held_on", "therapist", "patient", "turns", "warnings", "created_at"]


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "day", "what", "count", "therapist_name", "patient"]
    list_filter = ["what"]
    list_select_related = ["patient"]
    date_hierarchy = "at"
    fields = ["id", "day", "first_at", "at", "count", "what", "therapist", "therapist_name", "patient"]
