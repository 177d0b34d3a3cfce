"""The reminders' section of ``GET /api/v1/me/export/``: reminders, settings, devices (never
their tokens) and every delivery, shown as their own endpoints show them (registered with
accounts.export in ``RemindersConfig.ready``)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.export import Section
from accounts.models import User
from reminders import selectors
from reminders.serializers import (
    DeliverySerializer,
    DeviceSerializer,
    ReminderSerializer,
    ReminderSettingsSerializer,
)


class RemindersExportSerializer(serializers.Serializer[dict[str, Any]]):
    reminders = ReminderSerializer(many=True, read_only=True)
    settings = ReminderSettingsSerializer(read_only=True)
    devices = DeviceSerializer(many=True, read_only=True)
    deliveries = DeliverySerializer(many=True, read_only=True)


def reminders_section(user: User) -> dict[str, Any]:
    return RemindersExportSerializer(
        {
            "reminders": selectors.reminders_of(patient=user).order_by("created_at", "id"),
            "settings": selectors.settings_of(patient=user),
            "devices": selectors.devices_of(user=user).order_by("created_at", "id"),
            "deliveries": selectors.deliveries_of(patient=user).order_by("slot_at", "id"),
        }
    ).data


SECTION = Section(read=reminders_section, shape=RemindersExportSerializer(read_only=True))
