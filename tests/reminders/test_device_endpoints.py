"""Registering a browser for Web Push: its endpoint is where the worker will POST, so only a
push service's https host is accepted, judged by name at once (no DNS lookup in a request)."""

from __future__ import annotations

import json

import pytest

from reminders.models import Device
from tests.helpers import WEB_PUSH_KEYS, error_attrs, error_codes

pytestmark = pytest.mark.django_db

DEVICES = "/api/v1/devices/"


def subscription(endpoint: str) -> str:
    return json.dumps({"endpoint": endpoint, "expirationTime": None, "keys": WEB_PUSH_KEYS})


def assert_refused(response, code: str) -> None:
    """A 400 on ``token`` with ``code``, and no device stored."""
    assert response.status_code == 400
    assert (error_codes(response), error_attrs(response)) == ([code], ["token"])
    assert not Device.objects.exists()


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://127.0.0.1:8443/push/1",
        "https://169.254.169.254/latest/meta-data/iam/",
        "https://[::1]/push/1",
        "https://[::ffff:127.0.0.1]/push/1",
        "https://2130706433/push/1",
        "https://0x7f000001/push/1",
        "https://0177.0.0.1/push/1",
        "https://127.1/push/1",
        "https://10.0.0.5/push/1",
        "https://metadata.google.internal/computeMetadata/v1/",
        "https://localhost/push/1",
        "https://push.example.test/push/1",
        "https://fcm.googleapis.com.attacker.test/fcm/send/1",
        "https://fcm.googleapis.com@127.0.0.1/fcm/send/1",
    ],
)
def test_a_web_subscription_off_the_push_services_is_refused_and_nothing_is_stored(as_chef, endpoint):
    response = as_chef.post(DEVICES, {"platform": "web", "token": subscription(endpoint)})
    assert_refused(response, "push_service_not_allowed")


def test_a_plain_http_endpoint_is_refused_and_nothing_is_stored(as_chef):
    response = as_chef.post(DEVICES, {"platform": "web", "token": subscription("http://fcm.googleapis.com/fcm/send/1")})
    assert_refused(response, "invalid_subscription")


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/dG9rZW4",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABm",
        "https://web.push.apple.com/QGx1c3Rlcg",
        "https://wns2-par02p.notify.windows.com/w/?token=BQYAAAB",
    ],
)
def test_each_known_push_service_is_accepted(as_chef, endpoint):
    assert as_chef.post(DEVICES, {"platform": "web", "token": subscription(endpoint)}).status_code == 201


def test_the_operator_can_list_another_push_service(as_chef, settings):
    settings.WEBPUSH_ALLOWED_HOSTS = ["push.example.test"]
    assert (
        as_chef.post(DEVICES, {"platform": "web", "token": subscription("https://push.example.test/1")}).status_code
        == 201
    )
    refused = as_chef.post(DEVICES, {"platform": "web", "token": subscription("https://fcm.googleapis.com/fcm/send/1")})
    assert error_codes(refused) == ["push_service_not_allowed"]


def test_a_phone_token_that_looks_like_a_url_is_not_judged_as_one(as_chef):
    # Only a web token is a URL the worker POSTs to; an FCM or APNs token is opaque.
    token = subscription("https://127.0.0.1/push/1")
    assert as_chef.post(DEVICES, {"platform": "android", "token": token}).status_code == 201


@pytest.mark.parametrize("token", ["not json", "null", '"https://fcm.googleapis.com/fcm/send/1"', "[]", "{}"])
def test_a_web_token_that_is_not_a_json_object_is_a_400_not_a_500(as_chef, token):
    assert_refused(as_chef.post(DEVICES, {"platform": "web", "token": token}), "invalid_subscription")


@pytest.mark.parametrize("token", ["[" * 4000, '{"endpoint": ' + "[" * 3000])
def test_a_web_token_nested_deeper_than_json_parses_is_a_400_not_a_500(as_chef, token):
    response = as_chef.post(DEVICES, {"platform": "web", "token": token})
    assert_refused(response, "invalid_subscription")


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com\t/fcm/send/1",
        "https://fcm.googleapis.com/fcm/send/1\n",
        "https://fcm.googleapis.com/fcm/ send/1",
        "https://fcm.googleapis.com/fcm/send/\x7f1",
    ],
)
def test_an_endpoint_with_a_control_character_or_a_space_is_refused(as_chef, endpoint):
    # Python's URL splitter drops tabs and newlines that the sender's parser refuses: the two
    # would read the endpoint differently, the seed of a guard bypass. Refused at once.
    response = as_chef.post(DEVICES, {"platform": "web", "token": subscription(endpoint)})
    assert_refused(response, "invalid_subscription")


@pytest.mark.parametrize(
    "keys",
    [
        {"p256dh": "!!!", "auth": "x"},
        {"p256dh": "AAAA", "auth": "BBBB"},
        {**WEB_PUSH_KEYS, "p256dh": "B" + WEB_PUSH_KEYS["p256dh"][1:-2] + "AA"},  # 65 bytes, not on the curve
        {**WEB_PUSH_KEYS, "p256dh": WEB_PUSH_KEYS["p256dh"][:-4]},  # too short
        {**WEB_PUSH_KEYS, "auth": "AAECAwQFBgcICQoLDA0O"},  # 15 bytes
        {**WEB_PUSH_KEYS, "auth": WEB_PUSH_KEYS["auth"] + "=="},  # padded: not what a browser sends
    ],
)
def test_keys_a_push_could_not_be_encrypted_to_are_refused(as_chef, keys):
    # A browser's keys are a P-256 point and 16 bytes; anything else fails (or crashed the
    # encryption library) only at the first reminder, and took one of the five device places.
    token = json.dumps({"endpoint": "https://fcm.googleapis.com/fcm/send/1", "keys": keys})
    response = as_chef.post(DEVICES, {"platform": "web", "token": token})
    assert_refused(response, "invalid_subscription")


def test_a_browsers_real_keys_are_accepted(as_chef):
    assert (
        as_chef.post(
            DEVICES, {"platform": "web", "token": subscription("https://fcm.googleapis.com/fcm/send/1")}
        ).status_code
        == 201
    )
