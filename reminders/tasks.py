"""Thin Celery tasks: they take ids, call a service, and say what happened.

The top of the reminders' imports: this module imports the dispatcher and the send service,
and hands the dispatcher ``enqueue_sends``; nothing in the app imports it back.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.utils import timezone

from reminders import dispatcher, sending


@shared_task(name="reminders.dispatch", ignore_result=True)
def dispatch() -> dict[str, int]:
    """One dispatcher pass (Celery beat, every minute)."""
    return dispatcher.dispatch_due(now=timezone.now(), enqueue=enqueue_sends).__dict__


@shared_task(name="reminders.send", ignore_result=True)
def send_deliveries(delivery_ids: list[str]) -> dict[str, Any]:
    """Send a batch of deliveries; each one that should be tried again is re-enqueued alone."""
    outcomes = sending.deliveries_send(delivery_ids=delivery_ids, now=timezone.now())
    for delivery_id, outcome in outcomes.items():
        if outcome.retry_in is not None:
            send_deliveries.apply_async(([delivery_id],), countdown=outcome.retry_in.total_seconds())
    return {"sent": sum(outcome.sent for outcome in outcomes.values()), "of": len(delivery_ids)}


def enqueue_sends(delivery_ids: list[str]) -> None:
    """Hand a batch of deliveries to the workers: one Celery message (the dispatcher's ``enqueue``)."""
    send_deliveries.delay(delivery_ids)
