"""Sending one delivery: once, through the patient's channels, retried when worth it.

The channels talk to real local servers (tests/reminders/servers.py): a webhook receiver and
an FCM-shaped push endpoint. Races run on PostgreSQL, with threads on their own connections.
"""

from __future__ import annotations

import base64
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
import time_machine
from celery.exceptions import SoftTimeLimitExceeded
from django.db import connection, transaction

from accounts.models import User
from reminders import sending, tasks
from reminders.dispatcher import LOST_AFTER, dispatch_due
from reminders.models import MAX_DEVICES, Delivery, Device, Reminder, ReminderSettings
from tests.factories import DeviceFactory, PatientFactory
from tests.helpers import needs_concurrent_transactions
from tests.reminders.helpers import a_reminder, z

SLOT = z("2026-11-26T20:00:00Z")
SECRET = "whsec_" + base64.b64encode(b"a-secret-of-thirty-two-bytes!!!!").decode()


def soon_after(moment: datetime, value: datetime | None) -> bool:
    """``value`` is ``moment`` plus the little time a batch of one takes to send."""
    return value is not None and moment <= value < moment + timedelta(seconds=1)


def a_due_delivery(*, channels: list[str] | None = None, **patient) -> Delivery:
    """A pending delivery for a London patient's 20:00 reminder, as the dispatcher writes it."""
    user = PatientFactory(timezone="Europe/London", **patient)
    if channels is not None:
        ReminderSettings.objects.create(patient=user, channels=channels, updated_at=SLOT)
    a_reminder(user, at="20:00", now=SLOT - timedelta(hours=12))
    dispatch_due(now=SLOT, enqueue=lambda ids: None)
    return Delivery.objects.get(patient=user)


@pytest.fixture
def webhook(nothing_configured, server):
    nothing_configured.REMINDER_WEBHOOK_URL = f"{server.url}/hooks/reminders"
    nothing_configured.REMINDER_WEBHOOK_SECRET = SECRET
    return server


@pytest.mark.django_db
def test_with_no_channel_configured_a_reminder_goes_to_the_log_and_counts_as_sent(nothing_configured, caplog):
    delivery = a_due_delivery()
    caplog.set_level("INFO", logger="reminders.console")
    outcome = sending.delivery_send(delivery_id=str(delivery.id), now=SLOT + timedelta(seconds=3))
    assert outcome == sending.Outcome(sent=True)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.channel, delivery.attempts) == ("sent", "console", 1)
    assert soon_after(SLOT + timedelta(seconds=3), delivery.sent_at)  # when it went out
    assert str(delivery.id) in caplog.text


@pytest.mark.django_db
def test_a_send_task_run_twice_sends_once(webhook):
    delivery = a_due_delivery()
    first = sending.delivery_send(delivery_id=str(delivery.id), now=SLOT)
    again = sending.delivery_send(delivery_id=str(delivery.id), now=SLOT + timedelta(minutes=1))
    assert (first.sent, again.sent) == (True, False)
    assert len(webhook.received) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.channel, delivery.attempts) == ("sent", "webhook", 1)


@pytest.mark.django_db
def test_the_words_never_carry_journal_text_and_stay_the_same_on_a_retry(webhook):
    delivery = a_due_delivery()
    webhook.answer(503)
    sending.delivery_send(delivery_id=str(delivery.id), now=SLOT)
    webhook.answer(200)
    sending.delivery_send(delivery_id=str(delivery.id), now=SLOT + timedelta(seconds=30))
    first, second = (request.json()["data"] for request in webhook.received)
    assert (first["title"], first["body"]) == (second["title"], second["body"])
    assert set(first) == {"patient_id", "kind", "title", "body", "slot_at", "delivery_id"}


@pytest.mark.django_db
def test_a_transient_failure_is_retried_with_backoff_and_failed_after_the_last_attempt(webhook):
    delivery = a_due_delivery()
    webhook.answer(503)
    waits, now = [], SLOT
    for attempt in range(1, sending.MAX_ATTEMPTS + 1):
        outcome = sending.delivery_send(delivery_id=str(delivery.id), now=now)
        waits.append(outcome.retry_in)
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        now += outcome.retry_in or timedelta(0)  # the retry runs when it was told to
    assert waits == [timedelta(seconds=s) for s in (30, 60, 120, 240)] + [None]
    assert delivery.status == "failed"
    assert "503" in delivery.last_error
    assert len(webhook.received) == sending.MAX_ATTEMPTS


