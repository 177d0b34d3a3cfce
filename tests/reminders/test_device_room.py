"""Which device makes room when a user registers one more than they may hold."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reminders.models import MAX_DEVICES, Device
from reminders.services import device_register
from tests.factories import PatientFactory
from tests.reminders.helpers import z

pytestmark = pytest.mark.django_db

NOW = z("2026-11-26T20:00:00Z")


def test_of_two_devices_last_registered_at_one_moment_the_one_first_registered_longer_ago_makes_room():
    user = PatientFactory()
    device_register(user=user, now=NOW - timedelta(days=30), platform="android", token="the-old-phone")
    for n in range(MAX_DEVICES - 1):
        device_register(user=user, now=NOW - timedelta(days=2), platform="android", token=f"phone-{n}")
    # The old phone's app registers again at the very moment the last of the others did.
    device_register(user=user, now=NOW - timedelta(days=2), platform="android", token="the-old-phone")
    device_register(user=user, now=NOW, platform="android", token="a-new-phone")
    tokens = set(Device.objects.filter(user=user).values_list("token", flat=True))
    assert len(tokens) == MAX_DEVICES
    assert "the-old-phone" not in tokens
