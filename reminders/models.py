"""Reminders: when to nudge a patient, how they want to be reached, and what was owed and sent.

The database, not the broker, is the record of what is owed. ``Reminder.next_fire_at`` is
the next slot in UTC (the dispatcher polls a partial index on it); a ``Delivery`` row is
written for each slot before anything is sent, unique on (reminder, slot), so a second
dispatcher, a retried task or a restarted worker finds the slot already taken.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.crypto import EncryptedTextField
from journal.models import Commitment
from reminders.schedule import next_fire

#: ISO weekdays, 1 = Monday.
EVERY_DAY = [1, 2, 3, 4, 5, 6, 7]
#: A slot older than this is not sent any more, by the dispatcher or a late send: ``missed``.
LATEST_SEND = timedelta(hours=2)
#: Where reminders go when a patient has never chosen: push to their devices.
DEFAULT_CHANNELS: tuple[str, ...] = ("push",)
#: A user holds at most this many devices (a phone, a tablet, a browser or two): registering
#: one more forgets the one registered longest ago, so one reminder costs at most this many pushes.
MAX_DEVICES = 5


class Reminder(models.Model):
    class Kind(models.TextChoices):
        REFLECTION_DAILY = "reflection_daily", "Daily reflection"
        PRIDE_WEEKLY = "pride_weekly", "Weekly pride entry"
        EXPERIMENT_DAY = "experiment_day", "The morning of a planned experiment"
        EXPERIMENT_FOLLOW_UP = "experiment_follow_up", "The evening after a planned experiment"
        CUSTOM = "custom", "Custom"

    #: The kinds a patient sets up themself; the experiment nudges follow the experiment.
    PATIENT_KINDS: ClassVar[set[str]] = {Kind.REFLECTION_DAILY, Kind.PRIDE_WEEKLY, Kind.CUSTOM}
    #: The journal practice (``Commitment.Kind``) a reminder of each kind nudges towards: the one
    #: home of the pairing. Activating such a commitment gives it a reminder of the paired kind
    #: (reminders/plans.py), and the dispatcher skips a slot whose practice is already done. A
    #: custom reminder has no practice to check; an experiment's nudges follow their experiment.
    PRACTICE_OF: ClassVar[dict[str, str]] = {
        Kind.REFLECTION_DAILY: Commitment.Kind.REFLECTION_DAILY,
        Kind.PRIDE_WEEKLY: Commitment.Kind.PRIDE_WEEKLY,
    }

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    commitment = models.ForeignKey(
        "journal.Commitment", null=True, blank=True, on_delete=models.SET_NULL, related_name="reminders"
    )
    experiment = models.ForeignKey(
        "journal.Experiment", null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    local_time = models.TimeField()
    weekdays = models.JSONField(default=list)  # ISO weekdays, sorted, unique
    #: A one-off reminder fires once, on this local day (the experiment nudges).
    on_date = models.DateField(null=True, blank=True)
    enabled = models.BooleanField(default=True)
    #: Switched off because its commitment was paused, not by the patient: resuming the
    #: commitment switches back on exactly these, so one the patient had switched off stays off.
    held = models.BooleanField(default=False)
    next_fire_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["local_time", "id"]
        indexes = [
            # Exactly the rows that can be due: a dispatcher pass is one range scan of it.
            models.Index(
                fields=["next_fire_at"],
                condition=Q(enabled=True, next_fire_at__isnull=False),
                name="reminder_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} at {self.local_time:%H:%M}"

    @property
    def weekday_tuple(self) -> tuple[int, ...]:
        return tuple(self.weekdays)

    def next_slot(self, zone: ZoneInfo, *, after: datetime) -> datetime | None:
        """The first slot after ``after`` (UTC), or None when disabled or when no slot is left
        (a one-off reminder whose day has passed). Every caller plans through this."""
        if not self.enabled:
            return None
        return next_fire(self.local_time, self.weekday_tuple, zone, after, on_date=self.on_date)

    @classmethod
    def kind_for(cls, commitment_kind: str) -> str | None:
        """The kind of reminder that nudges towards a commitment of ``commitment_kind``, if any."""
        return next((kind for kind, practice in cls.PRACTICE_OF.items() if practice == commitment_kind), None)

    @property
    def experiment_settled(self) -> bool:
        """An experiment's nudges stop once it is settled (``Experiment.settled``)."""
        experiment = self.experiment
        return experiment is not None and experiment.settled


