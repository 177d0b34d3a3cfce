"""The delivery channels against real local servers: what arrives, and how each failure is named.

Push, Web Push and webhooks go to a threaded HTTP server on 127.0.0.1 that answers the
status a test chooses; e-mail goes through Django's SMTP backend to aiosmtpd. The Web Push
payload is decrypted with the subscription's own private key, and webhooks are verified
with the standardwebhooks package, as a receiver would.
"""

from __future__ import annotations

import base64
import email
import json
import logging
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs

import http_ece
import jwt
import pytest
import time_machine
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from py_vapid import Vapid
from standardwebhooks import Webhook, WebhookVerificationError

from backend import env
from reminders import channels
from reminders.channels import Message, PermanentError, TransientError, Unregistered
from reminders.models import Device
from tests.reminders.servers import (
    TEST_TLS,
    Answer,
    HTTPRecorder,
    Received,
    http_recorder,
    json_answer,
    resolving,
    silent_server,
)

SLOT = datetime(2026, 3, 29, 18, 0, tzinfo=UTC)
FCM_UNREGISTERED = {
    "error": {
        "code": 404,
        "message": "Requested entity was not found.",
        "status": "NOT_FOUND",
        "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "UNREGISTERED"}],
    }
}


def a_message(**changes: object) -> Message:
    values: dict[str, object] = {
        "delivery_id": "0d4c3f8e-5a43-4c55-9a7e-2f1b7f0b9c11",
        "kind": "reflection_daily",
        "title": "A moment for you",
        "body": "No pressure: a few minutes to notice what you tried today?",
        "slot_at": SLOT,
        "collapse_key": "r-5f1c2b-20260329T1800Z",
    }
    values.update(changes)
    return Message(**values)  # type: ignore[arg-type]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def a_closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def fcm(nothing_configured, server):
    nothing_configured.REMINDER_CHANNEL_PUSH_URL = f"{server.url}/v1/projects/good-enough/messages:send"
    return server


@pytest.fixture
def quick_timeout(monkeypatch):
    # The real 5 s would make each timeout test wait 5 s; the behaviour is the same.
    monkeypatch.setattr(channels, "HTTP_TIMEOUT_SECONDS", 0.3)


def a_phone(token: str = "fcm-token-of-the-chefs-phone") -> Device:
    return Device(platform=Device.Platform.ANDROID, token=token)


# --- the message and what is configured -----------------------------------------------------


def test_a_message_refuses_a_naive_slot_time():
    with pytest.raises(ValueError, match="aware"):
        a_message(slot_at=datetime(2026, 3, 29, 18, 0))  # naive on purpose


def test_with_nothing_set_no_channel_but_the_console_is_configured(nothing_configured):
    assert channels.configured() == set()
    assert channels.push_platforms() == set()
    assert channels.vapid_public_key() is None


def test_each_channel_counts_as_configured_once_its_settings_are_there(nothing_configured):
    settings = nothing_configured
    settings.REMINDER_CHANNEL_PUSH_URL = "https://push.example.test/send"
    assert channels.configured() == {"push"}
    assert channels.push_platforms() == {"ios", "android"}

    settings.EMAIL_URL = "smtp://mail.example.test:587"
    settings.REMINDER_WEBHOOK_URL = "https://hooks.example.test/reminders"
    settings.REMINDER_WEBHOOK_SECRET = "whsec_" + base64.b64encode(os.urandom(32)).decode()
    assert channels.configured() == {"push", "email", "webhook"}


def test_a_vapid_key_alone_makes_web_push_reachable_and_exposes_its_public_key(nothing_configured):
    nothing_configured.WEBPUSH_VAPID_PRIVATE_KEY = env.new_vapid_private_key()
    nothing_configured.WEBPUSH_VAPID_SUBJECT = "mailto:care@good-enough.test"
    assert channels.push_platforms() == {"web"}
    assert channels.configured() == {"push"}
    public = base64.urlsafe_b64decode(channels.vapid_public_key() + "=")
    assert len(public) == 65
    assert public[0] == 4  # an uncompressed P-256 point, as applicationServerKey wants


