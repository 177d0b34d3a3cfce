"""Push devices: a user holds a handful, and their tokens are not readable at rest.

A user registering device after device (a script, or an app that makes a new token at each
start) keeps at most ``MAX_DEVICES``: the one registered longest ago makes room, so one
reminder never costs a worker more than that many pushes.
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection

from reminders import sending
from reminders.models import MAX_DEVICES, Device
from reminders.services import device_register, token_hash
from tests.factories import PatientFactory
from tests.helpers import WEB_PUSH_KEYS, client_for, needs_concurrent_transactions
from tests.reminders.helpers import z
from tests.reminders.test_sending import SLOT, a_due_delivery, run_at_once

DEVICES = "/api/v1/devices/"
FCM_PATH = "/v1/projects/good-enough/messages:send"


@pytest.fixture
def push(nothing_configured, server):
    nothing_configured.REMINDER_CHANNEL_PUSH_URL = f"{server.url}{FCM_PATH}"
    return server


def pushed_tokens(server) -> list[str]:
    return sorted(request.json()["message"]["token"] for request in server.received)


def register(user, token: str, *, at) -> Device:
    return device_register(user=user, now=at, platform="android", token=token)[0]


@pytest.mark.django_db
def test_a_user_holds_at_most_five_devices_and_the_sixth_replaces_the_oldest(push):
    delivery = a_due_delivery(channels=["push"])
    patient = delivery.patient
    as_patient = client_for(patient)
    tokens = [f"fcm-token-{n}" for n in range(MAX_DEVICES + 1)]
    for n, token in enumerate(tokens[:MAX_DEVICES]):
        register(patient, token, at=SLOT - timedelta(days=30 - n))
    response = as_patient.post(DEVICES, {"platform": "android", "token": tokens[-1]})
    assert response.status_code == 201
    listed = as_patient.get(DEVICES).json()["results"]
    assert len(listed) == MAX_DEVICES == 5
    assert response.json()["id"] in {device["id"] for device in listed}
    assert not Device.objects.filter(token_hash=token_hash(tokens[0])).exists()  # the oldest made room
    assert sending.delivery_send(delivery_id=str(delivery.id), now=SLOT).sent is True
    assert pushed_tokens(push) == sorted(tokens[1:])  # the oldest no longer receives


@pytest.mark.django_db
def test_registering_an_old_device_again_makes_it_the_newest_and_an_unregistered_one_goes_first(nothing_configured):
    patient = PatientFactory()
    start = z("2026-11-01T12:00:00Z")
    for n in range(MAX_DEVICES):
        register(patient, f"token-{n}", at=start + timedelta(days=n))
    register(patient, "token-0", at=start + timedelta(days=10))  # the oldest, used again: now the newest
    Device.objects.filter(token_hash=token_hash("token-3")).update(active=False)  # the app was uninstalled
    register(patient, "token-new", at=start + timedelta(days=11))
    register(patient, "token-newer", at=start + timedelta(days=12))
    assert sorted(Device.objects.filter(user=patient).values_list("token_hash", flat=True)) == sorted(
        token_hash(token) for token in ("token-0", "token-2", "token-4", "token-new", "token-newer")
    )


@pytest.mark.django_db
def test_the_cap_is_per_user(nothing_configured):
    start = z("2026-11-01T12:00:00Z")
    first, second = PatientFactory(), PatientFactory()
    for n in range(MAX_DEVICES):
        register(first, f"first-{n}", at=start + timedelta(minutes=n))
        register(second, f"second-{n}", at=start + timedelta(minutes=n))
    assert Device.objects.filter(user=first).count() == Device.objects.filter(user=second).count() == MAX_DEVICES


@pytest.mark.django_db
def test_a_browser_registered_by_an_earlier_version_is_the_same_device_when_it_registers_again(nothing_configured):
    """A web subscription is stored written one way (compact, keys sorted, characters as they are):
    the hash of that form is how the device is found, so the form outlives upgrades."""
    patient = PatientFactory()
    stored = (
        '{"endpoint":"https://fcm.googleapis.com/fcm/send/café-1","expirationTime":null,'
        f'"keys":{{"auth":"{AUTH}","p256dh":"{P256DH}"}}}}'
    )
    earlier = Device.objects.create(
        user=patient, platform="web", token=stored, token_hash=token_hash(stored), created_at=SLOT,
        last_registered_at=SLOT,
    )  # fmt: skip
    sent_again = json.dumps(  # the browser's JSON, spaced, in its own order, escaped
        {"keys": {"p256dh": P256DH, "auth": AUTH}, "expirationTime": None,
         "endpoint": "https://fcm.googleapis.com/fcm/send/café-1"}, indent=2, ensure_ascii=True,
    )  # fmt: skip
    device, created = device_register(user=patient, now=SLOT + timedelta(days=1), platform="web", token=sent_again)
    assert (device.id, created) == (earlier.id, False)
    assert Device.objects.filter(user=patient).count() == 1


@needs_concurrent_transactions
@pytest.mark.django_db(transaction=True)
def test_registrations_at_once_never_leave_more_than_the_cap(nothing_configured):
    patient = PatientFactory()
    start = z("2026-11-01T12:00:00Z")
    for n in range(MAX_DEVICES - 1):
        register(patient, f"token-{n}", at=start + timedelta(minutes=n))
    tokens = iter(["at-once-a", "at-once-b", "at-once-c"])
    taking = threading.Lock()

    def one() -> Device:
        with taking:
            token = next(tokens)
        return register(patient, token, at=start + timedelta(hours=1))

    run_at_once(3, one)
    assert Device.objects.filter(user=patient).count() == MAX_DEVICES


# --- Tokens at rest --------------------------------------------------------------------------

P256DH, AUTH = WEB_PUSH_KEYS["p256dh"], WEB_PUSH_KEYS["auth"]
FCM_TOKEN = "fcm-registration-token-of-the-chefs-phone-" + "k" * 100


def raw_tokens() -> list[str]:
    """The token column as the database holds it, past the model field."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {Device._meta.db_table}")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_push_tokens_and_subscription_keys_are_not_readable_in_the_database_and_sending_still_works(push):
    delivery = a_due_delivery(channels=["push"])
    as_patient = client_for(delivery.patient)
    subscription = json.dumps(
        {"endpoint": "https://fcm.googleapis.com/fcm/send/abc123", "keys": {"p256dh": P256DH, "auth": AUTH}}
    )
    assert as_patient.post(DEVICES, {"platform": "web", "token": subscription}).status_code == 201
    assert as_patient.post(DEVICES, {"platform": "android", "token": FCM_TOKEN}).status_code == 201
    stored = raw_tokens()
    assert len(stored) == 2
    for secret in (P256DH, AUTH, FCM_TOKEN, "fcm-registration-token", "abc123"):
        assert not any(secret in value for value in stored), secret
    # What the channels are given is the token as registered (the subscription written canonically).
    web = Device.objects.get(platform="web")
    assert json.loads(web.token) == json.loads(subscription)
    assert Device.objects.get(platform="android").token == FCM_TOKEN
    # Registering the same token again still finds the same device: the lookup is its hash.
    assert as_patient.post(DEVICES, {"platform": "android", "token": FCM_TOKEN}).status_code == 200
    # Web Push is not configured here: the FCM stand-in receives the phone's token, decrypted.
    assert sending.delivery_send(delivery_id=str(delivery.id), now=SLOT).sent is True
    assert pushed_tokens(push) == [FCM_TOKEN]
