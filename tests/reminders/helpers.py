"""Reminders for the tests, made the way the API makes them (next_fire_at planned from ``now``)."""

from __future__ import annotations

from datetime import datetime, time

from accounts.models import User
from reminders.models import EVERY_DAY, Reminder
from reminders.schedule import next_fire


def z(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def a_reminder(
    patient: User, *, at: str, now: datetime, kind: str = Reminder.Kind.REFLECTION_DAILY, weekdays=EVERY_DAY, **extra
) -> Reminder:
    local_time = time.fromisoformat(at)
    return Reminder.objects.create(
        patient=patient,
        kind=kind,
        local_time=local_time,
        weekdays=list(weekdays),
        next_fire_at=next_fire(local_time, weekdays, patient.zone, now, on_date=extra.get("on_date")),
        created_at=now,
        updated_at=now,
        **extra,
    )
