"""A flag: an entry whose words sound like crisis, or a patient's own request for a check-in.

A flag is kept in step with its entry by every save (``services.entry_screen``): the entry's
words that read as risk (``sentence``, encrypted like the entry), whether the patient shares
the entry, and ``cleared_at`` once the words no longer say it (edited away, or the entry
deleted, which erases ``sentence``). Safety imports neither journal nor care, so an entry is
named by its type and id, as the access log names one.

What a therapist sees of it is decided where the reads are (care): a flag of an entry only
while it is ``shared`` and the link shares entries; a check-in always, to every linked
therapist, because asking is the point of it. ``notified_at`` is never reset: the therapist
is told once per entry, however often it is saved.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.crypto import EncryptedTextField
from safety.risk import Kind


class Flag(models.Model):
    class Source(models.TextChoices):
        REFLECTION = "reflection", "A reflection"
        PRIDE = "pride_entry", "A pride entry"
        EXPERIMENT = "experiment", "An experiment"
        CHECK_IN = "check_in", "A request for a check-in"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=16, choices=Source.choices)
    #: The entry the flag is about, and its day or week as the access log names it
    #: (``{"date": ...}`` or ``{"week": ...}``); null and empty for a check-in.
    entry_id = models.UUIDField(null=True, blank=True)
    entry_when = models.JSONField(default=dict, blank=True)
    #: What the words sound like (safety.risk.Kind); blank for a check-in.
    kind = models.CharField(max_length=16, blank=True, default="", choices=[(kind.value, kind.value) for kind in Kind])
    #: The patient's sentence as written; null for a check-in and once cleared.
    sentence = EncryptedTextField(null=True, blank=True)
    #: Whether the patient shares the entry (a check-in: always).
    shared = models.BooleanField(default=True)
    #: When it (last) started to sound like this: a new sentence raises the flag again.
    raised_at = models.DateTimeField()
    #: The words no longer say it: edited away, or the entry deleted.
    cleared_at = models.DateTimeField(null=True, blank=True)
    #: The therapists were told (claimed before sending): once per entry, never reset.
    notified_at = models.DateTimeField(null=True, blank=True)
    seen_at = models.DateTimeField(null=True, blank=True)
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "entry_id"], condition=Q(entry_id__isnull=False), name="flag_one_per_entry"
            ),
            models.CheckConstraint(
                condition=Q(source="check_in", entry_id__isnull=True, kind="")
                | (~Q(source="check_in") & Q(entry_id__isnull=False) & ~Q(kind="")),
                name="flag_entry_or_check_in",
            ),
        ]
        indexes = [
            # The roster's question: which of these patients have a flag still open?
            models.Index(
                fields=["patient"], condition=Q(cleared_at__isnull=True, seen_at__isnull=True), name="flag_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} flag of {self.patient_id} at {self.raised_at:%Y-%m-%d %H:%M}"

    @property
    def is_check_in(self) -> bool:
        return self.source == Flag.Source.CHECK_IN

    @property
    def risk_kind(self) -> str | None:
        """What the words sound like, or None for a check-in (which has no words)."""
        return self.kind or None

    def entry_named(self) -> dict[str, str]:
        """The flagged entry as the access log names an entry (type, id, day or week)."""
        return {"type": self.source, "id": str(self.entry_id), **self.entry_when}

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None and self.seen_at is None


# Importable for drf-spectacular's ENUM_NAME_OVERRIDES (it cannot reach nested classes).
FLAG_SOURCE_CHOICES = Flag.Source.choices
RISK_KIND_CHOICES = [(kind.value, kind.value) for kind in Kind]