class ReminderSettings(models.Model):
    class Channel(models.TextChoices):
        PUSH = "push", "Push"
        EMAIL = "email", "E-mail"

    patient = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="reminder_settings"
    )
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    paused_until = models.DateField(null=True, blank=True)
    channels = models.JSONField(default=list)
    updated_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = "reminder settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(quiet_start__isnull=True, quiet_end__isnull=True)
                | Q(quiet_start__isnull=False, quiet_end__isnull=False),
                name="quiet_hours_both_or_neither",
            )
        ]

    def __str__(self) -> str:
        return f"reminder settings of {self.patient_id}"

    @classmethod
    def defaults(cls) -> ReminderSettings:
        """What a patient who never saved settings has: unsaved, version 0, no ``updated_at``, and
        no patient (no reader of the defaults asks whose they are).

        A client that read them and writes with ``If-Match: "0"`` creates the first version,
        and learns (412) if another device did first.
        """
        settings = cls(channels=list(DEFAULT_CHANNELS), version=0)
        settings.updated_at = None  # type: ignore[assignment]  # never saved: shown as null, never stored
        return settings

    @classmethod
    def of(cls, patient: models.Model) -> ReminderSettings:
        """The patient's settings (loaded with them by ``select_related``), else the defaults."""
        try:
            settings: ReminderSettings = patient.reminder_settings  # type: ignore[attr-defined]
            return settings
        except cls.DoesNotExist:
            return cls.defaults()

    def is_quiet(self, moment: time) -> bool:
        """Is this local time inside quiet hours? ``22:00``-``07:00`` spans midnight. A start equal
        to the end (which the API refuses, but an older row could hold) is quiet at no time."""
        if self.quiet_start is None or self.quiet_end is None:
            return False
        if self.quiet_start <= self.quiet_end:
            return self.quiet_start <= moment < self.quiet_end
        return moment >= self.quiet_start or moment < self.quiet_end

    def is_paused(self, day: date) -> bool:
        return self.paused_until is not None and day <= self.paused_until


class Device(models.Model):
    class Platform(models.TextChoices):
        IOS = "ios", "iOS"
        ANDROID = "android", "Android"
        WEB = "web", "Web"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices")
    platform = models.CharField(max_length=8, choices=Platform.choices)
    #: An FCM/APNs registration token, or for ``web`` the Push API subscription as JSON, encrypted:
    #: with its keys anyone could push to the person's phone, and a subscription's ``auth`` and
    #: ``p256dh`` are what keep a push's words between us and their browser.
    token = EncryptedTextField()
    #: sha256 of the token: unique, so registering the same token again is the same device (a
    #: ciphertext differs at every write, so the lookup cannot be on the token itself).
    token_hash = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    last_registered_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.platform} device of {self.user_id}"


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        SKIPPED_DONE = "skipped_done", "Skipped: already practised"
        SKIPPED_PAUSED = "skipped_paused", "Skipped: reminders paused"
        SKIPPED_QUIET = "skipped_quiet", "Skipped: quiet hours"
        MISSED = "missed", "Missed: the server was down"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="deliveries")
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deliveries")
    slot_at = models.DateTimeField()
    #: The slot as the patient's clock showed it, e.g. ``2026-03-29T03:00:00+01:00``.
    local_slot = models.CharField(max_length=32)
    status = models.CharField(max_length=16, choices=Status.choices)
    channel = models.CharField(max_length=64, blank=True)
    #: Sends begun: counted just before a send goes out, so one a crash cut short counts too.
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    #: When a send task may next take it: the dispatch, a retry's turn, or the end of a lease.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    #: The send task run that holds it (``reminders.sending``) until ``enqueued_at``; none between runs.
    lease_owner = models.UUIDField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-slot_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["reminder", "slot_at"], name="one_delivery_per_slot")]
        indexes = [
            models.Index(fields=["patient", "-slot_at"], name="delivery_of_patient"),
            # Pending deliveries whose message may have been lost: the dispatcher re-enqueues them.
            models.Index(fields=["enqueued_at"], condition=Q(status="pending"), name="delivery_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.status} {self.reminder_id} at {self.slot_at:%Y-%m-%dT%H:%MZ}"

    @property
    def is_final(self) -> bool:
        return self.status != self.Status.PENDING

    def too_late(self, now: datetime) -> bool:
        """Is the slot past sending? After downtime a reminder hours late is noise, not care."""
        return now - self.slot_at > LATEST_SEND
