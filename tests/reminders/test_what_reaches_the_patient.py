"""What one delivery sends, where, and what its row says afterwards.

The channels are replaced by recorders (e-mail goes to Django's test outbox): these tests are
about which of them ``reminders.sending`` calls, with what, and what it records; the channels'
own wire formats are tested in test_channels.py.
"""

from __future__ import annotations

import logging
import types
import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail

from reminders import sending
from reminders.dispatcher import dispatch_due
from reminders.models import MAX_DEVICES, Delivery, Device, Reminder, ReminderSettings
from reminders.wording import message_for
from tests.factories import DeviceFactory, ExperimentFactory, PatientFactory
from tests.reminders.helpers import a_reminder, z

pytestmark = pytest.mark.django_db

SLOT = z("2026-11-26T20:00:00Z")


def a_due_delivery(*, channels: list[str] | None = None, slot=SLOT) -> Delivery:
    """A pending delivery for a London patient's 20:00 reminder, as the dispatcher writes it."""
    user = PatientFactory(timezone="Europe/London")
    if channels is not None:
        ReminderSettings.objects.create(patient=user, channels=channels, updated_at=slot)
    a_reminder(user, at="20:00", now=slot - timedelta(hours=12))
    dispatch_due(now=slot, enqueue=lambda ids: None)
    return Delivery.objects.get(patient=user)


