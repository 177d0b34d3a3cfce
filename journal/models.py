"""What the patient agreed to practise, and what they wrote.

Every record carries ``seq``: its place in the patient's sync sequence, taken from the
patient's ``SyncCounter`` row while that row is locked in the writing transaction. Writers
for one patient therefore commit in ``seq`` order, and a client that syncs "everything after
seq N" can never miss a change that committed while it was reading.

Free text is encrypted at rest (django-fernet-encrypted-fields, keys from
``FIELD_ENCRYPTION_KEYS``). The library stores an empty string as NULL, so text fields are
nullable and the API shows NULL as "".
"""

from __future__ import annotations

import json
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from backend.crypto import EncryptedTextField

DEFAULT_KIND_WORDS = "You're doing your best, and that's enough."


class EncryptedListField(EncryptedTextField):
    """A list of strings, stored as one encrypted JSON document.

    It encrypts and decrypts by itself rather than through the text field's chain, which
    would turn the list into its Python repr on the way in.
    """

    def get_prep_value(self, value):
        if value is None:
            return None
        return self.f.encrypt(json.dumps(list(value)).encode()).decode()

    def from_db_value(self, value, expression, connection):
        text = super().from_db_value(value, expression, connection)  # decrypts, or raises
        return None if text is None else json.loads(text)

    def to_python(self, value):
        if value is None or isinstance(value, list):
            return value
        return json.loads(value)


class SyncCounter(models.Model):
    """The last sync sequence number given out for one patient; locked by every write."""

    patient = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    last_seq = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"sync counter of {self.patient_id} at {self.last_seq}"


class JournalRecord(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveBigIntegerField()
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Commitment(JournalRecord):
    class Kind(models.TextChoices):
        REFLECTION_DAILY = "reflection_daily", "A few minutes a day noticing effort"
        PRIDE_WEEKLY = "pride_weekly", "Three things I'm proud of each week"
        EXPERIMENT = "experiment", "One small imperfect action"
        CUSTOM = "custom", "Something else"

    class Cadence(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"
        ONCE = "once", "Once"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    # The session lives in care/, above journal: kept as a bare id, not a foreign key.
    session_id = models.UUIDField(null=True, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = EncryptedTextField(null=True)  # null only on a tombstone
    details = EncryptedTextField(null=True, blank=True)
    cadence = models.CharField(max_length=10, choices=Cadence.choices)
    target_count = models.PositiveSmallIntegerField(default=1)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    evidence = EncryptedTextField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["patient", "seq"], name="commitment_patient_seq")]
        constraints = [
            models.CheckConstraint(condition=Q(target_count__gte=1), name="commitment_target_positive"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="commitment_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} commitment {self.id}"


class Entry(JournalRecord):
    shared = models.BooleanField(default=True)
    commitment = models.ForeignKey(Commitment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        abstract = True


class Reflection(Entry):
    """A few minutes noticing effort, on one local day."""

    date = models.DateField()
    effort = EncryptedTextField(null=True)  # null only on a tombstone
    kind_words = EncryptedTextField(null=True, blank=True)
    mood = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["patient", "seq"], name="reflection_patient_seq"),
            models.Index(fields=["patient", "date"], name="reflection_patient_date"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "date"], condition=Q(deleted_at__isnull=True), name="reflection_one_per_day"
            ),
            models.CheckConstraint(
                condition=Q(mood__isnull=True) | Q(mood__gte=1, mood__lte=5), name="reflection_mood_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"reflection {self.date}"


class PrideEntry(Entry):
    """Things the patient is proud of, for one ISO week (``YYYY-Www``)."""

    week = models.CharField(max_length=8)
    items = EncryptedListField(null=True)  # null only on a tombstone
    # How many items, in the clear: progress counts them without decrypting anything.
    item_count = models.PositiveSmallIntegerField()
    note = EncryptedTextField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "pride entries"
        indexes = [
            models.Index(fields=["patient", "seq"], name="pride_patient_seq"),
            models.Index(fields=["patient", "week"], name="pride_patient_week"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "week"], condition=Q(deleted_at__isnull=True), name="pride_one_per_week"
            ),
            models.CheckConstraint(condition=Q(item_count__gte=1, item_count__lte=10), name="pride_1_to_10_items"),
        ]

    def __str__(self) -> str:
        return f"pride {self.week}"


class Experiment(Entry):
    """One small imperfect action. Trying counts, whatever happened."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        TRIED = "tried", "Tried"
        SKIPPED = "skipped", "Skipped"

    title = EncryptedTextField(null=True)  # null only on a tombstone
    planned_for = models.DateField(null=True, blank=True)
    # The local day it was written; with planned_for, places it in a week for progress.
    date = models.DateField()
    worry = EncryptedTextField(null=True, blank=True)
    outcome = EncryptedTextField(null=True, blank=True)
    learned = EncryptedTextField(null=True, blank=True)
    kind_words = EncryptedTextField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)

    class Meta:
        indexes = [
            models.Index(fields=["patient", "seq"], name="experiment_patient_seq"),
            models.Index(fields=["patient", "date"], name="experiment_patient_date"),
        ]

    def __str__(self) -> str:
        return f"experiment {self.id}"


# Importable names for drf-spectacular's ENUM_NAME_OVERRIDES (it cannot reach nested classes).
COMMITMENT_STATUS_CHOICES = Commitment.Status.choices
EXPERIMENT_STATUS_CHOICES = Experiment.Status.choices
