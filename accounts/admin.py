"""Staff views of accounts. Free text (an invite's note) is never shown: it is health-adjacent
data, and staff have no need of it to support a user. No page shows a credential: no
password hash, no invite code (only its hash is stored), no refresh token."""

from django.contrib import admin
from django.http import HttpRequest
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

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


# simplejwt's own pages show whole refresh tokens: a staff member could copy one and read a
# patient's journal. Staff see which tokens exist (jti, whose, until when), never the token.
admin.site.unregister(OutstandingToken)
admin.site.unregister(BlacklistedToken)


@admin.register(OutstandingToken)
class OutstandingTokenAdmin(admin.ModelAdmin):
    list_display = ["jti", "user", "created_at", "expires_at"]
    list_select_related = ["user"]
    search_fields = ["user__email", "jti"]
    fields = readonly_fields = ("jti", "user", "created_at", "expires_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Deleting a token row takes its blacklist row with it: a logged-out token would work again.
        return False


@admin.register(BlacklistedToken)
class BlacklistedTokenAdmin(admin.ModelAdmin):
    list_display = ["token_jti", "token_user", "blacklisted_at"]
    list_select_related = ["token__user"]
    fields = readonly_fields = ("token_jti", "token_user", "blacklisted_at")

    @admin.display(description="jti")
    def token_jti(self, obj: BlacklistedToken) -> str:
        return obj.token.jti

    @admin.display(description="user")
    def token_user(self, obj: BlacklistedToken) -> object:
        return obj.token.user

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # un-blacklisting would bring a logged-out token back to life
