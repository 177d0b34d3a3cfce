"""Sending deliveries: through the patient's channels, once, retried when worth it.

The send task hands ``deliveries_send`` a batch of delivery ids (the dispatcher enqueues them
a hundred at a time). Three short steps, in a few queries for the batch and one write for
every twenty deliveries, not five queries and a transaction for each:

1. **Claim**: the batch's pending deliveries whose turn has come (``enqueued_at`` not in the
   future) get a lease: ``enqueued_at`` moves to the end of it. A second task given the same
   ids (a retry racing a re-enqueue, a message the broker delivers twice) finds them leased
   and leaves them alone, so each is sent once. The lease outlasts the task's time limit.
2. **Send**, with no transaction open: each delivery on its own, any error of one kept to it.
   A slot more than two hours old is not sent at all (``missed``): late is noise, not care.
3. **Record** what happened, a few deliveries at a time, and whatever was sent before an
   interruption (the soft time limit) in a ``finally``.

**Time.** One user's devices must not hold up everyone else's reminders. A send is bounded
by its channel (``reminders.channels``: an HTTP send has a deadline of its own), and a
delivery by ``DELIVERY_BUDGET_SECONDS``: once that long has passed since its first send
began, none of its other sends starts (a user holds at most ``MAX_DEVICES`` devices anyway).
What was not tried counts as a transient failure: if nothing else reached the patient, the
delivery is retried with backoff. So a delivery keeps the worker at most the budget plus one
send, and a reminder behind it in the batch is late by at most that, whatever the first
user's devices do. Sends stay in sequence: the guarantee needs no threads in the worker.

Celery's soft time limit (``SoftTimeLimitExceeded``) is never taken for a channel's failure:
the batch stops, what was sent is recorded, and the deliveries it did not finish get their
lease back (``enqueued_at`` as the dispatcher left it), so its next look for lost sends
enqueues them again, instead of the hard limit killing the worker in the middle.

If a worker dies between sending and recording, its deliveries are still pending; when the
lease and the dispatcher's grace have passed, the dispatcher enqueues them again. A receiver
may then see one twice, with the same delivery id (webhook-id, e-mail Message-ID) and push
collapse key, so it shows once. A transient failure leaves the delivery pending with a
backoff; after the last attempt it is ``failed``. A push token the service calls unregistered
is deactivated.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from uuid import UUID

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction

from reminders import channels
from reminders.models import LATEST_SEND, MAX_DEVICES, Delivery, Device, ReminderSettings
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

    @property
    def tried(self) -> bool:
        """Did a channel take its turn (even one left untried for lack of time)?"""
        return bool(self.delivered or self.transient or self.permanent)


def delivery_send(*, delivery_id: str, now: datetime) -> Outcome:
    """One delivery: ``deliveries_send`` of a batch of one."""
    return deliveries_send(delivery_ids=[delivery_id], now=now).get(delivery_id, Outcome(sent=False))


def deliveries_send(*, delivery_ids: Sequence[str], now: datetime) -> dict[str, Outcome]:
    """Send the pending deliveries among ``delivery_ids``; answer an ``Outcome`` for each one tried."""
    batch = _claim(delivery_ids, now=now)
    outcomes: dict[str, Outcome] = {}
    if not batch:
        return outcomes
    devices = _reachable_devices({delivery.patient_id for delivery in batch})
    configured = channels.configured()
    done: list[tuple[Delivery, _Attempt]] = []
    finished = 0
    try:
        for delivery in batch:
            attempt = _Attempt()
            if not delivery.too_late(now):
                deadline = time.monotonic() + DELIVERY_BUDGET_SECONDS
                attempt = _send_everywhere(delivery, configured, devices[delivery.patient_id], deadline)
            done.append((delivery, attempt))
            finished += 1
            if len(done) == RECORD_EVERY:
                outcomes.update(_record(done, now=now))
                done = []
    except SoftTimeLimitExceeded:
        _hand_back(batch[finished:], now=now)
        raise
    finally:
        outcomes.update(_record(done, now=now))
    return outcomes


#: No send of a delivery starts once this many seconds have passed since its first one began:
#: room for every device a user may hold, an e-mail and a webhook at their usual pace, while a
#: user whose endpoints never answer costs the reminders behind theirs this plus one send.
DELIVERY_BUDGET_SECONDS = 10.0


#: A claimed delivery is this task's for this long: longer than a task may run (its time limit).
LEASE = timedelta(minutes=5)
#: How far ahead of this worker's clock a delivery's turn may be and still be taken: hosts'
#: clocks differ by a little. Well under the shortest backoff, and under any lease.
CLOCK_SKEW = timedelta(seconds=15)
#: Outcomes are written every few deliveries: what an interrupted batch sent stays recorded.
RECORD_EVERY = 20


def _claim(delivery_ids: Sequence[str], *, now: datetime) -> list[Delivery]:
    """The batch's deliveries whose turn has come, leased to this task; the oldest slot first."""
    with transaction.atomic():
        # SQLite has no row locks: test_sending.py's tests on PostgreSQL check these arguments.
        unclaimed = Delivery.objects.select_for_update(of=("self",), skip_locked=True)  # pragma: no mutate (see above)
        batch = list(
            unclaimed.select_related("reminder", "patient__reminder_settings")
            .filter(id__in=delivery_ids, status=Delivery.Status.PENDING, enqueued_at__lte=now + CLOCK_SKEW)
            .order_by(
                "slot_at",
                "id",  # pragma: no mutate (ties by id only make the order repeatable)
            )
        )
        if batch:
            Delivery.objects.filter(id__in=[d.id for d in batch]).update(enqueued_at=now + LEASE)
    return batch


