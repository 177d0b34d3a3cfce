"""Staff views of reminders: enough to answer "why did I (not) get a nudge?", found by e-mail.

Nothing is added or changed here: a reminder changed here would skip the service that plans
its next slot and bumps its version. A delivery is never deleted either (it holds its slot).
No page shows a push token (it addresses someone's phone), only the start of its hash; no
journal text is involved (a commitment shows as its kind and id).
"""

from django.contrib import admin
from django.http import HttpRequest

from core import admin as core_admin
from reminders.models import Delivery, Device, Reminder, ReminderSettings


class ReadOnlyAdmin(core_admin.ReadOnlyAdmin):
    search_fields = ["patient__email"]
    list_select_related = ["patient"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["id", "patient", "kind", "local_time", "weekdays", "on_date", "enabled", "next_fire_at"]
    list_filter = ["kind", "enabled"]
    fields = ["id", "patient", "kind", "commitment", "experiment", "local_time", "weekdays", "on_date", "enabled",
              "next_fire_at", "created_at", "updated_at", "version"]  # fmt: skip


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "patient", "reminder", "slot_at", "local_slot", "status", "channel", "attempts", "sent_at"]
    list_filter = ["status", "channel"]
    list_select_related = ["patient", "reminder"]
    date_hierarchy = "slot_at"
    fields = ["id", "patient", "reminder", "slot_at", "local_slot", "status", "channel", "attempts", "created_at",
              "enqueued_at", "sent_at", "last_error"]  # fmt: skip

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # The row is the lock on its slot: without it, a retried task could send the slot again.
        return False


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(ReadOnlyAdmin):
    list_display = ["patient", "quiet_start", "quiet_end", "paused_until", "channels", "updated_at"]
    fields = ["patient", "quiet_start", "quiet_end", "paused_until", "channels", "updated_at", "version"]


@admin.register(Device)
class DeviceAdmin(ReadOnlyAdmin):
    """Staff may delete a device (a token that keeps failing), never read or change its token."""

    list_display = ["id", "user", "platform", "fingerprint", "active", "last_registered_at"]
    list_filter = ["platform", "active"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    fields = ["id", "user", "platform", "fingerprint", "active", "created_at", "last_registered_at"]

    @admin.display(description="token (sha256, start)")
    def fingerprint(self, device: Device) -> str:
        # Enough to match a token in a push service's logs; nothing to send a push with.
        return f"{device.token_hash[:12]}…"
