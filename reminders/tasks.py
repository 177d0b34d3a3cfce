"""Thin Celery tasks: they take ids, call a service, and say what happened.

The top of the reminders' imports: this module imports the dispatcher and the send service,
and hands the dispatcher ``enqueue_sends``; nothing in the app imports it back.
"""

from __future__ import annotations

import uuid
from typing import Any

from celery import shared_task
from django.utils import timezone

from core.errors import OUTAGES
from reminders import dispatcher, notices, sending


@shared_task(name="reminders.dispatch", ignore_result=True)
def dispatch() -> dict[str, int]:
    """One dispatcher pass (Celery beat, every minute)."""
    return dispatcher.dispatch_due(now=timezone.now(), enqueue=enqueue_sends).__dict__


#: A send task that met a database or broker outage is run again after this, and again up to
#: ``OUTAGE_RETRIES`` times (backing off to ``OUTAGE_RETRY_MAX``): what it had claimed is leased
#: for ``sending.LEASE`` at most, so by then it can be taken again. The dispatcher enqueues
#: anything still owed as well; this only makes it sooner.
OUTAGE_RETRY = 20
OUTAGE_RETRY_MAX = 120
OUTAGE_RETRIES = 30


@shared_task(
    name="reminders.send",
    ignore_result=True,
    autoretry_for=OUTAGES,
    retry_backoff=OUTAGE_RETRY,
    retry_backoff_max=OUTAGE_RETRY_MAX,
    retry_jitter=False,
    max_retries=OUTAGE_RETRIES,
)
def send_deliveries(delivery_ids: list[str]) -> dict[str, Any]:
    """Send a batch of deliveries; each one that should be tried again is re-enqueued alone."""
    outcomes = sending.deliveries_send(delivery_ids=delivery_ids, now=timezone.now())
    for delivery_id, outcome in outcomes.items():
        if outcome.retry_in is not None:
            send_deliveries.apply_async(([delivery_id],), countdown=outcome.retry_in.total_seconds())
    return {"sent": sum(outcome.sent for outcome in outcomes.values()), "of": len(delivery_ids)}


@shared_task(name="reminders.tell_flag", ignore_result=True)
def tell_flag(flag_id: str) -> None:
    """Tell a flag's therapists (``reminders.notices``); each a passing failure kept from it is
    tried again on its own."""
    for therapist_id in notices.flag_tell(flag_id=uuid.UUID(flag_id), now=timezone.now()):
        tell_flag_again.apply_async((flag_id, str(therapist_id), 1), countdown=notices.RETRY_AFTER.total_seconds())


@shared_task(name="reminders.tell_flags", ignore_result=True)
def tell_flags() -> int:
    """The beat's sweep: tell what no one was told of (``notices.flags_untold``)."""
    now = timezone.now()
    for flag_id in notices.flags_untold(now=now):
        tell_flag(str(flag_id))
    return 0


@shared_task(name="reminders.tell_flag_again", ignore_result=True)
def tell_flag_again(flag_id: str, therapist_id: str, attempt: int) -> None:
    done = notices.flag_tell_again(flag_id=uuid.UUID(flag_id), therapist_id=uuid.UUID(therapist_id), now=timezone.now())
    if not done and attempt < notices.RETRIES:
        tell_flag_again.apply_async(
            (flag_id, therapist_id, attempt + 1), countdown=notices.RETRY_AFTER.total_seconds() * (attempt + 1)
        )


def enqueue_sends(delivery_ids: list[str]) -> None:
    """Hand a batch of deliveries to the workers: one Celery message (the dispatcher's ``enqueue``)."""
    send_deliveries.delay(delivery_ids)
