"""Reminders through a real Celery worker process and real Redis, to a real webhook receiver.

The worker is a separate ``celery worker`` process on the test database, so these run where
another process can open that database: CI's PostgreSQL leg. One test kills the worker with
SIGKILL in the middle of a send: the database, not the broker, is what brings it back.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from reminders.dispatcher import LOST_AFTER, dispatch_due
from reminders.models import Delivery, Reminder
from reminders.tasks import enqueue_sends, send_deliveries
from tests.factories import PatientFactory
from tests.helpers import needs_concurrent_transactions
from tests.reminders.helpers import a_reminder
from tests.reminders.test_sending import SECRET, SLOT

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [needs_concurrent_transactions, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def database_url() -> str:
    settings = connection.settings_dict
    return (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    )


class Worker:
    """``celery -A backend worker`` in its own process group, killable like a crashed host."""

    def __init__(self, webhook_url: str) -> None:
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REMINDER_WEBHOOK_URL": webhook_url,
            "REMINDER_WEBHOOK_SECRET": SECRET,
            "REMINDER_CHANNEL_PUSH_URL": "",
            "EMAIL_URL": "",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "backend", "worker", "--pool", "prefork", "--concurrency", "1",
             "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
            cwd=ROOT, env=self.env, start_new_session=True,
        )  # fmt: skip
        return self

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)  # the main process and its pool child, at once
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


@pytest.fixture
def worker(webhook) -> Iterator[Callable[[], Worker]]:
    started: list[Worker] = []

    def start() -> Worker:
        started.append(Worker(f"{webhook.url}/hooks/reminders").start())
        return started[-1]

    yield start
    for one in started:
        one.stop()


@pytest.fixture
def webhook(nothing_configured, server):
    return server


def wait_for(condition: Callable[[], bool], *, seconds: float = 40) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def patients_due(count: int) -> datetime:
    """``count`` patients with a reminder due now: the worker runs on the real clock."""
    for _ in range(count):
        a_reminder(PatientFactory(timezone="Europe/London"), at="20:00", now=SLOT - timedelta(hours=12))
    now = timezone.now()
    Reminder.objects.update(next_fire_at=now)
    return now


def test_due_reminders_reach_the_webhook_exactly_once_through_a_real_worker(worker, webhook):
    now = patients_due(5)
    worker()
    result = dispatch_due(now=now, enqueue=enqueue_sends)  # the real enqueue: Celery messages on Redis
    assert result.to_send == 5
    wait_for(lambda: Delivery.objects.filter(status="sent").count() == 5)
    assert dispatch_due(now=now + timedelta(minutes=1), enqueue=enqueue_sends).due == 0  # the next minute: nothing owed
    time.sleep(1)  # anything sent twice would arrive now
    ids = [request.headers["webhook-id"] for request in webhook.received]
    assert sorted(ids) == sorted(str(d.id) for d in Delivery.objects.all())


def test_a_worker_killed_mid_send_is_made_good_by_the_dispatcher_and_sent_once(worker, webhook):
    now = patients_due(1)
    webhook.answer(200, delay=3)  # the receiver is slow: the worker is mid-send for 3 s
    first = worker()
    dispatch_due(now=now, enqueue=enqueue_sends)
    wait_for(lambda: len(webhook.received) == 1)
    first.kill()  # SIGKILL mid-send, before it could record the send
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 0)  # claimed (leased), never recorded
    assert dispatch_due(now=timezone.now(), enqueue=enqueue_sends).requeued == 0  # its lease still runs

    webhook.answer(200)
    worker()
    # Time passes: the lease and the dispatcher's grace run out (moved back here, not waited).
    Delivery.objects.update(enqueued_at=timezone.now() - LOST_AFTER - timedelta(seconds=1))
    assert dispatch_due(now=timezone.now(), enqueue=enqueue_sends).requeued == 1
    wait_for(lambda: Delivery.objects.get().status == "sent")
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.channel) == ("sent", 1, "webhook")
    # The receiver may have seen the lost attempt too: the same webhook-id lets it drop the copy.
    assert {request.headers["webhook-id"] for request in webhook.received} == {str(delivery.id)}


def test_a_send_past_the_soft_time_limit_ends_the_task_and_is_sent_again_not_counted_failed(worker, webhook):
    now = patients_due(1)
    webhook.answer(200, delay=3)  # the receiver is slow: the send is mid-flight at the soft limit
    first = worker()
    # This task's limits, as the settings' (CELERY_TASK_SOFT_TIME_LIMIT) would be, but short.
    dispatch_due(now=now, enqueue=lambda ids: send_deliveries.apply_async((ids,), soft_time_limit=1, time_limit=30))
    wait_for(lambda: len(webhook.received) == 1)
    # The task ends at its soft limit: the delivery is neither failed nor an attempt, its lease given back.
    wait_for(lambda: Delivery.objects.get().enqueued_at == now)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 0, "")
    assert first.process is not None
    assert first.process.poll() is None  # the hard limit never came

    webhook.answer(200)
    # Time passes (moved back here, not waited): the dispatcher's grace from the dispatch runs out.
    Delivery.objects.update(enqueued_at=now - LOST_AFTER - timedelta(seconds=1))
    assert dispatch_due(now=timezone.now(), enqueue=enqueue_sends).requeued == 1
    wait_for(lambda: Delivery.objects.get().status == "sent")
    assert Delivery.objects.get().attempts == 1