def test_the_console_channel_logs_the_words_and_the_delivery(caplog):
    with caplog.at_level(logging.INFO, logger="reminders.console"):
        channels.console(patient_id="patient-7", message=a_message())
    [record] = [r for r in caplog.records if r.name == "reminders.console"]
    text = record.getMessage()
    assert "patient-7" in text
    assert "No pressure: a few minutes to notice what you tried today?" in text
    assert "0d4c3f8e-5a43-4c55-9a7e-2f1b7f0b9c11" in text
    assert "2026-03-29T18:00:00Z" in text


# --- push to phones: FCM HTTP v1 ------------------------------------------------------------


def test_a_phone_push_posts_an_fcm_v1_message_with_its_collapse_keys(fcm):
    channels.push(device=a_phone(), message=a_message())

    [request] = fcm.received
    assert request.path == "/v1/projects/good-enough/messages:send"
    assert request.headers["content-type"] == "application/json"
    expires = str(int((SLOT + timedelta(hours=2)).timestamp()))
    assert request.json() == {
        "message": {
            "token": "fcm-token-of-the-chefs-phone",
            "notification": {
                "title": "A moment for you",
                "body": "No pressure: a few minutes to notice what you tried today?",
            },
            "android": {
                "collapse_key": "r-5f1c2b-20260329T1800Z",
                "ttl": "7200s",
                "notification": {"tag": "r-5f1c2b-20260329T1800Z"},  # a resend replaces the one shown
            },
            "apns": {"headers": {"apns-collapse-id": "r-5f1c2b-20260329T1800Z", "apns-expiration": expires}},
            "data": {"kind": "reflection_daily", "delivery_id": "0d4c3f8e-5a43-4c55-9a7e-2f1b7f0b9c11"},
        }
    }


def test_an_ios_device_goes_through_the_same_fcm_endpoint(fcm):
    channels.push(device=Device(platform=Device.Platform.IOS, token="apns-via-fcm"), message=a_message())
    assert fcm.received[0].json()["message"]["token"] == "apns-via-fcm"


def test_a_collapse_key_too_long_for_apns_becomes_a_stable_short_id(fcm):
    long_key = "reminder:" + "x" * 80
    channels.push(device=a_phone(), message=a_message(collapse_key=long_key))
    channels.push(device=a_phone(), message=a_message(collapse_key=long_key))
    first, second = (r.json()["message"]["apns"]["headers"]["apns-collapse-id"] for r in fcm.received)
    assert first == second
    assert len(first) <= 64


def test_a_push_token_the_service_calls_unregistered_raises_unregistered(fcm):
    fcm.answer(404, json_body=FCM_UNREGISTERED)
    with pytest.raises(Unregistered):
        channels.push(device=a_phone(), message=a_message())


def test_unregistered_in_a_400_answer_still_raises_unregistered(fcm):
    body = {"error": {"code": 400, "status": "INVALID_ARGUMENT", "details": [{"errorCode": "UNREGISTERED"}]}}
    fcm.answer(400, json_body=body)
    with pytest.raises(Unregistered):
        channels.push(device=a_phone(), message=a_message())


def test_a_bare_404_from_a_wrong_push_url_is_permanent_but_unregisters_nothing(fcm):
    fcm.answer(404)
    with pytest.raises(PermanentError) as raised:
        channels.push(device=a_phone(), message=a_message())
    assert not isinstance(raised.value, Unregistered)


@pytest.mark.parametrize("status", [500, 502, 503, 429, 408])
def test_a_push_service_error_or_rate_limit_is_transient(fcm, status):
    fcm.answer(status, json_body={"error": {"code": status, "status": "UNAVAILABLE"}})
    with pytest.raises(TransientError):
        channels.push(device=a_phone(), message=a_message())


def test_a_rate_limit_passes_on_how_long_the_service_asked_to_wait(fcm):
    fcm.answer(429, headers={"Retry-After": "30"})
    with pytest.raises(TransientError) as raised:
        channels.push(device=a_phone(), message=a_message())
    assert raised.value.retry_after == 30


