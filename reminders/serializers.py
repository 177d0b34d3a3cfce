from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import fields, outbound
from core.fields import LocalTimeField, UniqueListField, WeekdaysField
from core.serializers import KnownFieldsOnly
from journal.serializers import LinkableCommitmentField
from reminders.models import DEFAULT_CHANNELS, Delivery, Device, Reminder, ReminderSettings

#: An FCM or APNs token is a few hundred characters; a Web Push subscription as JSON stays far below this.
TOKEN_MAX_LENGTH = 4096

#: The kinds a patient may create, in the model's order (the schema's enum is stable).
PATIENT_KIND_CHOICES = [(value, label) for value, label in Reminder.Kind.choices if value in Reminder.PATIENT_KINDS]


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "enum": [value for value, _ in ReminderSettings.Channel.choices]},
        "minItems": 1,
        "uniqueItems": True,
    }
)
class ChannelsField(UniqueListField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            child=serializers.ChoiceField(choices=ReminderSettings.Channel.choices),
            min_length=1,
            max_length=len(ReminderSettings.Channel.choices),
            **kwargs,
        )


# --- Reminders -----------------------------------------------------------------------------


class ReminderSerializer(serializers.ModelSerializer[Reminder]):
    """A reminder as every answer shows it (the experiment nudges too: ``kind`` has every kind)."""

    kind = serializers.ChoiceField(choices=Reminder.Kind.choices, read_only=True)
    commitment = serializers.UUIDField(source="commitment_id", read_only=True, allow_null=True)
    local_time = LocalTimeField(read_only=True)
    weekdays = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    next_fire_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="The next time it fires, in UTC; null when it is disabled or has no slot left.",
    )

    class Meta:
        model = Reminder
        fields = [
            "id",
            "kind",
            "commitment",
            "local_time",
            "weekdays",
            "enabled",
            "next_fire_at",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields


class ReminderUpdateSerializer(KnownFieldsOnly, serializers.Serializer[Reminder]):
    commitment = LinkableCommitmentField(help_text="One of the patient's own commitments, or null.")
    local_time = LocalTimeField(help_text="On the patient's wall clock, in their zone: HH:MM, 24-hour.")
    weekdays = WeekdaysField()
    enabled = fields.BooleanField()


class ReminderCreateSerializer(ReminderUpdateSerializer):
    kind = serializers.ChoiceField(
        choices=PATIENT_KIND_CHOICES, help_text="The experiment nudges are the server's to make, not a client's."
    )
    enabled = fields.BooleanField(default=True)


# --- Settings ------------------------------------------------------------------------------


class ReminderSettingsSerializer(KnownFieldsOnly, serializers.Serializer[ReminderSettings]):
    """The patient's settings; never saved, they are the defaults (version 0)."""

    quiet_start = LocalTimeField(
        allow_null=True,
        default=None,
        help_text="Nothing is sent from this local time (HH:MM) to `quiet_end`; with `quiet_end`, or null with it.",
    )
    quiet_end = LocalTimeField(
        allow_null=True, default=None, help_text="The end of quiet hours; before `quiet_start` spans midnight."
    )
    paused_until = fields.DateField(
        allow_null=True, default=None, help_text="No reminders up to and including this local day; null: not paused."
    )
    channels = ChannelsField(default=list(DEFAULT_CHANNELS), help_text="Where reminders go; defaults to push.")
    updated_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="null while the defaults have never been saved."
    )
    version = serializers.IntegerField(read_only=True, help_text="0 while the defaults have never been saved.")


# --- Devices and deliveries ----------------------------------------------------------------


class WebPushKeySerializer(serializers.Serializer[Any]):
    public_key = serializers.CharField(
        allow_null=True,
        read_only=True,
        help_text="The server's VAPID public key, unpadded base64url: pass it to `pushManager.subscribe` as "
        "`applicationServerKey`. Null when this server sends no Web Push.",
    )


class DeviceSerializer(KnownFieldsOnly, serializers.ModelSerializer[Device]):
    token = fields.CharField(
        write_only=True,
        max_length=TOKEN_MAX_LENGTH,
        trim_whitespace=False,
        help_text="The FCM or APNs registration token; for `web`, the Push API subscription as JSON "
        "(`PushSubscription.toJSON()`: an https `endpoint` and `keys` with `p256dh` and `auth`). "
        "Never sent back.",
    )

    class Meta:
        model = Device
        fields = ["id", "platform", "token", "active", "created_at", "last_registered_at"]
        read_only_fields = ["id", "active", "created_at", "last_registered_at"]

    def validate_token(self, value: str) -> str:
        # Kept as sent (a token is opaque), but a token of only spaces is no token.
        if not value.strip():
            raise serializers.ValidationError("A push token, not only spaces.", code="blank")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("platform") == Device.Platform.WEB:
            _check_push_endpoint(attrs["token"])
        return attrs


def _check_push_endpoint(token: str) -> None:
    """A web subscription's endpoint is where the worker will POST: only a push service's
    https host, judged by name (no lookup now; ``core.outbound`` checks the addresses when
    sending). A token that is no subscription at all is the device service's to refuse."""
    try:
        endpoint = json.loads(token).get("endpoint")
    except (ValueError, AttributeError):
        return
    except RecursionError:  # "[[[[…": JSON nested deeper than the parser goes is no subscription either
        raise serializers.ValidationError(
            {"token": serializers.ErrorDetail("Not a Push API subscription.", code="invalid_subscription")}
        ) from None
    if not isinstance(endpoint, str) or urlsplit(endpoint).scheme != "https" or not urlsplit(endpoint).netloc:
        return
    refusal = outbound.url_refusal(endpoint, allowed_hosts=settings.WEBPUSH_ALLOWED_HOSTS)
    if refusal is not None:
        raise serializers.ValidationError(
            {
                "token": serializers.ErrorDetail(
                    "The subscription's endpoint is not a push service this server sends to "
                    "(Firebase, Mozilla, Apple or Windows push, unless the operator listed others).",
                    code="push_service_not_allowed",
                )
            }
        )


class DeliverySerializer(serializers.ModelSerializer[Delivery]):
    reminder = serializers.UUIDField(source="reminder_id", read_only=True)
    local_slot = serializers.CharField(
        read_only=True, help_text="The slot on the patient's clock, with its offset: 2026-03-29T03:00:00+01:00."
    )
    channel = serializers.CharField(read_only=True, help_text="Where it went (`push`, `email`...); empty if nowhere.")

    class Meta:
        model = Delivery
        fields = ["id", "reminder", "slot_at", "local_slot", "status", "channel", "attempts", "sent_at"]
        read_only_fields = fields
