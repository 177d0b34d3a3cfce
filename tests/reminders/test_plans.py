"""Reminders follow the commitments and experiments they belong to, and the patient's zone."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from accounts import services as account_services
from journal import services as journal_services
from journal.models import Commitment, Experiment
from reminders.models import Reminder
from tests.factories import CommitmentFactory, ExperimentFactory, PatientFactory

pytestmark = pytest.mark.django_db

NOW = datetime.fromisoformat("2026-11-26T09:00:00+00:00")  # a Thursday


def z(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def reminders_of(commitment: Commitment) -> list[tuple[str, str, list[int], bool, datetime | None]]:
    return [
        (r.kind, f"{r.local_time:%H:%M}", r.weekdays, r.enabled, r.next_fire_at)
        for r in Reminder.objects.filter(commitment=commitment)
    ]


def test_activating_a_daily_reflection_creates_its_evening_reminder_in_the_patients_zone():
    patient = PatientFactory(timezone="America/New_York")
    commitment = CommitmentFactory(patient=patient, kind="reflection_daily", now=NOW)
    assert reminders_of(commitment) == [
        ("reflection_daily", "20:00", [1, 2, 3, 4, 5, 6, 7], True, z("2026-11-27T01:00:00Z"))
    ]


def test_activating_a_weekly_pride_commitment_creates_a_sunday_evening_reminder():
    patient = PatientFactory(timezone="Europe/London")
    commitment = CommitmentFactory(patient=patient, kind="pride_weekly", now=NOW)
    assert reminders_of(commitment) == [("pride_weekly", "18:00", [7], True, z("2026-11-29T18:00:00Z"))]


@pytest.mark.parametrize(("reminder_kind", "practice"), sorted(Reminder.PRACTICE_OF.items()))
def test_a_commitment_starts_with_the_reminder_that_checks_its_practice(reminder_kind, practice):
    # The dispatcher skips this reminder once the practice is done: the pairing has one home.
    commitment = CommitmentFactory(kind=practice, now=NOW)
    assert [kind for kind, *_ in reminders_of(commitment)] == [reminder_kind]


@pytest.mark.parametrize("kind", ["experiment", "custom"])
def test_other_commitments_get_no_default_reminder(kind):
    commitment = CommitmentFactory(kind=kind, cadence="once", now=NOW)
    assert reminders_of(commitment) == []


def test_a_proposed_commitment_gets_its_reminder_when_confirmed_not_before():
    patient = PatientFactory(timezone="Europe/London")
    commitment = CommitmentFactory(patient=patient, kind="reflection_daily", status="proposed", now=NOW)
    assert reminders_of(commitment) == []
    journal_services.commitment_confirm(commitment=commitment, by=patient, now=NOW)
    assert len(reminders_of(commitment)) == 1


@pytest.mark.parametrize("status", ["paused", "done", "dropped"])
def test_pausing_finishing_or_dropping_a_commitment_stops_its_reminders(status):
    patient = PatientFactory(timezone="Europe/London")
    commitment = CommitmentFactory(patient=patient, kind="reflection_daily", now=NOW)
    journal_services.commitment_update(commitment=commitment, by=patient, now=NOW, status=status)
    assert [(enabled, next_at) for *_, enabled, next_at in reminders_of(commitment)] == [(False, None)]


def test_resuming_a_paused_commitment_restarts_the_same_reminder_from_now():
    patient = PatientFactory(timezone="Europe/London")
    commitment = CommitmentFactory(patient=patient, kind="reflection_daily", now=NOW)
    journal_services.commitment_update(commitment=commitment, by=patient, now=NOW, status="paused")
    later = z("2026-12-03T21:00:00Z")
    journal_services.commitment_update(commitment=commitment, by=patient, now=later, status="active")
    assert reminders_of(commitment) == [
        ("reflection_daily", "20:00", [1, 2, 3, 4, 5, 6, 7], True, z("2026-12-04T20:00:00Z"))
    ]
    assert Reminder.objects.filter(patient=patient).count() == 1


def test_deleting_an_active_commitment_stops_its_reminders():
    patient = PatientFactory(timezone="Europe/London")
    commitment = CommitmentFactory(patient=patient, kind="pride_weekly", now=NOW)
    journal_services.commitment_delete(commitment=commitment, by=patient, now=NOW)
    assert Reminder.objects.get(patient=patient).enabled is False


def test_an_experiment_planned_for_a_day_gets_a_morning_nudge_and_a_follow_up_the_next_evening():
    patient = PatientFactory(timezone="Europe/Paris")
    experiment = ExperimentFactory(patient=patient, status="planned", planned_for=date(2026, 11, 28), now=NOW)
    nudges = {
        r.kind: (r.on_date, r.local_time, r.next_fire_at, r.enabled)
        for r in Reminder.objects.filter(experiment=experiment)
    }
    assert nudges == {
        "experiment_day": (date(2026, 11, 28), time(9), z("2026-11-28T08:00:00Z"), True),
        "experiment_follow_up": (date(2026, 11, 29), time(19), z("2026-11-29T18:00:00Z"), True),
    }


def test_moving_an_experiment_moves_its_nudges_and_trying_it_early_stops_them():
    patient = PatientFactory(timezone="Europe/London")
    experiment = ExperimentFactory(patient=patient, status="planned", planned_for=date(2026, 11, 28), now=NOW)
    journal_services.entry_update(entry=experiment, now=NOW, planned_for=date(2026, 12, 5))
    assert sorted(r.on_date for r in Reminder.objects.filter(experiment=experiment)) == [
        date(2026, 12, 5),
        date(2026, 12, 6),
    ]
    journal_services.entry_update(entry=experiment, now=NOW, status=Experiment.Status.TRIED)
    assert not Reminder.objects.filter(experiment=experiment, enabled=True).exists()
    assert Reminder.objects.filter(experiment=experiment).count() == 2  # history kept, nothing new


def test_skipping_an_experiment_stops_its_nudges():
    patient = PatientFactory(timezone="Europe/London")
    experiment = ExperimentFactory(patient=patient, status="planned", planned_for=date(2026, 11, 28), now=NOW)
    journal_services.entry_update(entry=experiment, now=NOW, status=Experiment.Status.SKIPPED)
    assert not Reminder.objects.filter(experiment=experiment, enabled=True).exists()
    assert Reminder.objects.filter(experiment=experiment).count() == 2


def test_a_deleted_experiment_is_not_nudged():
    patient = PatientFactory(timezone="Europe/London")
    experiment = ExperimentFactory(patient=patient, status="planned", planned_for=date(2026, 11, 28), now=NOW)
    journal_services.record_delete(record=experiment, now=NOW)
    assert not Reminder.objects.filter(experiment=experiment, enabled=True).exists()


def test_an_experiment_planned_for_a_past_day_or_no_day_gets_no_nudge():
    patient = PatientFactory(timezone="Europe/London")
    ExperimentFactory(patient=patient, status="planned", planned_for=date(2026, 11, 20), now=NOW)
    ExperimentFactory(patient=patient, status="planned", now=NOW)
    assert not Reminder.objects.filter(patient=patient, enabled=True).exists()


def test_a_traveller_who_changes_zone_has_every_reminder_replanned_in_one_statement(django_assert_max_num_queries):
    patient = PatientFactory(timezone="Europe/London")
    CommitmentFactory(patient=patient, kind="reflection_daily", now=NOW)
    CommitmentFactory(patient=patient, kind="pride_weekly", now=NOW)
    with django_assert_max_num_queries(20) as queries:
        account_services.user_update(user=patient, now=NOW, timezone="Asia/Tokyo")
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "reminders_reminder"')]
    assert len(writes) == 1
    planned = dict(Reminder.objects.filter(patient=patient).values_list("kind", "next_fire_at"))
    assert planned == {
        "reflection_daily": z("2026-11-26T11:00:00Z"),  # 20:00 in Tokyo, today
        "pride_weekly": z("2026-11-29T09:00:00Z"),  # Sunday 18:00 in Tokyo
    }


def test_a_new_zone_replans_only_that_travellers_switched_on_reminders():
    traveller, neighbour = PatientFactory(timezone="Europe/London"), PatientFactory(timezone="Europe/London")
    CommitmentFactory(patient=traveller, kind="reflection_daily", now=NOW)
    CommitmentFactory(patient=neighbour, kind="reflection_daily", now=NOW)
    switched_off = CommitmentFactory(patient=traveller, kind="pride_weekly", now=NOW)
    Reminder.objects.filter(commitment=switched_off).update(enabled=False, next_fire_at=None)
    before = {r.id: (r.next_fire_at, r.version, r.updated_at) for r in Reminder.objects.all()}
    later = z("2026-11-26T10:00:00Z")
    account_services.user_update(user=traveller, now=later, timezone="Asia/Tokyo")
    after = {r.id: (r.next_fire_at, r.version, r.updated_at) for r in Reminder.objects.all()}
    changed = {r.id for r in Reminder.objects.all() if after[r.id] != before[r.id]}
    # The neighbour still hears at 20:00 London; a client holding the switched-off one's ETag is not refused.
    assert changed == {Reminder.objects.get(patient=traveller, enabled=True).id}


def test_editing_an_experiment_leaves_a_nudge_the_patient_switched_off_switched_off():
    patient = PatientFactory(timezone="Europe/London")
    experiment = ExperimentFactory(patient=patient, status="planned", planned_for=date(2026, 11, 28), now=NOW)
    Reminder.objects.filter(experiment=experiment, kind="experiment_day").update(enabled=False, next_fire_at=None)
    journal_services.entry_update(entry=experiment, now=NOW, worry="It might not rise.")
    assert Reminder.objects.get(experiment=experiment, kind="experiment_day").enabled is False
    # Moving it to another day is a new plan: both nudges are on for the new day.
    journal_services.entry_update(entry=experiment, now=NOW, planned_for=date(2026, 12, 5))
    assert set(Reminder.objects.filter(experiment=experiment).values_list("enabled", flat=True)) == {True}


def test_an_experiment_with_no_day_gets_no_nudge_rows_at_all():
    experiment = ExperimentFactory(status="planned", now=NOW)
    assert not Reminder.objects.filter(experiment=experiment).exists()


# --- what was agreed: days, a time, a planned day; resuming as it was --------------------------


def test_a_practice_agreed_on_some_days_at_a_time_is_reminded_then():
    patient = PatientFactory(timezone="Asia/Tokyo")  # east of UTC: 07:30 there is 22:30 UTC the day before
    commitment = CommitmentFactory(
        patient=patient, kind="reflection_daily", weekdays=[2, 5], remind_at=time(7, 30), now=NOW
    )
    # Thursday 26 Nov 18:00 in Tokyo: the next Tuesday or Friday 07:30 is Friday 27 Nov.
    assert reminders_of(commitment) == [("reflection_daily", "07:30", [2, 5], True, z("2026-11-26T22:30:00Z"))]


def test_a_custom_practice_with_a_time_gets_a_custom_reminder_on_its_days():
    patient = PatientFactory(timezone="America/Los_Angeles")
    commitment = CommitmentFactory(
        patient=patient, kind="custom", cadence="weekly", weekdays=[6], remind_at=time(10, 0), now=NOW
    )
    assert reminders_of(commitment) == [("custom", "10:00", [6], True, z("2026-11-28T18:00:00Z"))]


def test_a_custom_practice_agreed_with_neither_time_nor_days_gets_no_reminder():
    commitment = CommitmentFactory(kind="custom", cadence="daily", now=NOW)
    assert reminders_of(commitment) == []


def test_an_experiment_with_a_planned_day_is_nudged_that_day_at_its_time():
    patient = PatientFactory(timezone="Europe/Berlin")
    commitment = CommitmentFactory(
        patient=patient,
        kind="experiment",
        cadence="once",
        planned_for=date(2026, 12, 3),
        remind_at=time(17, 15),
        now=NOW,
    )
    [reminder] = Reminder.objects.filter(commitment=commitment)
    assert (reminder.kind, reminder.on_date, f"{reminder.local_time:%H:%M}") == (
        "experiment_day",
        date(2026, 12, 3),
        "17:15",
    )
    assert reminder.next_fire_at == z("2026-12-03T16:15:00Z")


def test_an_experiment_planned_for_a_day_already_past_has_its_nudge_off():
    commitment = CommitmentFactory(kind="experiment", cadence="once", planned_for=date(2026, 11, 1), now=NOW)
    assert [(kind, enabled, at) for kind, _, _, enabled, at in reminders_of(commitment)] == [
        ("experiment_day", False, None)
    ]


def test_changing_an_active_practices_days_and_time_moves_its_reminder():
    patient = PatientFactory(timezone="Europe/London")
    commitment = CommitmentFactory(patient=patient, kind="reflection_daily", now=NOW)
    journal_services.commitment_update(
        commitment=commitment, by=patient, now=NOW, weekdays=[6, 7], remind_at=time(9, 0)
    )
    assert reminders_of(commitment) == [("reflection_daily", "09:00", [6, 7], True, z("2026-11-28T09:00:00Z"))]


def test_moving_a_reminder_keeps_it_off_when_the_patient_switched_it_off():
    patient = PatientFactory(timezone="Europe/London")
    commitment = CommitmentFactory(patient=patient, kind="reflection_daily", now=NOW)
    Reminder.objects.filter(commitment=commitment).update(enabled=False, next_fire_at=None)
    journal_services.commitment_update(commitment=commitment, by=patient, now=NOW, remind_at=time(9, 0))
    assert reminders_of(commitment) == [("reflection_daily", "09:00", [1, 2, 3, 4, 5, 6, 7], False, None)]


def test_resuming_brings_back_the_reminders_the_pause_stopped_and_not_one_switched_off_before():
    patient = PatientFactory(timezone="Europe/London")
    commitment = CommitmentFactory(
        patient=patient, kind="experiment", cadence="once", planned_for=date(2026, 12, 3), now=NOW
    )
    mine = Reminder.objects.create(
        patient=patient,
        kind="custom",
        commitment=commitment,
        local_time=time(12, 0),
        weekdays=[1],
        enabled=False,
        created_at=NOW,
        updated_at=NOW,
    )  # the patient's own, switched off by them
    journal_services.commitment_update(commitment=commitment, by=patient, now=NOW, status="paused")
    assert not Reminder.objects.filter(commitment=commitment, enabled=True).exists()
    journal_services.commitment_update(commitment=commitment, by=patient, now=NOW, status="active")
    states = {r.kind: (r.enabled, r.held) for r in Reminder.objects.filter(commitment=commitment)}
    assert states == {"experiment_day": (True, False), "custom": (False, False)}
    mine.refresh_from_db()
    assert mine.next_fire_at is None


def test_a_planned_day_is_an_experiments_and_days_are_for_what_recurs():
    from core.exceptions import DomainError

    with pytest.raises(DomainError) as refused:
        CommitmentFactory(kind="reflection_daily", planned_for=date(2026, 12, 3), now=NOW)
    assert (refused.value.code, refused.value.attr) == ("invalid_schedule", "planned_for")
    with pytest.raises(DomainError) as refused:
        CommitmentFactory(kind="experiment", cadence="once", weekdays=[1], now=NOW)
    assert (refused.value.code, refused.value.attr) == ("invalid_schedule", "weekdays")
    assert not Commitment.objects.exists()