@pytest.mark.parametrize(
    ("status", "code"), [(400, "INVALID_ARGUMENT"), (401, "UNAUTHENTICATED"), (403, "SENDER_ID_MISMATCH")]
)
def test_other_push_client_errors_are_permanent_and_keep_the_device(fcm, status, code):
    fcm.answer(status, json_body={"error": {"code": status, "status": code}})
    with pytest.raises(PermanentError) as raised:
        channels.push(device=a_phone(), message=a_message())
    assert not isinstance(raised.value, Unregistered)


def test_a_push_service_slower_than_the_timeout_is_transient(fcm, quick_timeout):
    fcm.answer(200, delay=1.5)
    with pytest.raises(TransientError, match="did not answer"):
        channels.push(device=a_phone(), message=a_message())


def test_an_unreachable_push_service_is_transient(nothing_configured):
    nothing_configured.REMINDER_CHANNEL_PUSH_URL = a_closed_port_url()
    with pytest.raises(TransientError, match="could not be reached"):
        channels.push(device=a_phone(), message=a_message())


def test_a_phone_push_without_a_service_account_or_a_push_url_is_permanent(nothing_configured):
    with pytest.raises(PermanentError, match="FCM_SERVICE_ACCOUNT_FILE"):
        channels.push(device=a_phone(), message=a_message())


def test_a_relay_without_a_service_account_gets_no_token_of_ours(fcm):
    # REMINDER_CHANNEL_PUSH_URL alone: a relay that holds Firebase's credentials itself.
    channels.push(device=a_phone(), message=a_message())
    assert "authorization" not in fcm.received[0].headers


# --- push to phones as Firebase wants it: a service account's OAuth 2.0 access token --------

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
CLIENT_EMAIL = "reminders@good-enough.iam.gserviceaccount.com"
#: A grant is addressed to Google's token endpoint whatever token_uri it is sent to (google-auth does so).
GOOGLE_AUDIENCE = "https://oauth2.googleapis.com/token"


class TokenEndpoint:
    """Google's token endpoint for a service account: it checks the JWT grant's signature and
    claims against the account's public key, and answers a new access token each time."""

    def __init__(self, public_key: rsa.RSAPublicKey) -> None:
        self.public_key = public_key
        self.uri = ""  # known once the server has its port
        self.issued: list[str] = []
        self.refusal: Answer | None = None

    def __call__(self, request: Received) -> Answer:
        if self.refusal is not None:
            return self.refusal
        form = parse_qs(request.body.decode())
        if form.get("grant_type") != [JWT_BEARER] or "assertion" not in form:
            return json_answer(400, {"error": "unsupported_grant_type"})
        try:
            claims = jwt.decode(form["assertion"][0], self.public_key, algorithms=["RS256"], audience=GOOGLE_AUDIENCE)
        except jwt.InvalidTokenError as error:
            return json_answer(400, {"error": "invalid_grant", "error_description": f"Invalid JWT: {error}"})
        if (claims["iss"], claims["scope"]) != (CLIENT_EMAIL, FCM_SCOPE) or claims["exp"] - claims["iat"] > 3600:
            return json_answer(400, {"error": "invalid_scope"})
        self.issued.append(f"ya29.access-token-{len(self.issued) + 1}")
        return json_answer(200, {"access_token": self.issued[-1], "expires_in": 3600, "token_type": "Bearer"})


class FirebaseStandIn:
    """FCM's send endpoint: refuses a request without the latest access token, as Google does."""

    def __init__(self, tokens: TokenEndpoint) -> None:
        self.tokens = tokens
        self.answer: Answer | None = None  # what an authorized request gets, if not a 200

    def __call__(self, request: Received) -> Answer:
        if not self.tokens.issued or request.headers.get("authorization") != f"Bearer {self.tokens.issued[-1]}":
            return json_answer(401, {"error": {"code": 401, "status": "UNAUTHENTICATED"}})
        return self.answer or json_answer(200, {"name": "projects/good-enough/messages/0:1"})