def _hand_back(deliveries: Sequence[Delivery], *, now: datetime) -> None:
    """Give back the lease of deliveries this task will not finish: ``enqueued_at`` as it was
    before the claim (the objects still hold it), so the dispatcher enqueues them again as soon
    as it would have if this task had never taken them. Only our own lease is undone."""
    before: dict[datetime | None, list[UUID]] = defaultdict(list)
    for delivery in deliveries:
        before[delivery.enqueued_at].append(delivery.id)
    with transaction.atomic():
        for enqueued_at, ids in before.items():
            # Guards only: the rows are leased to us (past the task's end), so no one else writes them.
            Delivery.objects.filter(
                id__in=ids,
                status=Delivery.Status.PENDING,  # pragma: no mutate (a guard, see above)
                enqueued_at=now + LEASE,  # pragma: no mutate (a guard, see above)
            ).update(enqueued_at=enqueued_at)


def _record(done: list[tuple[Delivery, _Attempt]], *, now: datetime) -> dict[str, Outcome]:
    """Write the outcomes: one UPDATE per way of ending, so a batch sent alike is one statement."""
    outcomes: dict[str, Outcome] = {}
    if not done:
        return outcomes
    writes: dict[tuple[tuple[str, object], ...], list[UUID]] = defaultdict(list)
    dead_devices: list[UUID] = []
    for delivery, attempt in done:
        fields, outcome = _result(delivery, attempt, now=now)
        writes[tuple(sorted(fields.items()))].append(delivery.id)
        outcomes[str(delivery.id)] = outcome
        dead_devices += attempt.dead_devices
    with transaction.atomic():
        for fields_key, ids in writes.items():
            Delivery.objects.filter(id__in=ids).update(**dict(fields_key))
        if dead_devices:
            Device.objects.filter(id__in=dead_devices).update(active=False)
    return outcomes


