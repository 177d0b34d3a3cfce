"""Writes of the reminders app: reminders, the patient's settings, and push devices.

Every function is keyword-only and takes ``now``: a reminder's ``next_fire_at`` is the first
slot after ``now`` on the patient's wall clock (``reminders.schedule.next_fire``), and
``created_at``/``updated_at`` are ``now`` too. Refusals are the core domain errors; none of
them knows it may end up as an HTTP answer.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django.db import IntegrityError, transaction

from accounts.models import User
from core.concurrency import IfMatch, check_version
from core.exceptions import DomainError
from journal.models import Commitment
from journal.selectors import commitment_check_linkable
from reminders.models import DEFAULT_CHANNELS, MAX_DEVICES, Device, Reminder, ReminderSettings

#: What a change to any of these moves: the next slot is computed again.
SCHEDULE_FIELDS = frozenset({"local_time", "weekdays", "enabled"})

# --- Reminders -----------------------------------------------------------------------------


@transaction.atomic
def reminder_create(
    *,
    patient: User,
    now: datetime,
    kind: str,
    local_time: time,
    weekdays: Sequence[int],
    enabled: bool = True,
    commitment: Commitment | None = None,
    on_date: date | None = None,
) -> Reminder:
    commitment_check_linkable(patient=patient, commitment=commitment)
    reminder = Reminder(
        patient=patient,
        kind=kind,
        commitment=commitment,
        local_time=local_time,
        weekdays=sorted(set(weekdays)),
        enabled=enabled,
        on_date=on_date,
        created_at=now,
        updated_at=now,
    )
    reminder.next_fire_at = reminder.next_slot(patient.zone, after=now)
    reminder.save(force_insert=True)
    return reminder


@transaction.atomic
def reminder_update(*, reminder: Reminder, now: datetime, **fields: Any) -> Reminder:
    """Change the time, days, switch or commitment; ``kind`` is fixed once made.

    A change to the time, the days or the switch plans the next slot again from ``now``; a
    change of commitment alone leaves the slot where it was.
    """
    if "kind" in fields:
        raise DomainError("A reminder's kind is fixed once made.", code="read_only", attr="kind")
    if "commitment" in fields:
        commitment_check_linkable(patient=reminder.patient, commitment=fields["commitment"])
    if "weekdays" in fields:
        fields["weekdays"] = sorted(set(fields["weekdays"]))
    replanned = any(name in SCHEDULE_FIELDS and getattr(reminder, name) != value for name, value in fields.items())
    for name, value in fields.items():
        setattr(reminder, name, value)
    if replanned:
        reminder.next_fire_at = reminder.next_slot(reminder.patient.zone, after=now)
    reminder.updated_at = now
    reminder.version += 1
    reminder.save()
    return reminder


def reminder_delete(*, reminder: Reminder) -> None:
    """Gone with its deliveries: nothing is owed for a reminder the patient no longer wants."""
    reminder.delete()


# --- Settings ------------------------------------------------------------------------------


def _check_quiet_hours(quiet_start: time | None, quiet_end: time | None) -> None:
    if (quiet_start is None) != (quiet_end is None):
        missing = "quiet_end" if quiet_end is None else "quiet_start"
        raise DomainError(
            "Quiet hours need a start and an end, or neither.", code="quiet_hours_incomplete", attr=missing
        )
    if quiet_start is not None and quiet_start == quiet_end:
        # Would it be quiet all day, or never? Neither reading is safe to guess.
        raise DomainError(
            "Quiet hours end at another time than they start.", code="quiet_hours_empty", attr="quiet_end"
        )


@transaction.atomic
def settings_put(
    *,
    patient: User,
    now: datetime,
    if_match: IfMatch | None = None,
    quiet_start: time | None = None,
    quiet_end: time | None = None,
    paused_until: date | None = None,
    channels: Sequence[str] = DEFAULT_CHANNELS,
) -> ReminderSettings:
    """Create or replace the patient's settings: what is not given takes its default.

    Settings never saved are version 0 (``selectors.settings_of``), so ``If-Match: "0"`` says
    "I read the defaults" and is refused once another device saved first.
    """
    _check_quiet_hours(quiet_start, quiet_end)
    values = {
        "quiet_start": quiet_start,
        "quiet_end": quiet_end,
        "paused_until": paused_until,
        "channels": list(dict.fromkeys(channels)),
        "updated_at": now,
    }
    stored = ReminderSettings.objects.select_for_update().filter(patient=patient).first()
    if stored is None:
        check_version(if_match, 0)
        try:
            with transaction.atomic():
                return ReminderSettings.objects.create(patient=patient, version=1, **values)
        except IntegrityError:
            # Another device saved the first version a moment ago: replace it, as if we came second.
            stored = ReminderSettings.objects.select_for_update().get(patient=patient)
    check_version(if_match, stored.version)
    for name, value in values.items():
        setattr(stored, name, value)
    stored.version += 1
    stored.save()
    return stored


# --- Devices -------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


#: What a browser's ``auth`` secret is (RFC 8291): 16 bytes.
WEB_PUSH_AUTH_BYTES = 16
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")


def _base64url(value: object) -> bytes | None:
    """Unpadded base64url, as ``PushSubscription.toJSON()`` writes keys; else None."""
    if not isinstance(value, str) or not _BASE64URL.fullmatch(value):
        return None
    try:
        return base64.urlsafe_b64decode(value + "==")  # the most padding it can need; more is ignored
    except ValueError:
        return None


def web_push_keys_usable(keys: object) -> bool:
    """``p256dh`` a point on P-256 and ``auth`` 16 bytes: keys a push can be encrypted to. Other
    keys would fail at the first reminder (one crashed the encryption library) and hold one of
    the user's few device places meanwhile."""
    if not isinstance(keys, dict):
        return False
    p256dh, auth = _base64url(keys.get("p256dh")), _base64url(keys.get("auth"))
    if p256dh is None or auth is None or len(auth) != WEB_PUSH_AUTH_BYTES:
        return False
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), p256dh)
    except ValueError:
        return False
    return True


