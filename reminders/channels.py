"""Delivery channels: each function sends one reminder message to one destination, or raises.

The send service decides who gets what and when; a channel only delivers and says how it
went, in three words: ``TransientError`` (try again later: timeouts, refused connections,
5xx, 429, SMTP 4xx), ``PermanentError`` (a retry cannot help: other 4xx, SMTP 5xx, a channel
not configured) and ``Unregistered`` (the push service says this device is gone). Nothing
here writes to the database, retries or sleeps: retries, backoff and idempotency belong to
the send service and its ``Delivery`` row.

Why not django-push-notifications (3.3.0)? It keeps a model and table per platform
(``GCMDevice``, ``APNSDevice``, ``WebPushDevice``, ``WNSDevice``) where we want one ``Device``
over ios, android and web. It sends FCM through firebase-admin's ``messaging.send_each``,
whose service builds Google's URL from a class constant, so neither a local test server nor
a relay can stand in for FCM. And its send functions decide for us: they deactivate devices
themselves (``.update(active=False)`` on FCM's UNREGISTERED, SENDER_ID_MISMATCH and any
INVALID_ARGUMENT, ``device.save()`` on a Web Push 404/410) and turn every other Web Push
failure into a ``WebPushError`` holding only a message string, so a retryable 503 and a
hopeless 400 look alike. What we need from it is small (an FCM v1 JSON body, pywebpush's
encryption), so we use pywebpush and google-auth directly and keep retry and deactivation in
our send service.

Every HTTP send goes through ``core.outbound``: one deadline for the whole send and no
redirects; a Web Push endpoint, which the browser chose, also through its guard (push
services' hosts only, public addresses only, connected to the address that was checked).
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import logging
import math
import re
import smtplib
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from typing import Any, NoReturn
from urllib.parse import urlsplit

import google.auth.exceptions
import httpx
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from py_vapid import Vapid  # type: ignore[import-untyped]
from pywebpush import WebPusher, WebPushException  # type: ignore[import-untyped]
from standardwebhooks import Webhook

from core import outbound
from reminders import google_auth
from reminders.models import Device

console_log = logging.getLogger("reminders.console")

#: One send gets this long in all (token, connect, TLS, write, read): a worker waiting on one
#: slow endpoint holds up every reminder behind it, and a timeout is only a transient error.
HTTP_TIMEOUT_SECONDS = 5.0
#: FCM HTTP v1's send URL; REMINDER_CHANNEL_PUSH_URL replaces it (a relay, a test stand-in).
FCM_SEND_URL = "https://fcm.googleapis.com/v1/projects/{project_id}/messages:send"
#: How long a VAPID signature stays good; RFC 8292 allows at most 24 hours.
VAPID_LIFETIME = timedelta(hours=12)
#: How long a push service may hold a reminder for an offline device. A nudge that arrives
#: hours late is confusing, and the dispatcher already counts slots over 2 hours old as missed.
PUSH_TTL = timedelta(hours=2)
#: The URL-safe base64 alphabet, which RFC 8030 asks of a Topic (at most 32 of them).
_URL_SAFE = re.compile(r"\A[A-Za-z0-9_-]+\Z")  # \Z: a newline in a header is no Topic


class TransientError(Exception):
    """Worth retrying later. ``retry_after`` (seconds) is set when the service asked for it."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(Exception):
    """Retrying cannot help: the request, the address or our configuration is wrong."""


class Unregistered(PermanentError):
    """The push service says this token or subscription is gone: deactivate the device."""


@dataclass(frozen=True)
class Message:
    delivery_id: str  # stable per slot: the webhook-id and idempotency key
    kind: str
    title: str
    body: str
    slot_at: datetime  # aware, UTC
    collapse_key: str  # one per (reminder, slot): a rare resend replaces instead of showing twice
    experiment_id: str | None = None  # an experiment's nudge: which one, for the app to open

    def __post_init__(self) -> None:
        if self.slot_at.utcoffset() is None:
            raise ValueError("Message.slot_at must be an aware datetime.")


def push_platforms() -> set[str]:
    """The device platforms a push can reach with the current settings."""
    platforms: set[str] = set()
    if settings.FCM_SERVICE_ACCOUNT or settings.REMINDER_CHANNEL_PUSH_URL:
        platforms |= {Device.Platform.IOS.value, Device.Platform.ANDROID.value}
    if settings.WEBPUSH_VAPID_PRIVATE_KEY:
        platforms.add(Device.Platform.WEB.value)
    return platforms


