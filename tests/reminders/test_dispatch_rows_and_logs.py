"""What a dispatcher pass leaves behind: the delivery rows, the batches it enqueues, its log;
and the smaller rules it leans on (quiet hours, stopping a commitment's reminders, the words
of a refused setting or subscription)."""

from __future__ import annotations

import json
import logging
from datetime import time, timedelta

import pytest
import time_machine

from reminders import plans, sending
from reminders.dispatcher import LOST_AFTER, SEND_BATCH, dispatch_due
from reminders.models import Delivery, Reminder, ReminderSettings
from tests.factories import CommitmentFactory, PatientFactory
from tests.helpers import WEB_PUSH_KEYS, client_for
from tests.reminders.helpers import a_reminder, z

pytestmark = pytest.mark.django_db

SLOT = z("2026-11-26T20:00:00Z")  # 20:00 in London, 15:00 in New York


def test_a_delivery_row_records_the_slot_in_the_patients_own_zone(nothing_configured):
    patient = PatientFactory(timezone="America/New_York")
    a_reminder(patient, at="15:00", now=SLOT - timedelta(hours=12))
    dispatch_due(now=SLOT, enqueue=lambda ids: None)
    delivery = Delivery.objects.get()
    assert (delivery.local_slot, delivery.status, delivery.enqueued_at) == (
        "2026-11-26T15:00:00-05:00",
        "pending",
        SLOT,
    )


def test_a_skipped_slot_is_never_enqueued(nothing_configured):
    patient = PatientFactory(timezone="Europe/London")
    ReminderSettings.objects.create(patient=patient, paused_until=SLOT.date(), updated_at=SLOT)
    a_reminder(patient, at="20:00", now=SLOT - timedelta(hours=12))
    enqueued: list[list[str]] = []
    dispatch_due(now=SLOT, enqueue=enqueued.append)
    assert enqueued == []
    assert list(Delivery.objects.values_list("status", "enqueued_at")) == [("skipped_paused", None)]


def test_a_slot_exactly_two_hours_late_is_still_sent(nothing_configured):
    a_reminder(PatientFactory(timezone="Europe/London"), at="20:00", now=SLOT - timedelta(hours=12))
    dispatch_due(now=SLOT + timedelta(hours=2), enqueue=lambda ids: None)
    assert Delivery.objects.get().status == "pending"


def test_sends_are_enqueued_a_hundred_deliveries_to_a_message(nothing_configured, django_capture_on_commit_callbacks):
    for _ in range(SEND_BATCH + 1):
        a_reminder(PatientFactory(timezone="Europe/London"), at="20:00", now=SLOT - timedelta(hours=12))
    enqueued: list[list[str]] = []
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_due(now=SLOT, enqueue=enqueued.append)
    assert [len(batch) for batch in enqueued] == [SEND_BATCH, 1]


def test_a_pass_that_found_work_says_so_in_the_log_and_an_idle_one_is_quiet(nothing_configured, caplog):
    a_reminder(PatientFactory(timezone="Europe/London"), at="20:00", now=SLOT - timedelta(hours=12))
    with caplog.at_level(logging.INFO, logger="reminders.dispatcher"):
        dispatch_due(now=SLOT, enqueue=lambda ids: None)
        dispatch_due(now=SLOT + timedelta(seconds=30), enqueue=lambda ids: None)  # nothing due, nothing lost
    assert [r.getMessage() for r in caplog.records if r.name == "reminders.dispatcher"] == [
        "dispatch at 2026-11-26T20:00:00+00:00: PassResult(due=1, to_send=1, skipped=0, missed=0, requeued=0)"
    ]