def web_subscription(token: str) -> str:
    """A Push API subscription (``PushSubscription.toJSON()``), checked and written canonically,
    so the same subscription sent twice with other spacing or key order is the same device.

    An endpoint holding a space or a control character is refused whole: Python's URL splitter
    drops tabs and newlines that the sender's parser refuses, and two parsers reading one URL
    two ways is how a guard is got round."""
    subscription = _json_object(token)
    keys, endpoint = subscription.get("keys"), subscription.get("endpoint")
    printable = isinstance(endpoint, str) and all(" " < character != "\x7f" for character in endpoint)
    url = urlsplit(endpoint) if printable and isinstance(endpoint, str) else None
    if url is None or url.scheme != "https" or not url.hostname or not web_push_keys_usable(keys):
        raise DomainError(
            "For the web, the token is the Push API subscription as JSON: an https `endpoint` "
            "and `keys` with `p256dh` and `auth`.",
            code="invalid_subscription",
            attr="token",
        )
    # The stored devices' token hashes are of this form: a change would make each browser a new device.
    return json.dumps(
        subscription,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,  # pragma: no mutate (json reads None as False; tests pin the form)
    )


def _json_object(text: str) -> dict[str, Any]:
    """The JSON object ``text`` holds; an empty one for anything else."""
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


@transaction.atomic
def device_register(*, user: User, now: datetime, platform: str, token: str) -> tuple[Device, bool]:
    """Register a push token for ``user``; answers ``(device, created)``. Idempotent on the token.

    The same token again is the same device, active again (the push service may have called it
    unregistered meanwhile). A token registered by someone else means the app on that device
    is now signed in as ``user``: the old row is deleted and a new one made, so the previous
    user's reminders stop going to a phone that is no longer theirs, and nothing of theirs (not
    even their device's id) reaches the new user.

    A user holds at most ``MAX_DEVICES``: a new one makes room by deleting the one the push
    service called unregistered, else the one registered longest ago. The user's row is
    locked first, so registrations of one user run one after another and two at once cannot
    both count four and leave six (a lock on the device rows would not stop the other's insert).
    """
    if platform == Device.Platform.WEB:
        token = web_subscription(token)
    digest = token_hash(token)
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))  # the user's lock
    for _ in range(2):
        existing = Device.objects.select_for_update().filter(token_hash=digest).first()
        if existing is not None and existing.user_id == user.id:
            existing.platform = platform
            existing.active = True
            existing.last_registered_at = now
            existing.save(update_fields=["platform", "active", "last_registered_at"])
            return existing, False
        if existing is not None:
            existing.delete()
        device = Device(
            user=user, platform=platform, token=token, token_hash=digest, created_at=now, last_registered_at=now
        )
        try:
            with transaction.atomic():
                device.save(force_insert=True)
        except IntegrityError:
            continue  # the same token, registered a moment ago by a request still running: look again
        _make_room(user=user, keeping=device)
        return device, True
    raise IntegrityError(f"Device token {digest} kept changing hands while being registered.")


def _make_room(*, user: User, keeping: Device) -> None:
    """Delete what is over ``MAX_DEVICES`` of the user's devices: unregistered ones first, then the
    longest since registered; ``keeping`` (the one just registered) stays."""
    over = (
        Device.objects.filter(user=user)
        .exclude(pk=keeping.pk)
        .order_by("-active", "-last_registered_at", "-created_at")
        .values_list(
            "pk",  # pragma: no mutate (a flat values_list naming no field gives the primary key)
            flat=True,
        )[MAX_DEVICES - 1 :]
    )
    Device.objects.filter(pk__in=list(over)).delete()


def device_delete(*, device: Device) -> None:
    device.delete()