def configured() -> set[str]:
    """Which of ``push``, ``email`` and ``webhook`` are configured; ``console`` always is."""
    channels: set[str] = set()
    if push_platforms():
        channels.add("push")
    if settings.EMAIL_URL:
        channels.add("email")
    if settings.REMINDER_WEBHOOK_URL and settings.REMINDER_WEBHOOK_SECRET:
        channels.add("webhook")
    return channels


def vapid_public_key() -> str | None:
    """The VAPID public key as a browser's ``applicationServerKey`` wants it (unpadded base64url)."""
    if not settings.WEBPUSH_VAPID_PRIVATE_KEY:
        return None
    public = Vapid.from_string(settings.WEBPUSH_VAPID_PRIVATE_KEY).public_key
    raw = public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# --- console --------------------------------------------------------------------------------


def console(*, patient_id: str, message: Message) -> None:
    """Log the reminder: the channel of development, and the fallback when nothing else is set."""
    console_log.info(
        "reminder %s for patient %s (%s, slot %s): %s | %s",
        message.delivery_id,
        patient_id,
        message.kind,
        _rfc3339(message.slot_at),
        message.title,
        message.body,
    )


# --- push: FCM HTTP v1 (ios, android) and Web Push (web) -------------------------------------


def push(*, device: Device, message: Message) -> None:
    """Send to one device: FCM v1 shaped JSON for phones, Web Push for browsers."""
    if device.platform == Device.Platform.WEB:
        _web_push(subscription_json=device.token, message=message)
    else:
        _fcm_push(token=device.token, message=message)


def _fcm_push(*, token: str, message: Message) -> None:
    account = settings.FCM_SERVICE_ACCOUNT
    url = settings.REMINDER_CHANNEL_PUSH_URL or (account and FCM_SEND_URL.format(project_id=account["project_id"]))
    if not url:
        raise PermanentError("push to phones is not configured: set FCM_SERVICE_ACCOUNT_FILE.")
    headers = {"content-type": "application/json"}
    with _http("the push service") as http:
        if account:
            _authorize(http, account, url, headers)
        response = http.post(url, content=_json_bytes(_fcm_body(token, message)), headers=headers)
    # Only FCM's own error body deactivates a device: a bare 404 more likely means a wrong
    # REMINDER_CHANNEL_PUSH_URL, and reading it as "unregistered" would switch off every phone.
    if _fcm_error_code(response) == "UNREGISTERED":
        raise Unregistered(f"the push service says the token is unregistered ({response.status_code}).")
    _raise_for_status(response, "the push service")


def _authorize(http: httpx.Client, account: Mapping[str, str], url: str, headers: dict[str, str]) -> None:
    """Adds ``Authorization: Bearer``, fetching a token from the account's ``token_uri`` only
    when google-auth says the one it holds is missing or about to expire."""
    try:
        google_auth.credentials(account).before_request(google_auth.Request(http), "POST", url, headers)
    except google.auth.exceptions.TransportError as error:
        raise TransientError(f"no access token for FCM: {error}") from error
    except google.auth.exceptions.RefreshError as error:
        # invalid_grant and the like: a deleted key or account, a wrong clock; retrying cannot help.
        if error.retryable:
            raise TransientError(f"no access token for FCM: {error}") from error
        raise PermanentError(f"the service account cannot get an access token for FCM: {error}") from error


def _fcm_body(token: str, message: Message) -> dict[str, Any]:
    expires = int((message.slot_at + PUSH_TTL).timestamp())
    return {
        "message": {
            "token": token,
            "notification": {"title": message.title, "body": message.body},
            "android": {
                "collapse_key": message.collapse_key,  # replaces one still waiting at FCM
                "ttl": f"{int(PUSH_TTL.total_seconds())}s",
                # ...and one already shown: the phone keeps one notification per tag.
                "notification": {"tag": message.collapse_key},
            },
            "apns": {
                "headers": {"apns-collapse-id": _short_key(message.collapse_key, 64), "apns-expiration": str(expires)}
            },
            "data": {"kind": message.kind, "delivery_id": message.delivery_id},
        }
    }


def _fcm_error_code(response: httpx.Response) -> str | None:
    """FCM v1's error code: ``details[].errorCode`` (``UNREGISTERED``), else the error's status."""
    if response.is_success:
        return None
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        return None
    for detail in error.get("details") or []:
        if isinstance(detail, dict) and detail.get("errorCode"):
            return str(detail["errorCode"])
    status = error.get("status")
    return str(status) if status else None


#: Seams for the tests, which resolve their own names and trust their own certificate authority.
web_push_resolver: outbound.Resolver = outbound.system_resolver
web_push_tls: ssl.SSLContext | bool = True


