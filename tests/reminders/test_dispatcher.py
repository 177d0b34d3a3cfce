"""The dispatcher, pass by pass, with the clock pinned: what fires, what is skipped and why.

Each pass runs as Celery beat runs it, reading the clock (time-machine holds it); the sends
it hands over are collected instead of enqueued (tests/reminders/test_worker.py sends them
through a real worker).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from accounts.models import User
from journal.models import Experiment
from reminders import sending
from reminders.dispatcher import LOST_AFTER, PassResult, dispatch_due
from reminders.models import Delivery, Reminder, ReminderSettings
from tests.factories import ExperimentFactory, PatientFactory, PrideEntryFactory, ReflectionFactory
from tests.reminders.helpers import a_reminder, z

pytestmark = pytest.mark.django_db


class Beat:
    """Runs passes the way beat does (reading the clock), collecting what they enqueue after commit."""

    def __init__(self, on_commit) -> None:
        self.enqueued: list[str] = []
        self.on_commit = on_commit

    def pass_at(self, moment: str) -> PassResult:
        with time_machine.travel(z(moment), tick=False), self.on_commit(execute=True):
            return dispatch_due(now=timezone.now(), enqueue=self.enqueued.extend)


@pytest.fixture
def beat(django_capture_on_commit_callbacks) -> Beat:
    return Beat(django_capture_on_commit_callbacks)


def statuses(reminder: Reminder) -> list[tuple[str, str]]:
    return [
        (delivery.slot_at.isoformat().replace("+00:00", "Z"), delivery.status)
        for delivery in Delivery.objects.filter(reminder=reminder).order_by("slot_at")
    ]


def patient_in(zone: str) -> User:
    return PatientFactory(timezone=zone)


def test_a_daily_reminder_fires_at_its_local_time_then_moves_to_tomorrow(beat):
    patient = patient_in("America/New_York")
    reminder = a_reminder(patient, at="20:00", now=z("2026-11-26T12:00:00Z"))
    assert reminder.next_fire_at == z("2026-11-27T01:00:00Z")  # 20:00 EST

    assert beat.pass_at("2026-11-27T00:59:00Z").due == 0  # a minute early: nothing
    result = beat.pass_at("2026-11-27T01:00:00Z")
    assert (result.due, result.to_send) == (1, 1)
    assert statuses(reminder) == [("2026-11-27T01:00:00Z", "pending")]
    assert beat.enqueued == [str(Delivery.objects.get().id)]
    reminder.refresh_from_db()
    assert reminder.next_fire_at == z("2026-11-28T01:00:00Z")


def test_a_weekly_reminder_fires_on_sunday_evening_only(beat):
    patient = patient_in("Europe/London")
    reminder = a_reminder(
        patient, at="18:00", weekdays=[7], kind=Reminder.Kind.PRIDE_WEEKLY, now=z("2026-11-26T09:00:00Z")
    )
    for day in range(26, 29):  # Thursday to Saturday: nothing is due
        assert beat.pass_at(f"2026-11-{day}T18:00:00Z").due == 0
    assert beat.pass_at("2026-11-29T18:00:00Z").to_send == 1
    reminder.refresh_from_db()
    assert reminder.next_fire_at == z("2026-12-06T18:00:00Z")


@pytest.mark.parametrize(
    ("zone", "at", "created", "fires"),
    [
        # New York springs forward 2026-03-08 at 02:00: 02:30 never happens, so 03:00 EDT.
        ("America/New_York", "02:30", "2026-03-07T12:00:00Z", "2026-03-08T07:00:00Z"),
        ("America/New_York", "20:00", "2026-03-08T12:00:00Z", "2026-03-09T00:00:00Z"),  # unaffected
        # London springs forward 2026-03-29 at 01:00: 01:30 fires at 02:00 BST.
        ("Europe/London", "01:30", "2026-03-28T12:00:00Z", "2026-03-29T01:00:00Z"),
        ("Europe/London", "20:00", "2026-03-29T12:00:00Z", "2026-03-29T19:00:00Z"),  # unaffected
        # Lord Howe moves half an hour on 2026-10-04 at 02:00: 02:15 fires at 02:30.
        ("Australia/Lord_Howe", "02:15", "2026-10-03T00:00:00Z", "2026-10-03T15:30:00Z"),
    ],
)
def test_a_time_the_clock_springs_over_fires_at_the_first_minute_after_the_gap(beat, zone, at, created, fires):
    reminder = a_reminder(patient_in(zone), at=at, now=z(created))
    assert beat.pass_at(fires).to_send == 1
    assert statuses(reminder) == [(fires, "pending")]


@pytest.mark.parametrize(
    ("zone", "at", "created", "first", "second"),
    [
        # New York falls back 2026-11-01: 01:30 EDT (05:30Z), then 01:30 EST (06:30Z).
        ("America/New_York", "01:30", "2026-10-31T12:00:00Z", "2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z"),
        # London falls back 2026-10-25: 01:30 BST (00:30Z), then 01:30 GMT (01:30Z).
        ("Europe/London", "01:30", "2026-10-24T12:00:00Z", "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"),
        # Lord Howe falls back half an hour on 2026-04-05: 01:45 at +11 (14:45Z), then at +10:30 (15:15Z).
        ("Australia/Lord_Howe", "01:45", "2026-04-04T00:00:00Z", "2026-04-04T14:45:00Z", "2026-04-04T15:15:00Z"),
    ],
)
def test_a_time_that_happens_twice_fires_once_the_first_time(beat, zone, at, created, first, second):
    reminder = a_reminder(patient_in(zone), at=at, now=z(created))
    assert beat.pass_at(first).to_send == 1
    assert beat.pass_at(second).due == 0
    assert statuses(reminder) == [(first, "pending")]


def test_it_skips_a_reminder_when_today_is_already_journaled(beat):
    patient = patient_in("Asia/Tokyo")
    reminder = a_reminder(patient, at="20:00", now=z("2026-11-26T00:00:00Z"))
    ReflectionFactory(patient=patient, now=z("2026-11-26T02:00:00Z"))  # 11:00 in Tokyo, the same day
    assert beat.pass_at("2026-11-26T11:00:00Z").skipped == 1
    assert statuses(reminder) == [("2026-11-26T11:00:00Z", "skipped_done")]
    assert beat.enqueued == []
    # Tomorrow nothing is written yet: it fires.
    assert beat.pass_at("2026-11-27T11:00:00Z").to_send == 1


def test_yesterdays_reflection_does_not_count_for_today(beat):
    patient = patient_in("America/Los_Angeles")
    reminder = a_reminder(patient, at="20:00", now=z("2026-11-26T12:00:00Z"))
    ReflectionFactory(patient=patient, now=z("2026-11-26T07:00:00Z"))  # 23:00 on the 25th in LA
    assert beat.pass_at("2026-11-27T04:00:00Z").to_send == 1  # 20:00 on the 26th
    assert statuses(reminder)[0][1] == "pending"


def test_it_skips_the_weekly_reminder_when_this_weeks_pride_entry_exists(beat):
    patient = patient_in("Europe/London")
    reminder = a_reminder(
        patient, at="18:00", weekdays=[7], kind=Reminder.Kind.PRIDE_WEEKLY, now=z("2026-11-23T09:00:00Z")
    )
    PrideEntryFactory(patient=patient, now=z("2026-11-24T12:00:00Z"))  # Tuesday of the same ISO week
    assert beat.pass_at("2026-11-29T18:00:00Z").skipped == 1
    assert statuses(reminder) == [("2026-11-29T18:00:00Z", "skipped_done")]


def test_only_the_patient_who_practised_is_skipped_in_a_pass_of_many(beat):
    now = z("2026-11-26T00:00:00Z")
    wrote, did_not = patient_in("Europe/London"), patient_in("Europe/London")
    skipped = a_reminder(wrote, at="20:00", now=now)
    fired = a_reminder(did_not, at="20:00", now=now)
    ReflectionFactory(patient=wrote, now=z("2026-11-26T09:00:00Z"))
    assert beat.pass_at("2026-11-26T20:00:00Z").due == 2
    assert statuses(skipped)[0][1] == "skipped_done"
    assert statuses(fired)[0][1] == "pending"


def test_it_skips_while_reminders_are_paused_and_fires_again_after(beat):
    patient = patient_in("Europe/London")
    reminder = a_reminder(patient, at="20:00", now=z("2026-11-26T00:00:00Z"))
    ReminderSettings.objects.create(patient=patient, paused_until=date(2026, 11, 27), updated_at=timezone.now())
    beat.pass_at("2026-11-26T20:00:00Z")
    beat.pass_at("2026-11-27T20:00:00Z")
    beat.pass_at("2026-11-28T20:00:00Z")
    assert [status for _, status in statuses(reminder)] == ["skipped_paused", "skipped_paused", "pending"]


def test_it_skips_a_slot_in_quiet_hours_that_span_midnight(beat):
    patient = patient_in("Europe/London")
    late = a_reminder(patient, at="23:30", now=z("2026-11-26T00:00:00Z"))
    evening = a_reminder(patient, at="20:00", now=z("2026-11-26T00:00:00Z"))
    ReminderSettings.objects.create(patient=patient, quiet_start=time(22), quiet_end=time(7), updated_at=timezone.now())
    beat.pass_at("2026-11-26T20:00:00Z")
    beat.pass_at("2026-11-26T23:30:00Z")
    assert statuses(evening)[0][1] == "pending"
    assert statuses(late)[0][1] == "skipped_quiet"


def test_quiet_hours_that_end_when_they_start_silence_nothing(beat):
    """The API refuses them (all day, or never?); a row holding them from before is read as never."""
    patient = patient_in("Europe/London")
    ReminderSettings.objects.create(
        patient=patient, quiet_start=time(22), quiet_end=time(22), updated_at=timezone.now()
    )
    reminders = [a_reminder(patient, at=at, now=z("2026-11-26T00:00:00Z")) for at in ("20:00", "22:00", "23:30")]
    for at in ("20:00", "22:00", "23:30"):
        beat.pass_at(f"2026-11-26T{at}:00Z")
    assert [statuses(reminder)[0][1] for reminder in reminders] == ["pending"] * 3


def test_one_pass_reads_each_patients_slots_on_their_own_clock_and_settings(beat):
    """Patients due at one instant, two reminders each: every slot is decided by its own
    patient's zone and settings (or the defaults), never a neighbour's."""
    now = z("2026-11-26T00:00:00Z")
    quiet, paused, unset, saved_plain = (
        patient_in(zone) for zone in ("Europe/London", "Asia/Kolkata", "America/New_York", "Europe/Paris")
    )
    ReminderSettings.objects.create(patient=quiet, quiet_start=time(19), quiet_end=time(7), updated_at=now)
    ReminderSettings.objects.create(patient=paused, paused_until=date(2026, 11, 27), updated_at=now)
    ReminderSettings.objects.create(patient=saved_plain, channels=["email"], updated_at=now)
    # 20:00 UTC is each one's local time below; the paused patient's is the 27th already.
    local = {quiet: "20:00", paused: "01:30", unset: "15:00", saved_plain: "21:00"}
    for patient, at in local.items():
        for kind in (Reminder.Kind.REFLECTION_DAILY, Reminder.Kind.CUSTOM):
            a_reminder(patient, at=at, now=now, kind=kind)

    assert beat.pass_at("2026-11-26T20:00:00Z").due == 8
    decided = {
        patient.timezone: sorted(Delivery.objects.filter(patient=patient).values_list("local_slot", "status"))
        for patient in local
    }
    assert decided == {
        "Europe/London": [("2026-11-26T20:00:00+00:00", "skipped_quiet")] * 2,
        "Asia/Kolkata": [("2026-11-27T01:30:00+05:30", "skipped_paused")] * 2,
        "America/New_York": [("2026-11-26T15:00:00-05:00", "pending")] * 2,
        "Europe/Paris": [("2026-11-26T21:00:00+01:00", "pending")] * 2,
    }
    assert set(Reminder.objects.values_list("next_fire_at", flat=True)) == {z("2026-11-27T20:00:00Z")}


@pytest.mark.parametrize(
    ("quiet_start", "quiet_end", "day"),
    [
        pytest.param(time(22), time(7), "2026-11-26", id="spanning-midnight"),
        pytest.param(time(13), time(15), "2026-11-26", id="within-a-day"),
    ],
)
def test_quiet_hours_include_their_first_minute_and_end_at_their_last(beat, quiet_start, quiet_end, day):
    """A slot at ``quiet_start`` is quiet, one at ``quiet_end`` is sent: the end is exclusive."""
    patient = patient_in("Europe/London")  # UTC+0 in November: local and UTC times agree
    ReminderSettings.objects.create(
        patient=patient, quiet_start=quiet_start, quiet_end=quiet_end, updated_at=timezone.now()
    )
    start, end = (datetime.combine(date.fromisoformat(day), moment, tzinfo=UTC) for moment in (quiet_start, quiet_end))
    if end < start:
        end += timedelta(days=1)
    minute = timedelta(minutes=1)
    expected = {start - minute: "pending", start: "skipped_quiet", end - minute: "skipped_quiet", end: "pending"}
    reminders = {slot: a_reminder(patient, at=f"{slot:%H:%M}", now=start - timedelta(hours=3)) for slot in expected}
    for slot in sorted(expected):
        beat.pass_at(slot.isoformat())
    assert {slot: statuses(reminder)[0] for slot, reminder in reminders.items()} == {
        slot: (slot.isoformat().replace("+00:00", "Z"), status) for slot, status in expected.items()
    }


def test_after_three_hours_down_the_slot_is_missed_and_the_reminder_moves_on_without_a_burst(beat):
    patient = patient_in("Europe/London")
    reminder = a_reminder(patient, at="20:00", now=z("2026-11-26T00:00:00Z"))
    result = beat.pass_at("2026-11-26T23:00:00Z")  # the server was down from before 20:00 until 23:00
    assert (result.missed, result.to_send) == (1, 0)
    assert statuses(reminder) == [("2026-11-26T20:00:00Z", "missed")]
    reminder.refresh_from_db()
    assert reminder.next_fire_at == z("2026-11-27T20:00:00Z")


def test_after_days_down_one_slot_is_missed_not_one_per_day(beat):
    patient = patient_in("Europe/London")
    reminder = a_reminder(patient, at="20:00", now=z("2026-11-20T00:00:00Z"))
    beat.pass_at("2026-11-26T09:00:00Z")
    assert statuses(reminder) == [("2026-11-20T20:00:00Z", "missed")]
    reminder.refresh_from_db()
    assert reminder.next_fire_at == z("2026-11-26T20:00:00Z")


def test_a_slot_under_two_hours_late_still_fires(beat):
    reminder = a_reminder(patient_in("Europe/London"), at="20:00", now=z("2026-11-26T00:00:00Z"))
    assert beat.pass_at("2026-11-26T21:59:00Z").to_send == 1
    assert statuses(reminder) == [("2026-11-26T20:00:00Z", "pending")]


def test_a_second_pass_at_the_same_minute_writes_nothing_more(beat):
    a_reminder(patient_in("Europe/London"), at="20:00", now=z("2026-11-26T00:00:00Z"))
    beat.pass_at("2026-11-26T20:00:00Z")
    assert beat.pass_at("2026-11-26T20:00:00Z") == PassResult(due=0, to_send=0, skipped=0, missed=0, requeued=0)
    assert Delivery.objects.count() == 1


def test_a_slot_already_delivered_is_not_delivered_again_when_the_reminder_is_replanned_onto_it(beat):
    reminder = a_reminder(patient_in("Europe/London"), at="20:00", now=z("2026-11-26T00:00:00Z"))
    beat.pass_at("2026-11-26T20:00:00Z")
    Reminder.objects.filter(id=reminder.id).update(next_fire_at=z("2026-11-26T20:00:00Z"))  # an edit put it back
    assert beat.pass_at("2026-11-26T20:00:30Z").to_send == 0
    assert Delivery.objects.count() == 1
    assert len(beat.enqueued) == 1


def test_a_delivery_no_worker_took_45_seconds_after_its_turn_is_enqueued_again(beat):
    reminder = a_reminder(patient_in("Europe/London"), at="20:00", now=z("2026-11-26T00:00:00Z"))
    beat.pass_at("2026-11-26T20:00:00Z")  # enqueued; the message is lost with its worker
    (delivery_id,) = beat.enqueued
    assert beat.pass_at("2026-11-26T20:00:44Z").requeued == 0  # a busy worker may take it yet
    assert beat.pass_at((z("2026-11-26T20:00:00Z") + LOST_AFTER + timedelta(seconds=1)).isoformat()).requeued == 1
    assert beat.enqueued == [delivery_id, delivery_id]
    assert statuses(reminder) == [("2026-11-26T20:00:00Z", "pending")]


def test_a_message_lost_with_the_brokers_data_is_enqueued_again_by_the_next_minutes_pass_first(beat):
    patient = patient_in("Europe/London")
    lost = a_reminder(patient, at="20:00", now=z("2026-11-26T00:00:00Z"))
    beat.pass_at("2026-11-26T20:00:02Z")  # beat's passes run a few seconds after the minute...
    fresh = a_reminder(patient_in("Europe/London"), at="20:01", now=z("2026-11-26T00:00:00Z"))
    beat.enqueued.clear()
    assert beat.pass_at("2026-11-26T20:01:00Z").requeued == 1  # ...or none: the next one takes it all the same
    # The late one first: in the first batch, before the minute's own.
    assert beat.enqueued == [str(Delivery.objects.get(reminder=r).id) for r in (lost, fresh)]


def test_a_delivery_whose_lease_ended_is_enqueued_again_at_the_next_pass_and_not_before(beat):
    """A worker that claimed it died: it stopped renewing its lease, which then ends."""
    a_reminder(patient_in("Europe/London"), at="20:00", now=z("2026-11-26T00:00:00Z"))
    beat.pass_at("2026-11-26T20:00:00Z")
    lease_ends = z("2026-11-26T20:00:02Z") + sending.LEASE
    Delivery.objects.update(lease_owner=uuid.uuid4(), enqueued_at=lease_ends)  # claimed at 20:00:02
    assert beat.pass_at((lease_ends - timedelta(seconds=1)).isoformat()).requeued == 0  # still held
    assert beat.pass_at(lease_ends.isoformat()).requeued == 1  # not a minute later
    assert Delivery.objects.get().lease_owner is None  # the dead worker's lease is gone


def test_a_disabled_reminder_never_fires(beat):
    reminder = a_reminder(patient_in("Europe/London"), at="20:00", now=z("2026-11-26T00:00:00Z"))
    Reminder.objects.filter(id=reminder.id).update(enabled=False)
    assert beat.pass_at("2026-11-26T20:00:00Z").due == 0


@pytest.mark.parametrize(
    "settled",
    [{"status": "tried"}, {"status": "skipped"}, {"deleted_at": datetime(2026, 11, 28, tzinfo=UTC)}],
    ids=["tried", "skipped", "deleted"],
)
def test_an_experiments_nudges_stop_once_it_is_tried_skipped_or_deleted(beat, settled):
    patient = patient_in("Europe/London")
    experiment = ExperimentFactory(
        patient=patient, now=z("2026-11-25T10:00:00Z"), planned_for=date(2026, 11, 27), status="planned"
    )
    # Its two nudges were planned with it (reminders/plans.py): 09:00 that day, 19:00 the next.
    morning = Reminder.objects.get(experiment=experiment, kind=Reminder.Kind.EXPERIMENT_DAY)
    follow_up = Reminder.objects.get(experiment=experiment, kind=Reminder.Kind.EXPERIMENT_FOLLOW_UP)
    assert beat.pass_at("2026-11-27T09:00:00Z").to_send == 1
    # Marked tried behind the services' back (an old client, an admin): the pass still checks.
    Experiment.objects.filter(id=experiment.id).update(**settled)
    assert beat.pass_at("2026-11-28T19:00:00Z").skipped == 1
    assert statuses(follow_up) == [("2026-11-28T19:00:00Z", "skipped_done")]
    for one_off in (morning, follow_up):
        one_off.refresh_from_db()
        assert (one_off.next_fire_at, one_off.enabled) == (None, False)


def test_a_pass_costs_the_same_queries_for_one_due_reminder_as_for_thirty(
    beat, django_assert_num_queries, django_assert_max_num_queries
):
    now = z("2026-11-26T00:00:00Z")
    a_reminder(patient_in("Europe/London"), at="20:00", now=now)
    with django_assert_max_num_queries(9) as one:  # 8 on PostgreSQL: its insert says what was new
        beat.pass_at("2026-11-26T20:00:00Z")
    Delivery.objects.update(status=Delivery.Status.SENT)  # sent, so not re-enqueued in the next pass
    for zone in ["Europe/London", "Asia/Tokyo", "America/New_York"] * 10:
        patient = patient_in(zone)
        reminder = a_reminder(patient, at="20:00", now=now)
        Reminder.objects.filter(id=reminder.id).update(next_fire_at=z("2026-11-27T20:00:00Z"))
    with django_assert_num_queries(len(one.captured_queries)):
        assert beat.pass_at("2026-11-27T20:00:00Z").due == 31


def test_experiment_nudges_cost_the_same_queries_for_one_experiment_as_for_ten(
    beat, django_assert_num_queries, django_assert_max_num_queries
):
    """Each nudge asks whether its experiment is settled: that is read with the claim, not per row."""
    patient = patient_in("Europe/London")
    ExperimentFactory(patient=patient, now=z("2026-11-25T10:00:00Z"), planned_for=date(2026, 11, 27), status="planned")
    with django_assert_max_num_queries(8) as one:
        assert beat.pass_at("2026-11-27T09:00:00Z").to_send == 1
    Delivery.objects.update(status=Delivery.Status.SENT)
    for _ in range(10):
        ExperimentFactory(
            patient=patient_in("Europe/London"),
            now=z("2026-11-25T10:00:00Z"),
            planned_for=date(2026, 11, 28),
            status="planned",
        )
    with django_assert_num_queries(len(one.captured_queries)):
        assert beat.pass_at("2026-11-28T09:00:00Z").to_send == 10


def test_an_idle_pass_looks_for_due_and_lost_rows_and_nothing_else(beat, django_assert_num_queries):
    a_reminder(patient_in("Europe/London"), at="20:00", now=z("2026-11-26T00:00:00Z"))
    with django_assert_num_queries(5):  # savepoint, due reminders, lost deliveries, release; the heartbeat
        assert beat.pass_at("2026-11-26T12:00:00Z").due == 0


def test_the_command_runs_one_pass_at_the_given_time(capsys):
    reminder = a_reminder(patient_in("Europe/London"), at="20:00", now=z("2026-11-26T00:00:00Z"))
    call_command("dispatch_reminders", "--now", "2026-11-26T20:00:00Z")
    assert "due 1: to send 1" in capsys.readouterr().out
    assert statuses(reminder) == [("2026-11-26T20:00:00Z", "pending")]


@pytest.mark.parametrize("bad", ["yesterday", "2026-11-26T20:00:00", "2026-13-01T00:00:00Z"])
def test_the_command_refuses_a_time_without_a_zone_or_that_is_not_one(bad):
    with pytest.raises(CommandError, match="--now"):
        call_command("dispatch_reminders", "--now", bad)


def test_health_says_the_dispatcher_is_late_a_minute_and_a_half_after_its_last_pass(beat, client: Client):
    beat.pass_at("2026-11-26T20:00:00Z")
    with time_machine.travel(z("2026-11-26T20:01:30Z"), tick=False):
        body = client.get("/healthz").json()
    assert (body["last_dispatch_at"], body["dispatcher"]) == ("2026-11-26T20:00:00+00:00", "ok")
    with time_machine.travel(z("2026-11-26T20:01:31Z"), tick=False):
        assert client.get("/healthz").json()["dispatcher"] == "late"