@dataclass
class Firebase:
    tokens: TokenEndpoint
    fcm: FirebaseStandIn
    token_server: HTTPRecorder
    fcm_server: HTTPRecorder


def a_service_account_file(folder: Path, key: rsa.RSAPrivateKey, token_uri: str) -> Path:
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path = folder / "service-account.json"
    account = {
        "type": "service_account",
        "project_id": "good-enough",
        "private_key_id": "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c",
        "private_key": pem.decode(),
        "client_email": CLIENT_EMAIL,
        "client_id": "108364251212437289173",
        "token_uri": token_uri,
    }
    path.write_text(json.dumps(account))
    return path


@pytest.fixture(scope="module")
def account_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def firebase(nothing_configured, tmp_path, monkeypatch, account_key) -> Iterator[Firebase]:
    tokens = TokenEndpoint(account_key.public_key())
    fcm = FirebaseStandIn(tokens)
    with http_recorder(respond=tokens) as token_server, http_recorder(respond=fcm) as fcm_server:
        tokens.uri = f"{token_server.url}/token"
        monkeypatch.setenv("FCM_SERVICE_ACCOUNT_FILE", str(a_service_account_file(tmp_path, account_key, tokens.uri)))
        nothing_configured.FCM_SERVICE_ACCOUNT = env.get_service_account("FCM_SERVICE_ACCOUNT_FILE")
        # Google's URL with the stand-in's origin: the path still comes from the file's project id.
        monkeypatch.setattr(channels, "FCM_SEND_URL", f"{fcm_server.url}/v1/projects/{{project_id}}/messages:send")
        yield Firebase(tokens, fcm, token_server, fcm_server)


def test_a_service_account_makes_phone_push_configured(firebase):
    assert channels.push_platforms() == {"ios", "android"}


def test_a_phone_push_carries_the_service_accounts_token_to_its_projects_fcm(firebase):
    channels.push(device=a_phone(), message=a_message())

    [grant] = firebase.token_server.received
    assert (grant.path, parse_qs(grant.body.decode())["grant_type"]) == ("/token", [JWT_BEARER])
    [send] = firebase.fcm_server.received
    assert send.path == "/v1/projects/good-enough/messages:send"
    assert send.headers["authorization"] == "Bearer ya29.access-token-1"
    assert send.json()["message"]["token"] == "fcm-token-of-the-chefs-phone"


def test_the_token_is_fetched_once_for_many_sends_and_again_once_it_is_about_to_expire(firebase):
    with time_machine.travel(SLOT, tick=True) as traveller:
        for _ in range(3):
            channels.push(device=a_phone(), message=a_message())
        traveller.shift(timedelta(minutes=50))  # an hour-long token, still good
        channels.push(device=a_phone(), message=a_message())
        assert firebase.tokens.issued == ["ya29.access-token-1"]

        traveller.shift(timedelta(minutes=7))  # within google-auth's margin before expiry
        channels.push(device=a_phone(), message=a_message())
    assert firebase.tokens.issued == ["ya29.access-token-1", "ya29.access-token-2"]
    sent_with = [request.headers["authorization"] for request in firebase.fcm_server.received]
    assert sent_with == ["Bearer ya29.access-token-1"] * 4 + ["Bearer ya29.access-token-2"]


def test_a_grant_the_token_endpoint_refuses_is_permanent_and_nothing_is_sent(firebase):
    firebase.tokens.public_key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    with pytest.raises(PermanentError, match="invalid_grant") as raised:
        channels.push(device=a_phone(), message=a_message())
    assert not isinstance(raised.value, Unregistered)
    assert firebase.fcm_server.received == []


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_busy_token_endpoint_is_transient_and_not_retried_inside_the_worker(firebase, status):
    firebase.tokens.refusal = json_answer(status, {"error": "internal_failure"})
    with pytest.raises(TransientError):
        channels.push(device=a_phone(), message=a_message())
    assert len(firebase.token_server.received) == 1  # google-auth alone would sleep and ask twice more
    assert firebase.fcm_server.received == []