def test_a_lost_send_is_enqueued_again_logged_and_then_really_sent(nothing_configured, caplog):
    a_reminder(PatientFactory(timezone="Europe/London"), at="20:00", now=SLOT - timedelta(hours=12))
    dispatch_due(now=SLOT, enqueue=lambda ids: None)  # its message is lost
    later = SLOT + LOST_AFTER + timedelta(minutes=1)
    with caplog.at_level(logging.INFO, logger="reminders.dispatcher"):
        assert dispatch_due(now=later, enqueue=lambda ids: None).requeued == 1
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [
        f"dispatch at {later.isoformat()}: 1 deliveries pending too long, enqueued again"
    ]
    delivery = Delivery.objects.get()
    assert sending.delivery_send(delivery_id=str(delivery.id), now=later) == sending.Outcome(sent=True)


# --- Quiet hours, as the model reads them --------------------------------------------------------


@pytest.mark.parametrize(("start", "end"), [(time(22), time(22)), (time(22), None), (None, time(7)), (None, None)])
def test_quiet_hours_missing_an_end_or_ending_as_they_start_silence_nothing(start, end):
    settings = ReminderSettings(quiet_start=start, quiet_end=end)
    assert [settings.is_quiet(time(hour)) for hour in (0, 7, 12, 22, 23)] == [False] * 5


# --- Stopping a commitment's reminders -----------------------------------------------------------


def test_stopping_a_commitments_reminders_touches_only_its_own_that_were_on():
    now = SLOT
    patient = PatientFactory(timezone="Europe/London")
    stopped = CommitmentFactory(patient=patient, kind="reflection_daily", now=now - timedelta(days=2))
    other = CommitmentFactory(patient=patient, kind="pride_weekly", now=now - timedelta(days=2))
    on = Reminder.objects.get(commitment=stopped)
    off = a_reminder(patient, at="08:00", now=now - timedelta(days=1), commitment=stopped, enabled=False)
    before = {r.id: (r.next_fire_at, r.version, r.updated_at) for r in Reminder.objects.all()}

    plans.commitment_reminders_stop(commitment=stopped, now=now)

    after = {r.id: (r.enabled, r.next_fire_at, r.version, r.updated_at) for r in Reminder.objects.all()}
    assert after[on.id] == (False, None, before[on.id][1] + 1, now)  # a client holding it learns it changed
    assert after[off.id] == (False, *before[off.id])  # already off: left as it was
    (others,) = Reminder.objects.filter(commitment=other)
    assert (others.enabled, others.next_fire_at, others.version, others.updated_at) == (True, *before[others.id])


# --- The words of a refusal ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"quiet_start": "22:00"}, "Quiet hours need a start and an end, or neither."),
        ({"quiet_start": "22:00", "quiet_end": "22:00"}, "Quiet hours end at another time than they start."),
    ],
)
def test_refused_quiet_hours_are_explained_to_the_patient(body, detail):
    response = client_for(PatientFactory()).put("/api/v1/reminders/settings/", body, format="json")
    assert response.status_code == 400
    assert [error["detail"] for error in response.json()["errors"]] == [detail]


def test_a_refused_browser_subscription_is_explained():
    token = json.dumps({"endpoint": "http://push.example.test/abc", "keys": WEB_PUSH_KEYS})
    response = client_for(PatientFactory()).post("/api/v1/devices/", {"platform": "web", "token": token})
    assert response.status_code == 400
    assert [error["detail"] for error in response.json()["errors"]] == [
        "For the web, the token is the Push API subscription as JSON: an https `endpoint` "
        "and `keys` with `p256dh` and `auth`."
    ]


def test_health_still_names_the_last_pass_long_after_it(nothing_configured, client):
    """The operator of a stalled dispatcher learns when it last ran, not merely that it is late."""
    with time_machine.travel(SLOT, tick=False):
        dispatch_due(now=SLOT, enqueue=lambda ids: None)
    with time_machine.travel(SLOT + timedelta(hours=1), tick=False):
        body = client.get("/healthz").json()
    assert (body["last_dispatch_at"], body["dispatcher"]) == ("2026-11-26T20:00:00+00:00", "late")
