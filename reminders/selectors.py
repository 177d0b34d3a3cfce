"""Reads of the reminders app that its views, admin and dispatcher share.

Every queryset starts from the user asking: a patient's reminders, settings and deliveries,
a user's devices. An id from a URL only narrows what that user already owns, so another
user's object is simply not there (a 404, never a 403).
"""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from reminders.models import Delivery, Device, Reminder, ReminderSettings


def reminders_of(*, patient: User) -> QuerySet[Reminder]:
    return Reminder.objects.filter(patient=patient)


def settings_of(*, patient: User) -> ReminderSettings:
    """The patient's settings, or, if they never saved any, the defaults (``ReminderSettings.defaults``)."""
    stored = ReminderSettings.objects.filter(patient=patient).first()
    return stored if stored is not None else ReminderSettings.defaults()


def devices_of(*, user: User) -> QuerySet[Device]:
    return Device.objects.filter(user=user)


def deliveries_of(*, patient: User) -> QuerySet[Delivery]:
    return Delivery.objects.filter(patient=patient)