class Recorder:
    """Stands in for a channel: notes each call, answers as told (nothing, or an error)."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.error: Exception | Callable[[], None] | None = None

    def __call__(self, **kwargs) -> None:
        self.calls.append(kwargs)
        if isinstance(self.error, Exception):
            raise self.error
        if self.error is not None:
            self.error()  # something that happens during the send, which then goes through


@pytest.fixture
def recorded(nothing_configured, monkeypatch):
    """Every channel configured and recorded; the console fallback of development on."""
    nothing_configured.REMINDER_CHANNEL_PUSH_URL = "https://push.invalid/v1/projects/good-enough/messages:send"
    nothing_configured.EMAIL_URL = "smtp://mail.invalid:25"
    nothing_configured.REMINDER_WEBHOOK_URL = "https://hooks.invalid/reminders"
    nothing_configured.REMINDER_WEBHOOK_SECRET = "whsec_c2VjcmV0"
    nothing_configured.REMINDER_CONSOLE_FALLBACK = True
    channels = types.SimpleNamespace(
        push=Recorder(), webhook=Recorder(), console=Recorder(), settings=nothing_configured
    )
    for name in ("push", "webhook", "console"):
        monkeypatch.setattr(sending.channels, name, getattr(channels, name))
    return channels


def phone(patient, token: str, *, registered_days_ago: int, platform: str = "android") -> Device:
    return DeviceFactory(user=patient, platform=platform, token=token, now=SLOT - timedelta(days=registered_days_ago))


def only_the_webhook(recorded) -> None:
    recorded.settings.REMINDER_CHANNEL_PUSH_URL = None
    recorded.settings.EMAIL_URL = None


def test_a_reminder_reaches_every_chosen_channel_and_the_row_names_them(recorded):
    delivery = a_due_delivery(channels=["push", "email"])
    patient = delivery.patient
    phone(patient, "older-phone", registered_days_ago=3)
    phone(patient, "newer-phone", registered_days_ago=1)
    assert sending.delivery_send(delivery_id=str(delivery.id), now=SLOT) == sending.Outcome(sent=True)

    title, body = message_for(Reminder.Kind.REFLECTION_DAILY, str(delivery.id))
    # Push: each active phone, the one registered last first.
    assert [call["device"].token for call in recorded.push.calls] == ["newer-phone", "older-phone"]
    # E-mail: to the patient's own address, in the delivery's words.
    assert [(m.to, m.subject) for m in mail.outbox] == [([patient.email], title)]
    assert mail.outbox[0].body.startswith(body)
    # The webhook: told whose reminder it is.
    assert [call["patient_id"] for call in recorded.webhook.calls] == [str(patient.id)]
    message = recorded.webhook.calls[0]["message"]
    assert (message.kind, message.title, message.body) == (Reminder.Kind.REFLECTION_DAILY, title, body)
    assert message.collapse_key == f"r{delivery.reminder_id.hex[:12]}{SLOT:%y%m%d%H%M}"
    assert message.experiment_id is None
    # Reached: nothing goes to the log as well.
    assert recorded.console.calls == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.channel, delivery.attempts) == ("sent", "push,email,webhook", 1)


def test_an_experiments_nudge_names_the_experiment_for_the_app_to_open(recorded):
    patient = PatientFactory(timezone="Europe/London")
    experiment = ExperimentFactory(
        patient=patient, now=SLOT - timedelta(days=2), planned_for=SLOT.date(), status="planned"
    )
    phone(patient, "their-phone", registered_days_ago=1)
    morning = Reminder.objects.get(experiment=experiment, kind=Reminder.Kind.EXPERIMENT_DAY)
    dispatch_due(now=morning.next_fire_at, enqueue=lambda ids: None)
    delivery = Delivery.objects.get(patient=patient)
    sending.delivery_send(delivery_id=str(delivery.id), now=morning.next_fire_at)
    [call] = recorded.push.calls
    assert call["message"].experiment_id == str(experiment.id)


def test_a_channel_the_patient_did_not_choose_is_not_used(recorded):
    delivery = a_due_delivery(channels=["email"])
    phone(delivery.patient, "their-phone", registered_days_ago=1)
    sending.delivery_send(delivery_id=str(delivery.id), now=SLOT)
    assert recorded.push.calls == []  # push is configured, and they have a phone, but chose e-mail
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert delivery.channel == "email,webhook"  # the webhook is the operator's, for everyone


def test_only_the_patients_active_phones_a_push_can_reach_are_sent_to(recorded):
    delivery = a_due_delivery(channels=["push"])
    patient = delivery.patient
    phone(patient, "current", registered_days_ago=1)
    Device.objects.filter(id=phone(patient, "switched-off", registered_days_ago=2).id).update(active=False)
    # A browser subscription: Web Push is not configured here (no VAPID key), so it cannot be reached.
    subscription = (
        '{"endpoint": "https://push.example.net/send/abc", "keys": {"p256dh": "'
        + "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
        + '", "auth": "tBHItJI5svbpez7KI4CCXg"}}'
    )
    phone(patient, subscription, registered_days_ago=0, platform="web")
    sending.delivery_send(delivery_id=str(delivery.id), now=SLOT)
    assert [call["device"].token for call in recorded.push.calls] == ["current"]


def a_device(patient, token: str, *, number: int, registered_at) -> Device:
    """A device row as registration leaves it, with an id of our choosing (``number`` orders them)."""
    return Device.objects.create(
        id=uuid.UUID(int=number), user=patient, platform="android", token=token, token_hash=f"hash-{token}",
        created_at=registered_at, last_registered_at=registered_at,
    )  # fmt: skip


def test_pushes_go_to_the_latest_registered_devices_first_and_no_more_than_allowed(recorded):
    delivery = a_due_delivery(channels=["push"])
    # More rows than registration allows today (the limit was lower once); ids run against recency.
    for days in range(MAX_DEVICES + 1):
        a_device(
            delivery.patient,
            f"registered-{days}-days-ago",
            number=MAX_DEVICES - days,
            registered_at=SLOT - timedelta(days=days),
        )
    sending.delivery_send(delivery_id=str(delivery.id), now=SLOT)
    assert [call["device"].token for call in recorded.push.calls] == [
        f"registered-{days}-days-ago" for days in range(MAX_DEVICES)
    ]


def test_devices_registered_at_the_same_moment_are_pushed_to_in_a_stable_order(recorded):
    delivery = a_due_delivery(channels=["push"])
    for number in reversed(range(1, MAX_DEVICES + 2)):  # written in the opposite order to their ids
        a_device(delivery.patient, f"device-{number}", number=number, registered_at=SLOT - timedelta(days=1))
    sending.delivery_send(delivery_id=str(delivery.id), now=SLOT)
    assert [call["device"].token for call in recorded.push.calls] == [
        f"device-{number}" for number in range(1, MAX_DEVICES + 1)
    ]


@pytest.mark.parametrize(("configured", "expected"), [("EMAIL_URL", "email"), ("REMINDER_WEBHOOK_URL", "webhook")])
def test_in_development_a_reminder_a_channel_reached_is_not_also_logged(recorded, configured, expected):
    for name in ("REMINDER_CHANNEL_PUSH_URL", "EMAIL_URL", "REMINDER_WEBHOOK_URL"):
        if name != configured:
            setattr(recorded.settings, name, None)
    delivery = a_due_delivery(channels=["email"])
    sending.delivery_send(delivery_id=str(delivery.id), now=SLOT)
    assert recorded.console.calls == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.channel) == ("sent", expected)


def test_the_log_of_a_reminder_nothing_reaches_names_the_patient(recorded):
    only_the_webhook(recorded)
    recorded.settings.REMINDER_WEBHOOK_URL = None
    delivery = a_due_delivery()
    sending.delivery_send(delivery_id=str(delivery.id), now=SLOT)
    assert [call["patient_id"] for call in recorded.console.calls] == [str(delivery.patient_id)]


def test_the_words_differ_from_one_reminder_to_the_next(recorded):
    only_the_webhook(recorded)
    deliveries = [a_due_delivery() for _ in range(12)]
    sending.deliveries_send(delivery_ids=[str(d.id) for d in deliveries], now=SLOT)
    titles = [call["message"].title for call in recorded.webhook.calls]
    assert len(titles) == 12
    assert len(set(titles)) > 1  # chosen by each delivery's id: not the same line every evening


def test_each_channels_failure_is_written_on_the_row_in_the_order_tried(recorded):
    delivery = a_due_delivery(channels=["push"])
    phone(delivery.patient, "their-phone", registered_days_ago=1)
    recorded.push.error = sending.channels.TransientError("the push service answered 503")
    recorded.webhook.error = sending.channels.PermanentError("the receiver answered 410")
    outcome = sending.delivery_send(delivery_id=str(delivery.id), now=SLOT)
    assert outcome == sending.Outcome(sent=False, retry_in=timedelta(seconds=30))  # one of them may pass later
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.last_error == "push: the push service answered 503; webhook: the receiver answered 410"


def test_a_very_long_error_is_cut_to_what_the_row_holds(recorded):
    recorded.webhook.error = sending.channels.PermanentError("x" * 600)
    only_the_webhook(recorded)
    delivery = a_due_delivery()
    sending.delivery_send(delivery_id=str(delivery.id), now=SLOT)
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert delivery.last_error == ("webhook: " + "x" * 600)[:500]


def test_an_unexpected_error_in_a_channel_is_logged_with_the_channel_and_the_delivery(recorded, caplog):
    only_the_webhook(recorded)
    recorded.webhook.error = RuntimeError("a bug in one channel")
    delivery = a_due_delivery()
    with caplog.at_level(logging.ERROR, logger="reminders.sending"):
        sending.delivery_send(delivery_id=str(delivery.id), now=SLOT)
    assert [r.getMessage() for r in caplog.records if r.name == "reminders.sending"] == [
        f"reminders: webhook send of delivery {delivery.id} raised"
    ]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == ("pending", "webhook: RuntimeError")


def test_once_a_deliverys_time_is_spent_no_send_starts(recorded, monkeypatch):
    """A budget of none, on a clock that does not move: not even the first send starts."""
    monkeypatch.setattr(sending, "DELIVERY_BUDGET_SECONDS", 0.0)
    monkeypatch.setattr(sending, "time", types.SimpleNamespace(monotonic=lambda: 1000.0))
    only_the_webhook(recorded)
    delivery = a_due_delivery()
    assert sending.delivery_send(delivery_id=str(delivery.id), now=SLOT).sent is False
    assert recorded.webhook.calls == []
    delivery.refresh_from_db()
    assert delivery.last_error == "webhook: not tried, the delivery's 0 s were spent"


def test_a_send_task_sends_only_the_deliveries_it_was_given(recorded):
    only_the_webhook(recorded)
    given, other = a_due_delivery(), a_due_delivery()
    sending.deliveries_send(delivery_ids=[str(given.id)], now=SLOT)
    assert [call["message"].delivery_id for call in recorded.webhook.calls] == [str(given.id)]
    other.refresh_from_db()
    assert (other.status, other.attempts, other.enqueued_at) == ("pending", 0, SLOT)


def test_a_batch_sends_the_oldest_slot_first(recorded):
    only_the_webhook(recorded)
    deliveries = sorted((a_due_delivery() for _ in range(4)), key=lambda d: d.id)
    # The greatest id holds the oldest slot, and so on down.
    for minutes, delivery in enumerate(reversed(deliveries)):
        Delivery.objects.filter(id=delivery.id).update(slot_at=SLOT - timedelta(minutes=10 - minutes))
    sending.deliveries_send(delivery_ids=[str(d.id) for d in deliveries], now=SLOT)
    assert [call["message"].delivery_id for call in recorded.webhook.calls] == [str(d.id) for d in reversed(deliveries)]


def test_a_send_task_given_an_unknown_id_among_others_sends_the_others(recorded):
    only_the_webhook(recorded)
    delivery = a_due_delivery()
    outcomes = sending.deliveries_send(delivery_ids=[str(uuid.uuid4()), str(delivery.id)], now=SLOT)
    assert outcomes == {str(delivery.id): sending.Outcome(sent=True)}


def test_deliveries_a_task_runs_out_of_time_for_get_back_each_its_own_turn(recorded, soft_time_limit):
    """A fresh delivery and a retry not begun are handed back: each is due again when it was before."""
    only_the_webhook(recorded)
    first, fresh, retry = a_due_delivery(), a_due_delivery(), a_due_delivery()
    Delivery.objects.filter(id=first.id).update(slot_at=SLOT - timedelta(minutes=1))  # its turn comes first
    Delivery.objects.filter(id=retry.id).update(attempts=1, enqueued_at=SLOT + timedelta(seconds=30))
    recorded.webhook.error = soft_time_limit  # the time is up during the first send, which still goes out
    with pytest.raises(SoftTimeLimitExceeded):
        sending.deliveries_send(
            delivery_ids=[str(d.id) for d in (fresh, retry, first)], now=SLOT + timedelta(minutes=1)
        )
    assert len(recorded.webhook.calls) == 1
    rows = {row.id: row for row in Delivery.objects.all()}
    assert rows[first.id].status == "sent"
    assert {(rows[d.id].status, rows[d.id].enqueued_at, rows[d.id].attempts) for d in (fresh, retry)} == {
        ("pending", SLOT, 0),
        ("pending", SLOT + timedelta(seconds=30), 1),
    }