def test_an_unreachable_token_endpoint_is_transient(firebase, settings):
    settings.FCM_SERVICE_ACCOUNT = {**settings.FCM_SERVICE_ACCOUNT, "token_uri": f"{a_closed_port_url()}/token"}
    with pytest.raises(TransientError):
        channels.push(device=a_phone(), message=a_message())


def test_an_authorized_push_to_an_unregistered_token_raises_unregistered(firebase):
    firebase.fcm.answer = json_answer(404, FCM_UNREGISTERED)
    with pytest.raises(Unregistered):
        channels.push(device=a_phone(), message=a_message())


@pytest.mark.parametrize("status", [429, 500, 503])
def test_an_authorized_push_that_fcm_cannot_take_now_is_transient(firebase, status):
    firebase.fcm.answer = json_answer(status, {"error": {"code": status, "status": "UNAVAILABLE"}})
    with pytest.raises(TransientError):
        channels.push(device=a_phone(), message=a_message())


@pytest.mark.parametrize(("status", "code"), [(401, "UNAUTHENTICATED"), (403, "PERMISSION_DENIED")])
def test_a_push_fcm_does_not_authorize_is_permanent_and_keeps_the_device(firebase, status, code):
    firebase.fcm.answer = json_answer(status, {"error": {"code": status, "status": code}})
    with pytest.raises(PermanentError) as raised:
        channels.push(device=a_phone(), message=a_message())
    assert not isinstance(raised.value, Unregistered)


# --- push to browsers: Web Push -------------------------------------------------------------


class Browser:
    """A browser's push subscription: its key pair and auth secret, at an endpoint on our server."""

    def __init__(self, endpoint: str) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth_secret = os.urandom(16)
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.subscription = {"endpoint": endpoint, "keys": {"p256dh": b64url(public), "auth": b64url(self.auth_secret)}}

    @property
    def device(self) -> Device:
        return Device(platform=Device.Platform.WEB, token=json.dumps(self.subscription))

    def decrypt(self, body: bytes) -> dict:
        plain = http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm")
        return json.loads(plain)


@pytest.fixture
def resolved(monkeypatch) -> dict[str, list[str]]:
    """What the channel's resolver answers, by name: ``push.test`` is our local HTTPS push service."""
    names = {"push.test": ["127.0.0.1"]}
    monkeypatch.setattr(channels, "web_push_resolver", resolving(names))
    monkeypatch.setattr(channels, "web_push_tls", TEST_TLS.client_context())
    return names


@pytest.fixture
def web_push(nothing_configured, resolved):
    """An HTTPS push service at ``push.test``, allowed by name, and (test-only) at loopback."""
    nothing_configured.WEBPUSH_VAPID_PRIVATE_KEY = env.new_vapid_private_key()
    nothing_configured.WEBPUSH_VAPID_SUBJECT = "mailto:care@good-enough.test"
    nothing_configured.WEBPUSH_ALLOWED_HOSTS = ["push.test", "*.push.test"]
    nothing_configured.OUTBOUND_ALSO_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    with http_recorder(tls=True) as server:
        server.answer(201)
        yield server


@pytest.fixture
def browser(web_push) -> Browser:
    return Browser(f"{web_push.https_url()}/push/subscription-1")


def test_a_web_push_arrives_encrypted_for_the_subscription_and_decrypts_intact(web_push, browser):
    web_push.answer(201)
    channels.push(device=browser.device, message=a_message())

    [request] = web_push.received
    assert request.path == "/push/subscription-1"
    assert request.headers["content-encoding"] == "aes128gcm"
    assert b"No pressure" not in request.body  # the push service sees only ciphertext
    assert browser.decrypt(request.body) == {
        "title": "A moment for you",
        "body": "No pressure: a few minutes to notice what you tried today?",
        "tag": "r-5f1c2b-20260329T1800Z",
        "data": {"kind": "reflection_daily", "delivery_id": "0d4c3f8e-5a43-4c55-9a7e-2f1b7f0b9c11"},
    }
    assert request.headers["topic"] == "r-5f1c2b-20260329T1800Z"
    assert request.headers["ttl"] == "7200"
    assert request.headers["urgency"] == "normal"


