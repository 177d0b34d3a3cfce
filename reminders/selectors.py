"""Reads of the reminders app that its views, admin and dispatcher share.

Every queryset starts from the user asking: a patient's reminders, settings and deliveries,
a user's devices. An id from a URL only narrows what that user already owns, so another
user's object is simply not there (a 404, never a 403).
"""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from reminders.models import Delivery, Device, Reminder, ReminderSettings

#: Where reminders go when a patient has never chosen: push to their devices.
DEFAULT_CHANNELS: tuple[str, ...] = (ReminderSettings.Channel.PUSH,)


def reminders_of(*, patient: User) -> QuerySet[Reminder]:
    return Reminder.objects.filter(patient=patient)


def settings_of(*, patient: User) -> ReminderSettings:
    """The patient's settings, or, if they never saved any, the defaults, unsaved.

    The defaults are version 0 with no ``updated_at``: a client that read them and writes with
    ``If-Match: "0"`` creates the first version, and learns (412) if another device did first.
    """
    stored = ReminderSettings.objects.filter(patient=patient).first()
    if stored is not None:
        return stored
    defaults = ReminderSettings(patient=patient, channels=list(DEFAULT_CHANNELS), version=0)
    defaults.updated_at = None  # type: ignore[assignment]  # never saved: answered as null, never stored
    return defaults


def devices_of(*, user: User) -> QuerySet[Device]:
    return Device.objects.filter(user=user)


def deliveries_of(*, patient: User) -> QuerySet[Delivery]:
    return Delivery.objects.filter(patient=patient)
