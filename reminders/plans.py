"""Reminders that follow what happens elsewhere: commitments, experiments, a new time zone.

journal and accounts send explicit signals (journal/signals.py, accounts/signals.py); the
receivers in ``RemindersConfig.ready()`` call these functions, inside the sender's
transaction, so a commitment and its reminders change together or not at all.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import F

from accounts.models import User
from journal.models import Commitment, Experiment
from reminders.models import EVERY_DAY, Reminder

#: Activating a commitment whose practice a reminder kind nudges towards (``Reminder.PRACTICE_OF``)
#: gives the patient a reminder of that kind, at this local time on these weekdays.
DEFAULT_SLOTS: dict[str, tuple[time, list[int]]] = {
    Reminder.Kind.REFLECTION_DAILY: (time(20, 0), EVERY_DAY),
    Reminder.Kind.PRIDE_WEEKLY: (time(18, 0), [7]),
}
#: An experiment planned for a day: a nudge that morning, a follow-up the next evening.
EXPERIMENT_NUDGES = (
    (Reminder.Kind.EXPERIMENT_DAY, time(9, 0), timedelta(days=0)),
    (Reminder.Kind.EXPERIMENT_FOLLOW_UP, time(19, 0), timedelta(days=1)),
)


def _planned(reminder: Reminder, *, zone_of: User, now: datetime) -> Reminder:
    """Plan the next slot and count a change (a client holding the old ETag gets a 412)."""
    reminder.next_fire_at = reminder.next_slot(zone_of.zone, after=now)
    if not reminder._state.adding:
        reminder.version += 1
    return reminder


def commitment_reminders_start(*, commitment: Commitment, now: datetime) -> None:
    """A commitment became active: restart its reminders, or create its default one."""
    patient = commitment.patient
    existing = list(Reminder.objects.filter(commitment=commitment))
    if existing:
        for reminder in existing:
            reminder.enabled = True
            _planned(reminder, zone_of=patient, now=now)
            reminder.updated_at = now
        Reminder.objects.bulk_update(existing, ["enabled", "next_fire_at", "updated_at", "version"])
        return
    kind = Reminder.kind_for(commitment.kind)
    if kind is None:
        return
    local_time, weekdays = DEFAULT_SLOTS[kind]
    reminder = Reminder(
        patient=patient,
        kind=kind,
        commitment=commitment,
        local_time=local_time,
        weekdays=weekdays,
        created_at=now,
        updated_at=now,
    )
    _planned(reminder, zone_of=patient, now=now).save(force_insert=True)


def commitment_reminders_stop(*, commitment: Commitment, now: datetime) -> None:
    """A commitment was paused, finished, dropped or deleted: its reminders go quiet."""
    Reminder.objects.filter(commitment=commitment, enabled=True).update(
        enabled=False, next_fire_at=None, updated_at=now, version=F("version") + 1
    )


def experiment_nudges_plan(*, experiment: Experiment, now: datetime) -> None:
    """Keep an experiment's two nudges in step with it: planned for a day, or not any more.

    Only a change of day re-plans a nudge: editing the experiment's note leaves the patient's
    own choices about its nudges (switched off, another time) as they are.
    """
    planned_for = experiment.planned_for
    wanted = not experiment.settled and planned_for is not None
    nudges = {reminder.kind: reminder for reminder in Reminder.objects.filter(experiment=experiment)}
    patient = experiment.patient
    for kind, local_time, days_after in EXPERIMENT_NUDGES:
        existing = nudges.get(kind)
        on_date = _days_after(planned_for, days_after) if wanted else None
        if on_date is None:
            if existing is not None and existing.enabled:
                existing.enabled = False
                _planned(existing, zone_of=patient, now=now)
                existing.updated_at = now
                existing.save()
            continue
        if existing is not None and existing.on_date == on_date:
            continue
        reminder = existing or Reminder(
            patient=patient, kind=kind, experiment=experiment, local_time=local_time, weekdays=[], created_at=now
        )
        reminder.on_date = on_date
        reminder.enabled = True
        _planned(reminder, zone_of=patient, now=now)
        reminder.enabled = reminder.next_fire_at is not None  # a day already past has nothing to fire
        reminder.updated_at = now
        reminder.save()


def _days_after(day: date | None, days: timedelta) -> date | None:
    """``day + days``, or None when there is no day or the sum is past 9999-12-31: a follow-up
    to an experiment planned for the calendar's last day has no day, so it is not planned."""
    if day is None or (date.max - day) < days:
        return None
    return day + days


def reminders_replan(*, user: User, now: datetime) -> int:
    """The user's zone changed: every enabled reminder's next slot, again, in one UPDATE."""
    reminders = list(Reminder.objects.filter(patient=user, enabled=True))
    for reminder in reminders:
        _planned(reminder, zone_of=user, now=now)
        reminder.updated_at = now
    return Reminder.objects.bulk_update(reminders, ["next_fire_at", "version", "updated_at"])
