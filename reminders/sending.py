"""Sending one delivery: through the patient's channels, once, retried when worth it.

The send task calls ``delivery_send`` with a delivery id. The delivery's row stays locked
while it is sent, and a delivery that is no longer ``pending`` is left alone, so a task that
runs twice (a retry racing a re-enqueue, a message delivered twice by the broker) sends once.
A transient failure leaves the delivery pending with a backoff; after the last attempt it is
``failed``. A push token the service calls unregistered is deactivated.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from uuid import UUID

from django.db import transaction

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


def delivery_send(*, delivery_id: str, now: datetime) -> Outcome:
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("reminder", "patient")
            .filter(id=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != Delivery.Status.PENDING:
            return Outcome(sent=False)
        delivery.attempts += 1
        message = _message(delivery)
        delivered, transient, permanent, asked_wait = _send_everywhere(delivery, message)
        if delivered:
            delivery.status = Delivery.Status.SENT
            delivery.sent_at = now
            delivery.channel = ",".join(delivered)
            delivery.last_error = "; ".join(transient + permanent)[:500]
            outcome = Outcome(sent=True)
        elif transient and delivery.attempts < MAX_ATTEMPTS:
            wait = max(backoff(delivery.attempts), asked_wait)
            delivery.enqueued_at = now + wait  # when the retry runs: lost only if not run by then
            delivery.last_error = "; ".join(transient)[:500]
            outcome = Outcome(sent=False, retry_in=wait)
        else:
            delivery.status = Delivery.Status.FAILED
            delivery.last_error = "; ".join(transient + permanent)[:500] or "no channel took it"
            outcome = Outcome(sent=False)
        delivery.save(update_fields=["status", "sent_at", "channel", "attempts", "enqueued_at", "last_error"])
    return outcome


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


def _send_everywhere(
    delivery: Delivery, message: channels.Message
) -> tuple[list[str], list[str], list[str], timedelta]:
    """Try each channel the patient chose and the server has; the console when there is none.

    Answers the channels that took it, the transient and the permanent errors of the others,
    and the longest wait a service asked for (``Retry-After``).
    """
    patient = delivery.patient
    wanted = set(_channels_of(patient.id)) & channels.configured()
    delivered: list[str] = []
    transient: list[str] = []
    permanent: list[str] = []
    asked = [0.0]

    def attempt(name: str, send: Callable[[], None], device: Device | None = None) -> None:
        try:
            send()
        except channels.Unregistered as error:
            if device is not None:
                Device.objects.filter(id=device.id).update(active=False)
            permanent.append(f"{name}: unregistered ({error})")
        except channels.TransientError as error:
            transient.append(f"{name}: {error}")
            asked[0] = max(asked[0], error.retry_after or 0.0)
        except channels.PermanentError as error:
            permanent.append(f"{name}: {error}")
        else:
            if name not in delivered:
                delivered.append(name)

    tried = False
    if "push" in wanted:
        reachable = Device.objects.filter(user=patient, active=True, platform__in=channels.push_platforms())
        for device in reachable:
            tried = True
            attempt("push", partial(channels.push, device=device, message=message), device)
    if "email" in wanted:
        tried = True
        attempt("email", lambda: channels.email(address=patient.email, message=message))
    if "webhook" in channels.configured():
        tried = True
        attempt("webhook", lambda: channels.webhook(patient_id=str(patient.id), message=message))
    if not tried:
        channels.console(patient_id=str(patient.id), message=message)
        delivered.append("console")
    return delivered, transient, permanent, timedelta(seconds=asked[0])


def _channels_of(patient_id: UUID) -> list[str]:
    settings = ReminderSettings.objects.filter(patient_id=patient_id).values_list("channels", flat=True).first()
    return list(settings) if settings is not None else ["push"]
