"""A patient's reminders leave with their export, and with their erasure."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from reminders.dispatcher import dispatch_due
from reminders.models import Delivery, Device, Reminder, ReminderSettings
from tests.accounts.test_me import rows_mentioning

pytestmark = pytest.mark.django_db


@pytest.fixture
def set_up(as_chef, chef):
    assert (
        as_chef.post("/api/v1/reminders/", {"kind": "custom", "local_time": "07:30", "weekdays": [1, 3]}).status_code
        == 201
    )
    assert (
        as_chef.put(
            "/api/v1/reminders/settings/", {"channels": ["push"], "quiet_start": "22:00", "quiet_end": "07:00"}
        ).status_code
        == 200
    )
    assert (
        as_chef.post("/api/v1/devices/", {"platform": "android", "token": "the-chefs-phone-token"}).status_code == 201
    )
    Reminder.objects.filter(patient=chef).update(next_fire_at=timezone.now())
    dispatch_due(now=timezone.now(), enqueue=lambda ids: None)
    return as_chef


def test_the_export_carries_reminders_settings_devices_and_deliveries_but_no_token(set_up):
    document = json.loads(set_up.get("/api/v1/me/export/").content)
    section = document["reminders"]
    assert [(r["kind"], r["local_time"], r["weekdays"]) for r in section["reminders"]] == [("custom", "07:30", [1, 3])]
    assert (section["settings"]["quiet_start"], section["settings"]["quiet_end"]) == ("22:00", "07:00")
    assert [device["platform"] for device in section["devices"]] == ["android"]
    assert len(section["deliveries"]) == 1
    assert "the-chefs-phone-token" not in json.dumps(document)


def test_a_patients_erasure_leaves_no_reminder_row(set_up, chef):
    assert Delivery.objects.filter(patient=chef).exists()
    assert set_up.delete("/api/v1/me/", {"password": "a-new-recipe-2026"}).status_code == 204
    assert rows_mentioning(chef) == []
    for model in (Reminder, ReminderSettings, Device, Delivery):
        assert not model.objects.exists(), model
