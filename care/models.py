"""The therapist's workspace: the sessions they hold, and the log of what they read.

A session's transcript and notes are health data written about the patient: encrypted at
rest like the journal, and erased with either person. The access log is the patient's: it
outlives the therapist who read (their name is kept as it was), and goes with the patient.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from core.crypto import EncryptedTextField

#: Largest transcript taken, in characters: a two-hour session is about 100,000. Every way in
#: holds a transcript to it (``care.services.session_record``): the API, the dashboard, a file imported.
TRANSCRIPT_MAX_LENGTH = 200_000
SESSION_NOTES_MAX_LENGTH = 10_000


class Session(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    held_on = models.DateField()
    notes = EncryptedTextField(null=True, blank=True)
    title = EncryptedTextField(null=True, blank=True)  # the transcript's "# Title" line
    transcript = EncryptedTextField(null=True, blank=True)  # as given; null when none was
    turns = models.PositiveIntegerField(default=0)
    #: Who was who in the transcript, as JSON ``{name: "therapist" | "patient"}``: given by the
    #: therapist or proposed by the parser. Encrypted: the names are the people's.
    speaker_roles = EncryptedTextField(null=True, blank=True)
    #: A keyed digest of the transcript as stored (``care.services.transcript_digest``): the same
    #: transcript recorded again for the patient is caught without comparing decrypted texts.
    transcript_digest = models.CharField(max_length=64, blank=True, default="")
    #: The ``Idempotency-Key`` the recording request carried, and a digest of that request: a
    #: retry with the same key answers this session; the same key with another request is refused.
    idempotency_key = models.CharField(max_length=255, blank=True, default="")
    request_digest = models.CharField(max_length=64, blank=True, default="")
    #: What the parser skipped: ``[{line, code, detail}]``, line numbers and codes only (no text).
    warnings = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["patient", "-held_on"], name="session_patient_held_on"),
            models.Index(fields=["patient", "transcript_digest"], name="session_patient_transcript"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["therapist", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="session_idempotency_key",
            ),
        ]

    def __str__(self) -> str:
        return f"session {self.held_on} of {self.patient_id}"


class AccessLog(models.Model):
    """One therapist's reads of one kind of one patient's data on one of the patient's days:
    ``count`` of them, the first at ``first_at`` and the last at ``at``. Each read updates the
    row in the read's own transaction (``care.access``).

    One row a day, not one a read: a therapist who opens the roster ten times a day would
    otherwise fill the patient's log with ten lines per visit, and the log is there to be read.
    The day is the patient's (in their own zone): the log is theirs.
    """

    class What(models.TextChoices):
        ROSTER = "roster", "This week and the last four, in the roster"
        PATIENT = "patient", "Profile and commitments"
        COMMITMENTS = "commitments", "Commitments"
        PROGRESS = "progress", "Progress, week by week"
        ENTRIES = "entries", "Shared entries"
        BRIEF = "brief", "Pre-session brief"
        SESSIONS = "sessions", "Sessions"
        FLAG_SEEN = "flag_seen", "Marked a request or a worrying entry seen"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The patient keeps knowing who read, even after that therapist erased their account.
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    therapist_name = models.CharField(max_length=100)
    what = models.CharField(max_length=16, choices=What.choices)
    day = models.DateField()  # in the patient's zone when they were read
    count = models.PositiveIntegerField(default=1)
    first_at = models.DateTimeField()
    at = models.DateTimeField()  # the last read's
    # The shared entries whose words the day's reads showed, as the patient's log names them: each
    # one's type, id and day or week (``care.access.Read``), never its words; each once, in the
    # order they were first shown.
    entries = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [models.Index(fields=["patient", "-at", "-id"], name="access_log_patient_at")]
        constraints = [
            # What a read upserts on (``care.access``). An erased therapist's rows (null) never
            # conflict, and need not: they read no more.
            models.UniqueConstraint(fields=["patient", "therapist", "what", "day"], name="access_log_one_a_day"),
            models.CheckConstraint(condition=models.Q(count__gte=1), name="access_log_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.what} of {self.patient_id} read {self.count}x on {self.day}, last at {self.at:%Y-%m-%d %H:%M}"


# Importable for drf-spectacular's ENUM_NAME_OVERRIDES (it cannot reach nested classes).
ACCESS_LOG_WHAT_CHOICES = AccessLog.What.choices