@pytest.mark.django_db
def test_a_retry_that_comes_early_waits_for_its_turn(webhook):
    delivery = a_due_delivery()
    webhook.answer(503)
    sending.delivery_send(delivery_id=str(delivery.id), now=SLOT)
    webhook.answer(200)
    # A copy of the message (the broker redelivered it) well before the backoff is over: not yet.
    assert sending.delivery_send(delivery_id=str(delivery.id), now=SLOT + timedelta(seconds=5)).sent is False
    # A worker whose clock runs a few seconds behind the dispatcher's still takes its turn.
    assert sending.delivery_send(delivery_id=str(delivery.id), now=SLOT + timedelta(seconds=20)).sent is True
    assert len(webhook.received) == 2


@pytest.mark.django_db
def test_a_pending_retry_is_not_taken_for_a_lost_message(webhook):
    delivery = a_due_delivery()
    webhook.answer(503)
    sending.delivery_send(delivery_id=str(delivery.id), now=SLOT)
    delivery.refresh_from_db()
    assert soon_after(SLOT + timedelta(seconds=30), delivery.enqueued_at)  # the retry's own time


@pytest.mark.django_db
def test_a_wait_the_service_asks_for_is_honoured_when_longer_than_the_backoff(webhook):
    delivery = a_due_delivery()
    webhook.answer(429, headers={"Retry-After": "300"})
    outcome = sending.delivery_send(delivery_id=str(delivery.id), now=SLOT)
    assert outcome.retry_in == timedelta(seconds=300)


@pytest.mark.django_db
def test_a_push_token_the_service_calls_unregistered_is_deactivated(nothing_configured, server):
    nothing_configured.REMINDER_CHANNEL_PUSH_URL = f"{server.url}/v1/projects/good-enough/messages:send"
    delivery = a_due_delivery(channels=["push"])
    phone = Device.objects.create(
        user=delivery.patient, platform="android", token="gone", token_hash="h1", created_at=SLOT,
        last_registered_at=SLOT,
    )  # fmt: skip
    server.answer(404, json_body={"error": {"code": 404, "status": "NOT_FOUND", "details": [
        {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "UNREGISTERED"}
    ]}})  # fmt: skip
    outcome = sending.delivery_send(delivery_id=str(delivery.id), now=SLOT)
    assert outcome == sending.Outcome(sent=False)
    phone.refresh_from_db()
    assert phone.active is False
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert "unregistered" in delivery.last_error


@pytest.mark.django_db
def test_a_delivery_that_is_skipped_or_already_sent_is_left_alone(webhook):
    delivery = a_due_delivery()
    Delivery.objects.filter(id=delivery.id).update(status="skipped_quiet")
    assert sending.delivery_send(delivery_id=str(delivery.id), now=SLOT) == sending.Outcome(sent=False)
    assert webhook.received == []


@pytest.mark.django_db
def test_an_unknown_delivery_id_is_nothing_to_send(webhook):
    assert sending.delivery_send(delivery_id=str(uuid.uuid4()), now=SLOT) == sending.Outcome(sent=False)