def test_an_experiments_web_push_names_the_experiment_to_open_and_nothing_of_it(web_push, browser):
    experiment_id = "6f1d3c3a-0c1e-4f4e-9d6e-3b1c2a0f9e11"
    channels.push(device=browser.device, message=a_message(kind="experiment_day", experiment_id=experiment_id))
    [request] = web_push.received
    assert browser.decrypt(request.body)["data"] == {
        "kind": "experiment_day",
        "delivery_id": "0d4c3f8e-5a43-4c55-9a7e-2f1b7f0b9c11",
        "experiment_id": experiment_id,
    }


def test_a_web_push_is_signed_with_our_vapid_key(web_push, browser):
    channels.push(device=browser.device, message=a_message())
    authorization = web_push.received[0].headers["authorization"]
    assert Vapid.verify(authorization)
    assert f"k={channels.vapid_public_key()}" in authorization


def test_a_web_push_topic_is_at_most_32_url_safe_characters_and_stable(web_push, browser):
    key = "reminder 5f1c2b5e-0000-4000-8000-000000000000 / 2026-03-29T18:00:00+00:00"
    channels.push(device=browser.device, message=a_message(collapse_key=key))
    channels.push(device=browser.device, message=a_message(collapse_key=key))
    first, second = (r.headers["topic"] for r in web_push.received)
    assert first == second
    assert len(first) <= 32
    assert set(first) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_the_push_service_calls_gone_raises_unregistered(web_push, browser, status):
    web_push.answer(status)
    with pytest.raises(Unregistered):
        channels.push(device=browser.device, message=a_message())


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_web_push_service_error_or_rate_limit_is_transient(web_push, browser, status):
    web_push.answer(status, headers={"Retry-After": "120"})
    with pytest.raises(TransientError) as raised:
        channels.push(device=browser.device, message=a_message())
    assert raised.value.retry_after == 120


@pytest.mark.parametrize("status", [400, 403, 413])
def test_other_web_push_client_errors_are_permanent_and_keep_the_subscription(web_push, browser, status):
    web_push.answer(status)
    with pytest.raises(PermanentError) as raised:
        channels.push(device=browser.device, message=a_message())
    assert not isinstance(raised.value, Unregistered)


def test_a_web_push_service_slower_than_the_timeout_is_transient(web_push, browser, quick_timeout):
    web_push.answer(201, delay=1.5)
    with pytest.raises(TransientError):
        channels.push(device=browser.device, message=a_message())


def test_an_unreachable_web_push_service_is_transient(web_push):
    port = a_closed_port_url().rsplit(":", 1)[1]
    browser = Browser(f"https://push.test:{port}/push/subscription-1")
    with pytest.raises(TransientError):
        channels.push(device=browser.device, message=a_message())


@pytest.mark.parametrize(
    "token",
    [
        "not json",
        json.dumps({"endpoint": "https://push.example.test/x"}),
        json.dumps({"endpoint": "https://push.example.test/x", "keys": {"p256dh": "bm90LWEta2V5", "auth": "YQ"}}),
    ],
)
def test_a_malformed_subscription_is_permanent(web_push, token):
    with pytest.raises(PermanentError):
        channels.push(device=Device(platform=Device.Platform.WEB, token=token), message=a_message())


def test_a_web_push_without_a_vapid_key_is_permanent(nothing_configured, server):
    with pytest.raises(PermanentError, match="WEBPUSH_VAPID_PRIVATE_KEY"):
        channels.push(device=Browser(server.url).device, message=a_message())
    assert server.received == []


# --- Web Push: only push services, only at public addresses, never redirected ---------------

