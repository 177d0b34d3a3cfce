"""Staff views of accounts. Free text (an invite's note) is never shown: it is health-adjacent
data, and staff have no need of it to support a user."""

from django.contrib import admin

from accounts.models import CareLink, Invite, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "display_name", "role", "timezone", "is_active", "is_staff", "created_at"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email", "display_name"]
    ordering = ["-created_at"]
    fields = ["id", "email", "display_name", "role", "timezone", "is_active", "is_staff", "last_login", "created_at"]
    readonly_fields = ["id", "last_login", "created_at"]


@admin.register(CareLink)
class CareLinkAdmin(admin.ModelAdmin):
    list_display = ["id", "therapist", "patient", "status", "share_entries", "created_at", "ended_at"]
    list_filter = ["status", "share_entries"]
    search_fields = ["therapist__email", "patient__email"]
    list_select_related = ["therapist", "patient"]
    readonly_fields = ["id", "therapist", "patient", "created_at", "ended_at", "version"]
    fields = ["id", "therapist", "patient", "status", "share_entries", "created_at", "ended_at", "version"]


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    list_display = ["id", "therapist", "created_at", "expires_at", "used_at"]
    list_select_related = ["therapist"]
    fields = ["id", "therapist", "created_at", "expires_at", "used_at", "used_by"]
    readonly_fields = fields  # type: ignore[assignment]  # plain names; the stubs allow groups in fields

    def has_add_permission(self, request):
        # An invite's code exists only in the response to the therapist who made it.
        return False
