"""The migration that encrypts the device tokens already stored, and its reverse."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from reminders.models import Device
from tests.factories import PatientFactory
from tests.helpers import migrate_to

BEFORE = ("reminders", "0001_initial")
ENCRYPTED = ("reminders", "0002_encrypted_device_tokens")
TOKENS = ["an-fcm-token-stored-in-plain-text", '{"endpoint":"https://fcm.googleapis.com/x","keys":{"auth":"AUTH"}}']


def raw_tokens() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {Device._meta.db_table} ORDER BY token_hash")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_tokens_stored_before_are_encrypted_and_the_reverse_gives_them_back(back_at_the_end):
    executor = migrate_to(BEFORE)
    OldDevice = executor.loader.project_state([BEFORE]).apps.get_model("reminders", "Device")
    user, now = PatientFactory(), timezone.now()
    for n, token in enumerate(TOKENS):
        OldDevice.objects.create(
            user_id=user.pk, platform="android", token=token, token_hash=f"h{n}", created_at=now, last_registered_at=now
        )
    assert raw_tokens() == TOKENS

    migrate_to(ENCRYPTED)
    assert not any(token in value for value in raw_tokens() for token in TOKENS)
    assert [device.token for device in Device.objects.order_by("token_hash")] == TOKENS

    migrate_to(BEFORE)
    assert raw_tokens() == TOKENS


@pytest.mark.django_db(transaction=True)
def test_running_the_encryption_again_leaves_encrypted_tokens_alone(back_at_the_end):
    migrate_to(ENCRYPTED)
    device = Device.objects.create(
        user=PatientFactory(), platform="ios", token="apns-token", token_hash="h", created_at=timezone.now(),
        last_registered_at=timezone.now(),
    )  # fmt: skip
    stored = raw_tokens()
    executor = MigrationExecutor(connection)
    module = executor.loader.get_migration(*ENCRYPTED)
    state = executor.loader.project_state([ENCRYPTED])
    with connection.schema_editor() as schema_editor:
        module.operations[-1].code(state.apps, schema_editor)  # an interrupted run, run again
    assert raw_tokens() == stored
    device.refresh_from_db()
    assert device.token == "apns-token"