def _web_push(*, subscription_json: str, message: Message) -> None:
    """POST an encrypted, VAPID-signed message to the subscription's endpoint.

    pywebpush encrypts (``WebPusher.encode``) and py_vapid signs; the request itself is ours,
    because the endpoint is the browser's to choose: ``outbound`` allows only push services'
    hosts at public addresses, and no redirect is followed (pywebpush's requests would follow
    one to an internal address, sending the body again).
    """
    private_key, subject = settings.WEBPUSH_VAPID_PRIVATE_KEY, settings.WEBPUSH_VAPID_SUBJECT
    if not private_key or not subject:
        raise PermanentError("Web Push is not configured: set WEBPUSH_VAPID_PRIVATE_KEY and WEBPUSH_VAPID_SUBJECT.")
    subscription = _subscription(subscription_json)
    endpoint = subscription["endpoint"]
    refusal = outbound.url_refusal(endpoint, allowed_hosts=settings.WEBPUSH_ALLOWED_HOSTS)
    if refusal is not None:
        raise PermanentError(f"the Web Push endpoint is not a push service we send to: {refusal}")
    payload = {
        "title": message.title,
        "body": message.body,
        "tag": message.collapse_key,  # the browser replaces a shown notification with the same tag
        "data": {
            "kind": message.kind,
            "delivery_id": message.delivery_id,
            # An id, never a title: what the service worker opens, not what it shows.
            **({"experiment_id": message.experiment_id} if message.experiment_id else {}),
        },
    }
    try:
        body = WebPusher(subscription).encode(json.dumps(payload, separators=(",", ":")).encode(), "aes128gcm")["body"]
    except (WebPushException, ValueError, TypeError) as error:  # keys that do not decode or are not points on P-256
        raise PermanentError(f"the Web Push subscription's keys are not usable: {error}") from error
    audience = urlsplit(endpoint)
    claims = {
        "sub": subject,
        "aud": f"{audience.scheme}://{audience.netloc}",
        "exp": int((timezone.now() + VAPID_LIFETIME).timestamp()),
    }
    headers = {
        **Vapid.from_string(private_key).sign(claims),
        "content-encoding": "aes128gcm",
        "ttl": str(int(PUSH_TTL.total_seconds())),
        # The push service replaces a still-undelivered message with the same Topic.
        "topic": _short_key(message.collapse_key, 32),
        "urgency": "normal",
    }
    guard = outbound.Guard(
        allowed_hosts=tuple(settings.WEBPUSH_ALLOWED_HOSTS),
        resolver=web_push_resolver,
        also_allowed=tuple(ipaddress.ip_network(network) for network in settings.OUTBOUND_ALSO_ALLOWED_NETWORKS),
    )
    with _http("the Web Push service", guard=guard, verify=web_push_tls) as http:
        response = http.post(endpoint, content=body, headers=headers)
    if response.status_code in (404, 410):
        raise Unregistered(f"the Web Push service says the subscription is gone ({response.status_code}).")
    _raise_for_status(response, "the Web Push service")


def _subscription(subscription_json: str) -> dict[str, Any]:
    try:
        subscription = json.loads(subscription_json)
        endpoint, keys = subscription["endpoint"], subscription["keys"]
        valid = isinstance(endpoint, str) and keys["p256dh"] and keys["auth"]
    except (ValueError, TypeError, KeyError):
        valid = False
    if not valid:
        raise PermanentError('a web token must be a subscription: {"endpoint", "keys": {"p256dh", "auth"}}.')
    return dict(subscription)


# --- e-mail ---------------------------------------------------------------------------------


#: What ends a reminder's e-mail (a therapist's notice ends with its own words).
REMINDER_FOOTER = "You can change or pause these reminders in the app."


def email(*, address: str, message: Message, footer: str = REMINDER_FOOTER, what: str = "reminder") -> None:
    """Send through Django's configured mail backend (``EMAIL_URL``), classifying SMTP's answers."""
    mail = EmailMessage(
        subject=message.title,
        body=f"{message.body}\n\n{footer}\n",
        to=[address],
        headers={
            # RFC 3834: tells auto-responders (out-of-office) not to answer a reminder.
            "Auto-Submitted": "auto-generated",
            # One Message-ID per slot: a rare resend is the same message to mail clients that dedupe.
            "Message-ID": f"<{what}.{message.delivery_id}@{_mail_domain()}>",
        },
    )
    try:
        mail.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        _raise_for_smtp(max(codes), f"the mail server refused the recipient: {error.recipients}", error)
    except smtplib.SMTPResponseException as error:  # sender refused, data refused, auth, connect
        _raise_for_smtp(error.smtp_code, f"the mail server answered {error.smtp_code} {error.smtp_error!r}", error)
    except (smtplib.SMTPNotSupportedError, ssl.SSLCertVerificationError) as error:
        raise PermanentError(f"the mail server and EMAIL_URL do not agree: {error}") from error
    except OSError as error:  # refused connections, timeouts, a dropped connection (SMTPServerDisconnected)
        raise TransientError(f"the mail server could not be reached: {error!r}") from error


