"""Reminders that follow what happens elsewhere: commitments, experiments, a new time zone.

journal and accounts send explicit signals (journal/signals.py, accounts/signals.py); the
receivers in ``RemindersConfig.ready()`` call these functions, inside the sender's
transaction, so a commitment and its reminders change together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
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


#: A custom practice agreed with a time or days gets a reminder; with a time and no days, on
#: these days for its cadence; with days and no time, at this time.
CUSTOM_DAYS: dict[str, list[int]] = {Commitment.Cadence.DAILY: EVERY_DAY, Commitment.Cadence.WEEKLY: [7]}
CUSTOM_TIME = time(18, 0)


@dataclass(frozen=True)
class Slot:
    """When a commitment's own reminder fires: its kind, local time, weekdays, or one day."""

    kind: str
    local_time: time
    weekdays: list[int]
    on_date: date | None = None


def commitment_slot(commitment: Commitment) -> Slot | None:
    """The reminder a commitment asks for, from what was agreed (its days, time, planned day)
    and, where nothing was, the kind's usual slot; None when it asks for none (an experiment with
    no day, a custom practice agreed with neither a time nor days, or to be done once)."""
    days, at = list(commitment.weekdays or []), commitment.remind_at
    if commitment.kind == Commitment.Kind.EXPERIMENT:
        if commitment.planned_for is None:
            return None
        return Slot(Reminder.Kind.EXPERIMENT_DAY, at or EXPERIMENT_NUDGES[0][1], [], commitment.planned_for)
    kind = Reminder.kind_for(commitment.kind)
    if kind is not None:
        usual_time, usual_days = DEFAULT_SLOTS[kind]
        return Slot(kind, at or usual_time, days or usual_days)
    if (at is None and not days) or commitment.cadence not in CUSTOM_DAYS:
        return None
    return Slot(Reminder.Kind.CUSTOM, at or CUSTOM_TIME, days or CUSTOM_DAYS[commitment.cadence])


def commitment_reminders_start(*, commitment: Commitment, now: datetime) -> None:
    """A commitment became active. Resumed: the reminders its pause switched off come back on,
    and one the patient had switched off stays off. New: its reminder is made (``commitment_slot``)."""
    patient = commitment.patient
    existing = list(Reminder.objects.filter(commitment=commitment))
    if existing:
        held = [reminder for reminder in existing if reminder.held]
        for reminder in held:
            reminder.enabled, reminder.held = True, False
            _planned(reminder, zone_of=patient, now=now)
            reminder.updated_at = now
        Reminder.objects.bulk_update(held, ["enabled", "held", "next_fire_at", "updated_at", "version"])
        return
    slot = commitment_slot(commitment)
    if slot is None:
        return
    reminder = Reminder(
        patient=patient,
        kind=slot.kind,
        commitment=commitment,
        local_time=slot.local_time,
        weekdays=slot.weekdays,
        on_date=slot.on_date,
        created_at=now,
        updated_at=now,
    )
    _planned(reminder, zone_of=patient, now=now)
    reminder.enabled = reminder.next_fire_at is not None  # a planned day already past has nothing to fire
    reminder.save(force_insert=True)


def commitment_reminders_stop(*, commitment: Commitment, now: datetime) -> None:
    """A commitment was paused, finished, dropped or deleted: its reminders go quiet, each
    marked ``held`` so that resuming brings back exactly these."""
    Reminder.objects.filter(commitment=commitment, enabled=True).update(
        enabled=False, held=True, next_fire_at=None, updated_at=now, version=F("version") + 1
    )


def commitment_reminders_reschedule(*, commitment: Commitment, now: datetime) -> None:
    """An active commitment's days, time or planned day changed: its reminder moves with them
    (switched on or off as the patient left it), or is made if it had none."""
    slot = commitment_slot(commitment)
    reminders = list(Reminder.objects.filter(commitment=commitment))
    if not reminders:
        if slot is not None:
            commitment_reminders_start(commitment=commitment, now=now)
        return
    for reminder in reminders:
        if slot is None or reminder.kind != slot.kind:
            reminder.enabled = False  # nothing left to remind of (an experiment's day taken away)
        else:
            reminder.local_time, reminder.weekdays, reminder.on_date = slot.local_time, slot.weekdays, slot.on_date
        _planned(reminder, zone_of=commitment.patient, now=now)
        reminder.updated_at = now
    Reminder.objects.bulk_update(
        reminders, ["enabled", "local_time", "weekdays", "on_date", "next_fire_at", "updated_at", "version"]
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