def _result(delivery: Delivery, attempt: _Attempt, *, now: datetime) -> tuple[dict[str, object], Outcome]:
    """The delivery's new fields after this attempt, and what the task should do next."""
    if delivery.too_late(now):
        return {"status": Delivery.Status.MISSED}, Outcome(sent=False)
    attempts = delivery.attempts + 1
    errors = "; ".join(attempt.transient + attempt.permanent)[:500]
    counted = {"attempts": attempts, "last_error": errors}
    if attempt.delivered:
        fields = {"status": Delivery.Status.SENT, "sent_at": now, "channel": ",".join(attempt.delivered)}
        return {**counted, **fields}, Outcome(sent=True)
    if attempt.transient and attempts < MAX_ATTEMPTS:
        # Never beyond the slot's last useful moment, whatever Retry-After asked for (capped
        # before it becomes a timedelta: a service's "1e300" would not fit in one).
        asked = timedelta(seconds=min(attempt.asked_wait, LATEST_SEND.total_seconds()))
        wait = min(max(backoff(attempts), asked), LATEST_SEND)
        # enqueued_at is when the retry runs: the dispatcher counts it lost only if not run by then.
        return {**counted, "enqueued_at": now + wait}, Outcome(sent=False, retry_in=wait)
    failed = {"status": Delivery.Status.FAILED, "last_error": errors or "no channel reaches this patient"}
    return {**counted, **failed}, Outcome(sent=False)


def _reachable_devices(patient_ids: set[UUID]) -> dict[UUID, list[Device]]:
    """Each patient's active devices (at most ``MAX_DEVICES``), the last registered first: the
    one most likely in the patient's hand goes first when the delivery's time runs short. Every
    patient has a list, maybe empty; another user's device has none to go into."""
    platforms = channels.push_platforms()
    found: dict[UUID, list[Device]] = {patient_id: [] for patient_id in patient_ids}
    if platforms:
        for device in Device.objects.filter(user_id__in=patient_ids, active=True, platform__in=platforms).order_by(
            "-last_registered_at", "id"
        ):
            found[device.user_id].append(device)
    return {patient_id: devices[:MAX_DEVICES] for patient_id, devices in found.items()}


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
        experiment_id=str(reminder.experiment_id) if reminder.experiment_id else None,
    )


def _send_everywhere(delivery: Delivery, configured: set[str], devices: list[Device], deadline: float) -> _Attempt:
    """Try each channel the patient chose and the server has; the log when there is none.

    No send starts after ``deadline`` (``time.monotonic()``): the ones left are transient
    failures, tried again with the delivery's retry if nothing else reached the patient.
    """
    message = _message(delivery)
    patient = delivery.patient
    wanted = set(ReminderSettings.of(patient).channels) & configured
    attempt = _Attempt()

    def to(name: str, send: Callable[[], None], device: Device | None = None) -> None:
        if time.monotonic() >= deadline:
            attempt.transient.append(f"{name}: not tried, the delivery's {DELIVERY_BUDGET_SECONDS:g} s were spent")
            return
        try:
            send()
        except SoftTimeLimitExceeded:
            raise  # the task's time is up, not this channel's: deliveries_send hands the rest back
        except channels.Unregistered as error:
            if device is not None:
                attempt.dead_devices.append(device.id)
            attempt.permanent.append(f"{name}: unregistered ({error})")
        except channels.TransientError as error:
            attempt.transient.append(f"{name}: {error}")
            if error.retry_after is not None:
                attempt.asked_wait = max(attempt.asked_wait, error.retry_after)
        except channels.PermanentError as error:
            attempt.permanent.append(f"{name}: {error}")
        except Exception as error:  # a bug or an odd answer in one channel must not cost the batch
            log.exception("reminders: %s send of delivery %s raised", name, delivery.id)
            attempt.transient.append(f"{name}: {type(error).__name__}")
        else:
            if name not in attempt.delivered:
                attempt.delivered.append(name)

    if "push" in wanted:
        for device in devices:
            to("push", partial(channels.push, device=device, message=message), device)
    if "email" in wanted:
        to("email", lambda: channels.email(address=patient.email, message=message))
    if "webhook" in configured:
        to("webhook", lambda: channels.webhook(patient_id=str(patient.id), message=message))
    if not attempt.tried and (not configured or settings.REMINDER_CONSOLE_FALLBACK):
        # Nothing is configured (or, in development, nothing reaches this patient): the log.
        channels.console(patient_id=str(patient.id), message=message)
        attempt.delivered.append("console")
    return attempt