def _raise_for_smtp(code: int, detail: str, error: Exception) -> NoReturn:
    # SMTP's own rule: 4xx is "try again later", 5xx is "do not send this again".
    if 400 <= code < 500:
        raise TransientError(detail) from error
    raise PermanentError(detail) from error


def _mail_domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL or "")[1]
    return address.rpartition("@")[2] or "localhost"


# --- webhook --------------------------------------------------------------------------------


def webhook(*, patient_id: str, message: Message) -> None:
    """POST the reminder as JSON to ``REMINDER_WEBHOOK_URL``, signed the Standard Webhooks way."""
    url, secret = settings.REMINDER_WEBHOOK_URL, settings.REMINDER_WEBHOOK_SECRET
    if not url or not secret:
        raise PermanentError("the webhook channel is not configured: set REMINDER_WEBHOOK_URL and its secret.")
    body = _json_bytes(_webhook_body(patient_id, message))
    # The signature's timestamp is the moment of sending, not an argument: receivers refuse
    # one more than 5 minutes off, so a retry must sign afresh. The body stays identical.
    signed_at = timezone.now()
    headers = {
        "content-type": "application/json",
        "webhook-id": message.delivery_id,
        "webhook-timestamp": str(int(signed_at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message.delivery_id, signed_at, body.decode()),
    }
    with _http("the webhook") as http:
        response = http.post(url, content=body, headers=headers)
    _raise_for_status(response, "the webhook")


def _webhook_body(patient_id: str, message: Message) -> dict[str, Any]:
    return {
        "type": "reminder.due",
        # The event happened when the slot came due; using it (not the send time) keeps a
        # retried body byte-for-byte the same, so receivers can dedupe on webhook-id safely.
        "timestamp": _rfc3339(message.slot_at),
        "data": {
            "patient_id": patient_id,
            "kind": message.kind,
            "title": message.title,
            "body": message.body,
            "slot_at": _rfc3339(message.slot_at),
            "delivery_id": message.delivery_id,
        },
    }


# --- HTTP and small helpers -----------------------------------------------------------------


@contextmanager
def _http(
    what: str, *, guard: outbound.Guard | None = None, verify: ssl.SSLContext | bool = True
) -> Iterator[httpx.Client]:
    """A client for one send, within ``HTTP_TIMEOUT_SECONDS`` in all, its failures named in our words."""
    try:
        with outbound.client(seconds=HTTP_TIMEOUT_SECONDS, guard=guard, verify=verify) as http:
            yield http
    except outbound.Refused as error:
        raise PermanentError(f"{what} is not somewhere we connect to: {error}") from error
    except httpx.TimeoutException as error:
        raise TransientError(f"{what} did not answer within {HTTP_TIMEOUT_SECONDS:g} s.") from error
    except httpx.TransportError as error:
        raise TransientError(f"{what} could not be reached: {error!r}") from error


def _raise_for_status(response: httpx.Response, what: str) -> None:
    status = response.status_code
    if response.is_success:
        return
    detail = f"{what} answered {status}: {response.text[:200]}"
    if response.is_redirect:
        # Never followed: a redirect could aim us anywhere, with the body sent again.
        raise PermanentError(f"{what} answered with a redirect ({status}), which is not followed.")
    if _is_transient(status):
        raise TransientError(detail, retry_after=_seconds(response.headers.get("retry-after")))
    raise PermanentError(detail)


def _is_transient(status: int) -> bool:
    return status >= 500 or status in (408, 429)


def _seconds(retry_after: str | None) -> float | None:
    """Retry-After in seconds when given as a number (an HTTP date is left to the backoff)."""
    try:
        seconds = float(retry_after) if retry_after else None
    except ValueError:
        return None
    return max(0.0, seconds) if seconds is not None and math.isfinite(seconds) else None


def _short_key(key: str, limit: int) -> str:
    """The key itself when it fits a header's alphabet and length, else a stable digest that does."""
    if len(key) <= limit and _URL_SAFE.match(key):
        return key
    return base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()).rstrip(b"=").decode()[:limit]


def _json_bytes(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
