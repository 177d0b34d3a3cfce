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
hopeless 400 look alike. What we need from it is small (an FCM v1 JSON body, one pywebpush
call), so we call pywebpush directly and keep retry and deactivation in our send service.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import math
import re
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from typing import Any, NoReturn

import httpx
import requests
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from py_vapid import Vapid  # type: ignore[import-untyped]
from pywebpush import WebPushException, webpush  # type: ignore[import-untyped]
from standardwebhooks import Webhook

from reminders.models import Device

console_log = logging.getLogger("reminders.console")

#: Connect, read and write each get this long: a worker waiting on one slow endpoint holds
#: up every reminder behind it, and a timeout is only a transient error, retried later.
HTTP_TIMEOUT_SECONDS = 5.0
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

    def __post_init__(self) -> None:
        if self.slot_at.utcoffset() is None:
            raise ValueError("Message.slot_at must be an aware datetime.")


def push_platforms() -> set[str]:
    """The device platforms a push can reach with the current settings."""
    platforms: set[str] = set()
    if settings.REMINDER_CHANNEL_PUSH_URL:
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
    url = settings.REMINDER_CHANNEL_PUSH_URL
    if not url:
        raise PermanentError("push to phones is not configured: set REMINDER_CHANNEL_PUSH_URL.")
    response = _post(url, _json_bytes(_fcm_body(token, message)), {"content-type": "application/json"})
    # Only FCM's own error body deactivates a device: a bare 404 more likely means a wrong
    # REMINDER_CHANNEL_PUSH_URL, and reading it as "unregistered" would switch off every phone.
    if _fcm_error_code(response) == "UNREGISTERED":
        raise Unregistered(f"the push service says the token is unregistered ({response.status_code}).")
    _raise_for_status(response, "the push service")


def _fcm_body(token: str, message: Message) -> dict[str, Any]:
    expires = int((message.slot_at + PUSH_TTL).timestamp())
    return {
        "message": {
            "token": token,
            "notification": {"title": message.title, "body": message.body},
            "android": {"collapse_key": message.collapse_key, "ttl": f"{int(PUSH_TTL.total_seconds())}s"},
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


def _web_push(*, subscription_json: str, message: Message) -> None:
    private_key, subject = settings.WEBPUSH_VAPID_PRIVATE_KEY, settings.WEBPUSH_VAPID_SUBJECT
    if not private_key or not subject:
        raise PermanentError("Web Push is not configured: set WEBPUSH_VAPID_PRIVATE_KEY and WEBPUSH_VAPID_SUBJECT.")
    subscription = _subscription(subscription_json)
    payload = {
        "title": message.title,
        "body": message.body,
        "tag": message.collapse_key,  # the browser replaces a shown notification with the same tag
        "data": {"kind": message.kind, "delivery_id": message.delivery_id},
    }
    try:
        webpush(
            subscription_info=subscription,
            data=json.dumps(payload, separators=(",", ":")),
            vapid_private_key=private_key,
            vapid_claims={"sub": subject},  # a fresh dict: pywebpush writes aud and exp into it
            ttl=int(PUSH_TTL.total_seconds()),
            # The push service replaces a still-undelivered message with the same Topic.
            headers={"Topic": _short_key(message.collapse_key, 32), "Urgency": "normal"},
            timeout=HTTP_TIMEOUT_SECONDS,
        )
    except WebPushException as error:
        _raise_for_web_push(error)
    except requests.RequestException as error:
        raise TransientError(f"the Web Push service could not be reached: {error}") from error
    except ValueError as error:  # keys that do not decode or are not points on P-256
        raise PermanentError(f"the Web Push subscription's keys are not usable: {error}") from error


def _subscription(subscription_json: str) -> dict[str, Any]:
    try:
        subscription = json.loads(subscription_json)
        endpoint, keys = subscription["endpoint"], subscription["keys"]
        valid = isinstance(endpoint, str) and endpoint.startswith(("https://", "http://")) and keys["p256dh"]
    except (ValueError, TypeError, KeyError):
        valid = False
    if not valid:
        raise PermanentError('a web token must be a subscription: {"endpoint", "keys": {"p256dh", "auth"}}.')
    return dict(subscription)


def _raise_for_web_push(error: WebPushException) -> NoReturn:
    status = error.status_code
    if status in (404, 410):
        raise Unregistered(f"the Web Push service says the subscription is gone ({status}).") from error
    if status is not None and _is_transient(status):
        raise TransientError(
            f"the Web Push service answered {status}.", retry_after=_seconds(error.retry_after)
        ) from error
    raise PermanentError(f"Web Push failed: {error.message}") from error


# --- e-mail ---------------------------------------------------------------------------------


def email(*, address: str, message: Message) -> None:
    """Send through Django's configured mail backend (``EMAIL_URL``), classifying SMTP's answers."""
    mail = EmailMessage(
        subject=message.title,
        body=f"{message.body}\n\nYou can change or pause these reminders in the app.\n",
        to=[address],
        headers={
            # RFC 3834: tells auto-responders (out-of-office) not to answer a reminder.
            "Auto-Submitted": "auto-generated",
            # One Message-ID per slot: a rare resend is the same message to mail clients that dedupe.
            "Message-ID": f"<reminder.{message.delivery_id}@{_mail_domain()}>",
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
    _raise_for_status(_post(url, body, headers), "the webhook")


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


def _post(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    try:
        return httpx.post(url, content=body, headers=headers, timeout=HTTP_TIMEOUT_SECONDS, follow_redirects=False)
    except httpx.TimeoutException as error:
        raise TransientError(f"{url} did not answer within {HTTP_TIMEOUT_SECONDS:g} s.") from error
    except httpx.TransportError as error:
        raise TransientError(f"{url} could not be reached: {error!r}") from error


def _raise_for_status(response: httpx.Response, what: str) -> None:
    status = response.status_code
    if response.is_success:
        return
    detail = f"{what} answered {status}: {response.text[:200]}"
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