def run_at_once(count: int, work) -> list:
    """``work`` in ``count`` threads released together, each on its own database connection."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = work()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@needs_concurrent_transactions
@pytest.mark.django_db(transaction=True)
def test_three_dispatchers_at_once_write_one_delivery_and_enqueue_it_once(nothing_configured):
    user = PatientFactory(timezone="Europe/London")
    a_reminder(user, at="20:00", now=SLOT - timedelta(hours=12))
    enqueued: list[str] = []
    results = run_at_once(3, lambda: dispatch_due(now=SLOT, enqueue=enqueued.extend))
    assert sorted(result.due for result in results) == [0, 0, 1]
    assert Delivery.objects.count() == 1
    assert enqueued == [str(Delivery.objects.get().id)]
    assert Reminder.objects.get().next_fire_at == SLOT + timedelta(days=1)


@needs_concurrent_transactions
@pytest.mark.django_db(transaction=True)
def test_two_send_tasks_at_once_send_once(webhook):
    delivery = a_due_delivery()
    webhook.answer(200, delay=0.3)  # the first is mid-send while the second comes
    now = SLOT + timedelta(seconds=1)
    outcomes = run_at_once(2, lambda: sending.delivery_send(delivery_id=str(delivery.id), now=now))
    assert sorted(outcome.sent for outcome in outcomes) == [False, True]
    assert len(webhook.received) == 1


@contextmanager
def locked_by_another_transaction(rows, **lock):
    """``rows`` locked (``SELECT ... FOR UPDATE``, or as ``lock`` says) in another thread's open
    transaction, as a dispatcher pass or a send task holds them while it claims, until the block ends."""
    locked, done = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                list(rows.select_for_update(**lock))
                locked.set()
                done.wait(timeout=10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        yield
    finally:
        done.set()
        holder.join(timeout=10)


@needs_concurrent_transactions
@pytest.mark.django_db(transaction=True)
def test_a_send_task_does_not_wait_for_a_delivery_another_task_is_claiming(webhook):
    delivery = a_due_delivery()
    with locked_by_another_transaction(Delivery.objects.filter(id=delivery.id)):
        started = time.monotonic()
        outcome = sending.delivery_send(delivery_id=str(delivery.id), now=SLOT)
        waited = time.monotonic() - started
    # It leaves the delivery to the other task at once, instead of holding its worker until that one is done.
    assert (outcome.sent, webhook.received) == (False, [])
    assert waited < 2


@needs_concurrent_transactions
@pytest.mark.django_db(transaction=True)
def test_a_dispatcher_pass_does_not_wait_for_reminders_another_pass_is_claiming(nothing_configured):
    claimed, free = (PatientFactory(timezone="Europe/London") for _ in range(2))
    for patient in (claimed, free):
        a_reminder(patient, at="20:00", now=SLOT - timedelta(hours=12))
    with locked_by_another_transaction(Reminder.objects.filter(patient=claimed)):
        started = time.monotonic()
        result = dispatch_due(now=SLOT, enqueue=lambda ids: None)
        waited = time.monotonic() - started
    # The other pass's reminder is left to it; this pass writes the rest, at once.
    assert (result.due, list(Delivery.objects.values_list("patient", flat=True))) == (1, [free.id])
    assert waited < 2


@needs_concurrent_transactions
@pytest.mark.django_db(transaction=True)
def test_a_dispatcher_pass_does_not_wait_for_a_patient_whose_account_or_settings_are_being_saved(
    nothing_configured,
):
    patient = PatientFactory(timezone="Europe/London")
    ReminderSettings.objects.create(patient=patient, paused_until=SLOT.date(), updated_at=SLOT)
    a_reminder(patient, at="20:00", now=SLOT - timedelta(hours=12))
    # Saving the profile updates the user row (``FOR NO KEY UPDATE``: the pass's deliveries still
    # point at it); saving the settings locks theirs as reminders/services.py does.
    with (
        locked_by_another_transaction(User.objects.filter(id=patient.id), no_key=True),
        locked_by_another_transaction(ReminderSettings.objects.filter(patient=patient)),
    ):
        started = time.monotonic()
        result = dispatch_due(now=SLOT, enqueue=lambda ids: None)
        waited = time.monotonic() - started
    # The pass locks only its reminders, and reads the settings as last committed: still paused.
    assert (result.due, result.skipped, waited < 2) == (1, 1, True)


@needs_concurrent_transactions
@pytest.mark.django_db(transaction=True)
def test_a_dispatcher_pass_does_not_wait_for_lost_sends_another_pass_is_enqueuing_again(nothing_configured):
    lost = a_due_delivery()  # its message was lost: the next passes look for it
    later = SLOT + LOST_AFTER + timedelta(seconds=1)
    with locked_by_another_transaction(Delivery.objects.filter(id=lost.id)):
        started = time.monotonic()
        result = dispatch_due(now=later, enqueue=lambda ids: None)
        waited = time.monotonic() - started
    assert (result.requeued, waited < 2) == (0, True)  # left to the other pass, at once
    assert dispatch_due(now=later, enqueue=lambda ids: None).requeued == 1  # and taken once that one is gone


@pytest.mark.django_db
def test_a_batch_is_claimed_at_once_and_each_send_is_counted_before_and_recorded_right_after(
    nothing_configured, django_assert_num_queries
):
    for _ in range(30):
        a_reminder(PatientFactory(timezone="Europe/London"), at="20:00", now=SLOT - timedelta(hours=12))
    dispatch_due(now=SLOT, enqueue=lambda ids: None)
    pending = [str(i) for i in Delivery.objects.filter(status="pending").values_list("id", flat=True)]
    # Claim: savepoint, the batch, its lease, release. Then for each delivery: the attempt
    # counted before it goes out (one UPDATE), its outcome right after (one UPDATE): a crash
    # can cost at most the send in flight, never twenty recorded late.
    with django_assert_num_queries(4 + 30 * (1 + 1)):
        outcomes = sending.deliveries_send(delivery_ids=pending, now=SLOT)
    assert [outcome.sent for outcome in outcomes.values()] == [True] * 30
    assert Delivery.objects.filter(status="sent", channel="console", attempts=1, lease_owner=None).count() == 30


@pytest.mark.django_db
def test_in_one_batch_each_delivery_is_recorded_by_its_own_outcome(nothing_configured, server):
    nothing_configured.REMINDER_CHANNEL_PUSH_URL = f"{server.url}/v1/projects/good-enough/messages:send"
    nothing_configured.REMINDER_CONSOLE_FALLBACK = True  # development: what reaches nobody goes to the log
    server.answer(404, json_body={"error": {"status": "NOT_FOUND", "details": [{"errorCode": "UNREGISTERED"}]}})
    by_push = a_due_delivery(channels=["push"])
    Device.objects.create(
        user=by_push.patient, platform="ios", token="gone", token_hash="h2", created_at=SLOT, last_registered_at=SLOT
    )
    by_log = a_due_delivery(channels=["email"])  # e-mail is not configured here
    outcomes = sending.deliveries_send(delivery_ids=[str(by_push.id), str(by_log.id)], now=SLOT)
    assert outcomes == {str(by_push.id): sending.Outcome(sent=False), str(by_log.id): sending.Outcome(sent=True)}
    assert dict(Delivery.objects.values_list("id", "status")) == {by_push.id: "failed", by_log.id: "sent"}
    assert not Device.objects.get(token_hash="h2").active


@pytest.mark.django_db
def test_every_phone_the_service_calls_unregistered_in_one_batch_is_deactivated(nothing_configured, server):
    nothing_configured.REMINDER_CHANNEL_PUSH_URL = f"{server.url}/v1/projects/good-enough/messages:send"
    server.answer(404, json_body={"error": {"status": "NOT_FOUND", "details": [{"errorCode": "UNREGISTERED"}]}})
    deliveries = [a_due_delivery(channels=["push"]) for _ in range(3)]
    for delivery in deliveries:
        DeviceFactory(user=delivery.patient, now=SLOT - timedelta(days=1))
    sending.deliveries_send(delivery_ids=[str(d.id) for d in deliveries], now=SLOT)
    assert list(Device.objects.values_list("active", flat=True)) == [False] * 3


@pytest.mark.django_db
def test_a_reminder_is_pushed_to_its_own_patients_phones_only(nothing_configured, server):
    nothing_configured.REMINDER_CHANNEL_PUSH_URL = f"{server.url}/v1/projects/good-enough/messages:send"
    delivery = a_due_delivery(channels=["push"])
    DeviceFactory(user=delivery.patient, token="the-patients-phone", now=SLOT - timedelta(days=1))
    DeviceFactory(token="someone-elses-phone", now=SLOT - timedelta(days=1))  # a user with no reminder due
    assert sending.delivery_send(delivery_id=str(delivery.id), now=SLOT).sent is True
    assert [request.json()["message"]["token"] for request in server.received] == ["the-patients-phone"]


@pytest.mark.django_db
def test_in_production_a_reminder_no_channel_reaches_is_failed_not_logged_as_sent(nothing_configured, server):
    nothing_configured.REMINDER_CHANNEL_PUSH_URL = f"{server.url}/v1/projects/good-enough/messages:send"
    nothing_configured.REMINDER_CONSOLE_FALLBACK = False
    delivery = a_due_delivery()  # push, the default, is configured; this patient has no device
    assert sending.delivery_send(delivery_id=str(delivery.id), now=SLOT) == sending.Outcome(sent=False)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == ("failed", "no channel reaches this patient")


@pytest.mark.django_db
def test_a_delivery_sent_too_late_is_missed_not_sent(webhook):
    delivery = a_due_delivery()  # its worker died; the broker lost the message; hours pass
    outcome = sending.delivery_send(delivery_id=str(delivery.id), now=SLOT + timedelta(hours=2, minutes=1))
    assert outcome == sending.Outcome(sent=False)
    delivery.refresh_from_db()
    assert delivery.status == "missed"
    assert webhook.received == []


@pytest.mark.django_db
def test_a_delivery_exactly_two_hours_late_is_still_sent(webhook):
    delivery = a_due_delivery()
    outcome = sending.delivery_send(delivery_id=str(delivery.id), now=SLOT + timedelta(hours=2))
    assert outcome == sending.Outcome(sent=True)
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert len(webhook.received) == 1


@pytest.mark.django_db
def test_a_channel_that_raises_something_unexpected_costs_only_its_own_delivery(webhook, monkeypatch):
    first, second = a_due_delivery(), a_due_delivery()
    real = sending.channels.webhook

    def breaks_for_the_first(*, patient_id, message):
        if message.delivery_id == str(first.id):
            raise RuntimeError("a bug in one channel")
        real(patient_id=patient_id, message=message)

    monkeypatch.setattr(sending.channels, "webhook", breaks_for_the_first)
    outcomes = sending.deliveries_send(delivery_ids=[str(first.id), str(second.id)], now=SLOT)
    assert outcomes[str(second.id)].sent is True
    assert outcomes[str(first.id)].retry_in == timedelta(seconds=30)  # treated as transient
    assert len(webhook.received) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("retry_after", ["86400", "99999999999999999999", "1e300"])
def test_a_retry_after_beyond_the_slots_window_is_capped(webhook, retry_after):
    delivery = a_due_delivery()
    webhook.answer(429, headers={"Retry-After": retry_after})  # past what a timedelta holds, too
    assert sending.delivery_send(delivery_id=str(delivery.id), now=SLOT).retry_in == timedelta(hours=2)
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert soon_after(SLOT + timedelta(hours=2), delivery.enqueued_at)


# --- Time: a worker's time limit, and one user's devices against everyone else's reminders ---


def a_channel(real, *, on_call: dict[int, object]):
    """The real webhook channel, but on the n-th call first do ``on_call[n]``: raise what it
    holds, or call it (and then send)."""
    calls: list[str] = []

    def webhook(*, patient_id, message):
        calls.append(message.delivery_id)
        step = on_call.get(len(calls))
        if isinstance(step, Exception):
            raise step
        if callable(step):
            step()
        real(patient_id=patient_id, message=message)

    return webhook, calls


@pytest.mark.django_db
def test_at_the_soft_time_limit_the_send_in_flight_is_recorded_and_the_rest_handed_back(
    webhook, monkeypatch, soft_time_limit, django_capture_on_commit_callbacks
):
    deliveries = [a_due_delivery() for _ in range(3)]
    channel, calls = a_channel(sending.channels.webhook, on_call={2: soft_time_limit})
    monkeypatch.setattr(sending.channels, "webhook", channel)
    with pytest.raises(SoftTimeLimitExceeded):
        sending.deliveries_send(delivery_ids=[str(d.id) for d in deliveries], now=SLOT + timedelta(minutes=1))
    assert len(calls) == 2  # the third was never begun
    rows = {str(d.id): d for d in Delivery.objects.all()}
    for sent in calls:  # the one in flight at the limit was waited for, and recorded
        assert (rows[sent].status, rows[sent].attempts, rows[sent].lease_owner) == ("sent", 1, None)
    [left] = [row for delivery_id, row in rows.items() if delivery_id not in calls]
    # Not failed, not sent, not counted as an attempt; its lease given back: as dispatched.
    assert (left.status, left.attempts, left.enqueued_at, left.lease_owner, left.last_error) == (
        "pending", 0, SLOT, None, ""
    )  # fmt: skip
    assert sorted(request.headers["webhook-id"] for request in webhook.received) == sorted(calls)
    # So the dispatcher's next look for lost sends takes it, not only after a lease would have run out.
    enqueued: list[str] = []
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch_due(now=SLOT + LOST_AFTER + timedelta(seconds=1), enqueue=enqueued.extend).requeued == 1
    assert enqueued == [str(left.id)]


@pytest.mark.django_db
def test_a_retry_recorded_before_the_soft_time_limit_keeps_the_wait_its_service_asked_for(
    webhook, monkeypatch, soft_time_limit, django_capture_on_commit_callbacks
):
    deliveries = [a_due_delivery() for _ in range(4)]
    busy = sending.channels.TransientError("429", retry_after=300)  # five minutes, please
    channel, calls = a_channel(sending.channels.webhook, on_call={2: busy, 3: soft_time_limit})
    monkeypatch.setattr(sending.channels, "webhook", channel)
    now = SLOT + timedelta(minutes=1)
    with pytest.raises(SoftTimeLimitExceeded):
        sending.deliveries_send(delivery_ids=[str(d.id) for d in deliveries], now=now)
    waiting = Delivery.objects.get(id=calls[1])
    assert (waiting.status, waiting.attempts) == ("pending", 1)
    assert soon_after(now + timedelta(minutes=5), waiting.enqueued_at)
    # The dispatcher's next look for lost sends takes only the one never begun, not the one asked to wait.
    enqueued: list[str] = []
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_due(now=now + LOST_AFTER + timedelta(seconds=1), enqueue=enqueued.extend)
    assert enqueued == [str(d.id) for d in deliveries if str(d.id) not in calls]


@pytest.mark.django_db
def test_the_send_task_ends_on_its_soft_time_limit_instead_of_carrying_on(webhook, monkeypatch, soft_time_limit):
    first, second = a_due_delivery(), a_due_delivery()
    channel, calls = a_channel(sending.channels.webhook, on_call={1: soft_time_limit})
    monkeypatch.setattr(sending.channels, "webhook", channel)
    with time_machine.travel(SLOT, tick=False), pytest.raises(SoftTimeLimitExceeded):
        tasks.send_deliveries([str(first.id), str(second.id)])
    assert len(calls) == 1
    assert dict(Delivery.objects.values_list("status", "attempts")) == {"sent": 1, "pending": 0}


@pytest.mark.django_db
def test_a_user_whose_devices_never_answer_holds_up_the_next_users_reminder_at_most_one_budget(
    nothing_configured, monkeypatch
):
    """Five devices whose push service takes 0.6 s each to time out, then another user's one phone.

    Unbounded, the other user waits 3 s; within the budget (1 s here), one more send at most."""
    budget, one_send = 1.0, 0.6
    monkeypatch.setattr(sending, "DELIVERY_BUDGET_SECONDS", budget)
    nothing_configured.REMINDER_CHANNEL_PUSH_URL = "https://fcm.googleapis.com/v1/projects/good-enough/messages:send"
    slow, quick = a_due_delivery(channels=["push"]), a_due_delivery(channels=["push"])
    Delivery.objects.filter(id=slow.id).update(slot_at=SLOT - timedelta(minutes=1))  # older: its turn comes first
    for n in range(MAX_DEVICES):
        DeviceFactory(user=slow.patient, token=f"never-answers-{n}", now=SLOT - timedelta(days=n + 1))
    DeviceFactory(user=quick.patient, token="answers", now=SLOT - timedelta(days=1))
    tried: dict[str, float] = {}

    def push(*, device, message):
        tried[device.token] = time.monotonic() - started
        if device.token.startswith("never-answers"):
            time.sleep(one_send)
            raise sending.channels.TransientError("the push service did not answer in time.")

    monkeypatch.setattr(sending.channels, "push", push)
    started = time.monotonic()
    outcomes = sending.deliveries_send(delivery_ids=[str(slow.id), str(quick.id)], now=SLOT)
    assert outcomes[str(quick.id)].sent is True
    assert tried["answers"] < budget + one_send + 0.3  # not 5 x 0.6 s: the slow user's budget ended
    assert len(tried) < MAX_DEVICES + 1  # some of the slow user's devices were not tried this time
    slow.refresh_from_db()
    assert (slow.status, slow.attempts) == ("pending", 1)  # tried again later, with backoff
    assert "not tried" in slow.last_error