HOSTILE_ENDPOINTS = [
    "https://127.0.0.1:{port}/push",
    "https://169.254.169.254/latest/meta-data/",
    "https://[::1]:{port}/push",
    "https://2130706433:{port}/push",
    "https://0x7f000001:{port}/push",
    "https://metadata.google.internal/computeMetadata/v1/",
    "http://push.test:{port}/push",
    "https://push.example.test/push",
]


@pytest.mark.parametrize("endpoint", HOSTILE_ENDPOINTS)
def test_a_stored_subscription_aimed_off_the_push_services_is_not_sent_to(web_push, endpoint):
    # A device registered before the check existed: the send refuses it too.
    with pytest.raises(PermanentError) as raised:
        channels.push(device=Browser(endpoint.format(port=web_push.port)).device, message=a_message())
    assert not isinstance(raised.value, Unregistered)
    assert web_push.received == []


@pytest.mark.parametrize("address", ["127.0.0.1", "169.254.169.254", "::1", "::ffff:127.0.0.1", "10.0.0.1"])
def test_a_listed_push_host_that_resolves_to_an_internal_address_is_not_connected_to(
    web_push, browser, resolved, settings, address
):
    settings.OUTBOUND_ALSO_ALLOWED_NETWORKS = []  # as in every deployment
    resolved["push.test"] = [address]
    with pytest.raises(PermanentError, match="resolves to"):
        channels.push(device=browser.device, message=a_message())
    assert web_push.received == []


def test_a_web_push_connects_to_the_address_it_checked_and_asks_the_resolver_once(web_push, browser, monkeypatch):
    calls: list[str] = []
    answers = iter([["127.0.0.1"], ["169.254.169.254"]])

    def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return next(answers)

    monkeypatch.setattr(channels, "web_push_resolver", rebinding)
    channels.push(device=browser.device, message=a_message())
    assert calls == ["push.test"]
    assert len(web_push.received) == 1


@pytest.mark.parametrize("status", [302, 307])
def test_a_web_push_redirect_is_a_permanent_error_and_is_not_followed(web_push, browser, server, status):
    web_push.answer(status, headers={"Location": f"{server.url}/internal/admin"})
    with pytest.raises(PermanentError, match="redirect"):
        channels.push(device=browser.device, message=a_message())
    assert len(web_push.received) == 1
    assert server.received == []


def test_a_web_push_service_that_accepts_and_never_answers_costs_at_most_the_bound(web_push, quick_timeout):
    with silent_server() as port:
        started = time.monotonic()
        with pytest.raises(TransientError, match="did not answer"):
            channels.push(device=Browser(f"https://push.test:{port}/push/1").device, message=a_message())
        assert time.monotonic() - started < 2.0


def test_a_web_push_service_that_trickles_its_answer_is_cut_off_at_the_bound(web_push, browser, quick_timeout):
    web_push.answer(201, body=b"x" * 100, trickle=0.05)  # each byte in time; the whole far too late
    started = time.monotonic()
    with pytest.raises(TransientError, match="did not answer"):
        channels.push(device=browser.device, message=a_message())
    assert time.monotonic() - started < 2.5


def test_a_web_push_to_a_certificate_that_does_not_verify_is_not_sent(web_push, browser, monkeypatch):
    monkeypatch.setattr(channels, "web_push_tls", True)  # the public roots, which never signed push.test
    with pytest.raises(TransientError):
        channels.push(device=browser.device, message=a_message())
    assert web_push.received == []


# --- e-mail through SMTP --------------------------------------------------------------------


def test_an_email_reaches_the_mail_server_with_the_words_and_no_auto_replies(smtp):
    channels.email(address="chef@example.test", message=a_message())

    [envelope] = smtp.messages
    assert envelope.rcpt_tos == ["chef@example.test"]
    mail = email.message_from_bytes(envelope.original_content)
    assert mail["Subject"] == "A moment for you"
    assert "No pressure: a few minutes to notice what you tried today?" in mail.get_payload()
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["Message-ID"] == "<reminder.0d4c3f8e-5a43-4c55-9a7e-2f1b7f0b9c11@localhost>"


def test_an_smtp_4xx_for_the_recipient_is_transient(smtp):
    with pytest.raises(TransientError, match="451"):
        channels.email(address="busy@example.test", message=a_message())


