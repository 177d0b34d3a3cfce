"""Sending deliveries: through the patient's channels, once, retried when worth it.

The send task hands ``deliveries_send`` a batch of delivery ids (the dispatcher enqueues them
a hundred at a time). The batch is one transaction: its pending rows are locked (``SKIP
LOCKED``: a row another worker is sending is that worker's), sent, and recorded, in a number
of queries that does not grow with the batch. A delivery that is no longer ``pending`` is left
alone, so a task that runs twice (a retry racing a re-enqueue, a message the broker delivers
twice) sends once. A transient failure leaves the delivery pending with a backoff; after the
last attempt it is ``failed``. A push token the service calls unregistered is deactivated.

If a worker dies mid-batch, the batch's transaction dies with it: its deliveries are still
pending, and the dispatcher enqueues them again. A receiver may then see one twice, with the
same delivery id (webhook-id, e-mail Message-ID) and push collapse key, so it shows once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from uuid import UUID

from django.db import transaction
from django.db.models import F

from reminders import channels
from reminders.models import Delivery, Device, ReminderSettings
from reminders.wording import message_for

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min between attempts: the whole retry fits in a reminder's hour."""
    return timedelta(seconds=30 * 2 ** (attempts - 1))


@dataclass(frozen=True)
class Outcome:
    sent: bool
    retry_in: timedelta | None = None


@dataclass
class _Attempt:
    """What one delivery's channels did."""

    delivered: list[str] = field(default_factory=list)
    transient: list[str] = field(default_factory=list)
    permanent: list[str] = field(default_factory=list)
    asked_wait: float = 0.0
    dead_devices: list[UUID] = field(default_factory=list)


def delivery_send(*, delivery_id: str, now: datetime) -> Outcome:
    """One delivery: ``deliveries_send`` of a batch of one."""
    return deliveries_send(delivery_ids=[delivery_id], now=now).get(delivery_id, Outcome(sent=False))


def deliveries_send(*, delivery_ids: Sequence[str], now: datetime) -> dict[str, Outcome]:
    """Send the pending deliveries among ``delivery_ids``; answer an ``Outcome`` for each one tried."""
    outcomes: dict[str, Outcome] = {}
    with transaction.atomic():
        batch = list(
            Delivery.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("reminder", "patient", "patient__reminder_settings")
            .filter(id__in=delivery_ids, status=Delivery.Status.PENDING)
        )
        if not batch:
            return outcomes
        devices = _reachable_devices({delivery.patient_id for delivery in batch})
        configured = channels.configured()
        # Rows that end the same way are written by one UPDATE: a batch sent to the same
        # channels is one statement, whatever its size.
        writes: dict[tuple[tuple[str, object], ...], list[UUID]] = defaultdict(list)
        dead_devices: list[UUID] = []
        for delivery in batch:
            attempt = _send_everywhere(delivery, configured, devices.get(delivery.patient_id, []))
            dead_devices += attempt.dead_devices
            fields, outcome = _result(attempt, attempts=delivery.attempts + 1, now=now)
            writes[tuple(sorted(fields.items()))].append(delivery.id)
            outcomes[str(delivery.id)] = outcome
        for fields_key, ids in writes.items():
            Delivery.objects.filter(id__in=ids).update(attempts=F("attempts") + 1, **dict(fields_key))
        if dead_devices:
            Device.objects.filter(id__in=dead_devices).update(active=False)
    return outcomes


def _result(attempt: _Attempt, *, attempts: int, now: datetime) -> tuple[dict[str, object], Outcome]:
    """The delivery's new fields after this attempt, and what the task should do next."""
    errors = "; ".join(attempt.transient + attempt.permanent)[:500]
    if attempt.delivered:
        fields = {"status": Delivery.Status.SENT, "sent_at": now, "channel": ",".join(attempt.delivered)}
        return {**fields, "last_error": errors}, Outcome(sent=True)
    if attempt.transient and attempts < MAX_ATTEMPTS:
        wait = max(backoff(attempts), timedelta(seconds=attempt.asked_wait))
        # enqueued_at is when the retry runs: the dispatcher counts it lost only if not run by then.
        return {"enqueued_at": now + wait, "last_error": errors}, Outcome(sent=False, retry_in=wait)
    return {"status": Delivery.Status.FAILED, "last_error": errors or "no channel took it"}, Outcome(sent=False)


def _reachable_devices(patient_ids: set[UUID]) -> dict[UUID, list[Device]]:
    platforms = channels.push_platforms()
    found: dict[UUID, list[Device]] = defaultdict(list)
    if platforms:
        for device in Device.objects.filter(user_id__in=patient_ids, active=True, platform__in=platforms):
            found[device.user_id].append(device)
    return found


def _message(delivery: Delivery) -> channels.Message:
    reminder = delivery.reminder
    title, body = message_for(reminder.kind, str(delivery.id))  # the same words on every retry
    return channels.Message(
        delivery_id=str(delivery.id),
        kind=reminder.kind,
        title=title,
        body=body,
        slot_at=delivery.slot_at,
        collapse_key=f"r{reminder.id.hex[:12]}{delivery.slot_at:%y%m%d%H%M}",
    )


def _send_everywhere(delivery: Delivery, configured: set[str], devices: list[Device]) -> _Attempt:
    """Try each channel the patient chose and the server has; the log when there is none."""
    message = _message(delivery)
    patient = delivery.patient
    wanted = set(ReminderSettings.of(patient).channels) & configured
    attempt = _Attempt()

    def to(name: str, send: Callable[[], None], device: Device | None = None) -> None:
        try:
            send()
        except channels.Unregistered as error:
            if device is not None:
                attempt.dead_devices.append(device.id)
            attempt.permanent.append(f"{name}: unregistered ({error})")
        except channels.TransientError as error:
            attempt.transient.append(f"{name}: {error}")
            attempt.asked_wait = max(attempt.asked_wait, error.retry_after or 0.0)
        except channels.PermanentError as error:
            attempt.permanent.append(f"{name}: {error}")
        else:
            if name not in attempt.delivered:
                attempt.delivered.append(name)

    tried = False
    if "push" in wanted:
        for device in devices:
            tried = True
            to("push", partial(channels.push, device=device, message=message), device)
    if "email" in wanted:
        tried = True
        to("email", lambda: channels.email(address=patient.email, message=message))
    if "webhook" in configured:
        tried = True
        to("webhook", lambda: channels.webhook(patient_id=str(patient.id), message=message))
    if not tried:
        channels.console(patient_id=str(patient.id), message=message)
        attempt.delivered.append("console")
    return attempt