def test_an_smtp_5xx_for_the_recipient_is_permanent(smtp):
    with pytest.raises(PermanentError, match="550"):
        channels.email(address="gone@example.test", message=a_message())


def test_an_smtp_4xx_after_the_message_is_transient(smtp):
    with pytest.raises(TransientError, match="452"):
        channels.email(address="full@example.test", message=a_message())


def test_an_smtp_5xx_after_the_message_is_permanent(smtp):
    with pytest.raises(PermanentError, match="554"):
        channels.email(address="spam@example.test", message=a_message())
    assert smtp.messages == []


def test_an_unreachable_mail_server_is_transient(settings):
    port = a_closed_port_url().rsplit(":", 1)[1]
    for name, value in env.parse_email_url("EMAIL_URL", f"smtp://127.0.0.1:{port}").as_django().items():
        setattr(settings, name, value)
    with pytest.raises(TransientError, match="could not be reached"):
        channels.email(address="chef@example.test", message=a_message())


# --- webhooks -------------------------------------------------------------------------------

SECRET = "whsec_" + base64.b64encode(b"a-webhook-secret-of-32-bytes-000").decode()


@pytest.fixture
def hook(nothing_configured, server):
    nothing_configured.REMINDER_WEBHOOK_URL = f"{server.url}/hooks/reminders"
    nothing_configured.REMINDER_WEBHOOK_SECRET = SECRET
    return server


def test_a_webhook_is_signed_so_a_standard_webhooks_receiver_verifies_it(hook):
    channels.webhook(patient_id="patient-7", message=a_message())

    [request] = hook.received
    assert request.path == "/hooks/reminders"
    assert request.headers["webhook-id"] == "0d4c3f8e-5a43-4c55-9a7e-2f1b7f0b9c11"
    assert Webhook(SECRET).verify(request.body, request.headers) == {
        "type": "reminder.due",
        "timestamp": "2026-03-29T18:00:00Z",
        "data": {
            "patient_id": "patient-7",
            "kind": "reflection_daily",
            "title": "A moment for you",
            "body": "No pressure: a few minutes to notice what you tried today?",
            "slot_at": "2026-03-29T18:00:00Z",
            "delivery_id": "0d4c3f8e-5a43-4c55-9a7e-2f1b7f0b9c11",
        },
    }


def test_a_webhook_does_not_verify_under_another_secret(hook):
    channels.webhook(patient_id="patient-7", message=a_message())
    [request] = hook.received
    other = "whsec_" + base64.b64encode(os.urandom(32)).decode()
    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(request.body, request.headers)


def test_a_retried_webhook_repeats_the_same_id_and_body(hook):
    channels.webhook(patient_id="patient-7", message=a_message())
    channels.webhook(patient_id="patient-7", message=a_message())
    first, second = hook.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body


@pytest.mark.parametrize("status", [500, 503, 429, 408])
def test_a_webhook_receiver_error_or_rate_limit_is_transient(hook, status):
    hook.answer(status)
    with pytest.raises(TransientError):
        channels.webhook(patient_id="patient-7", message=a_message())


@pytest.mark.parametrize("status", [400, 401, 404, 410, 302])
def test_a_webhook_refused_or_redirected_is_permanent(hook, status):
    hook.answer(status, headers={"Location": "https://elsewhere.example.test/"})
    with pytest.raises(PermanentError):
        channels.webhook(patient_id="patient-7", message=a_message())
    assert len(hook.received) == 1  # a redirect is not followed


def test_a_webhook_receiver_slower_than_the_timeout_is_transient(hook, quick_timeout):
    hook.answer(200, delay=1.5)
    with pytest.raises(TransientError):
        channels.webhook(patient_id="patient-7", message=a_message())


def test_a_webhook_without_its_url_is_permanent(nothing_configured):
    with pytest.raises(PermanentError, match="REMINDER_WEBHOOK_URL"):
        channels.webhook(patient_id="patient-7", message=a_message())
