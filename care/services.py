"""Writes of the therapist's workspace: recording a session, with the commitments its
transcript drafts. Refusals are domain errors (``core.exceptions``; no HTTP)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction

from accounts.models import User
from accounts.selectors import linked_care
from care.detection import drafts_detect, drafts_distinct
from care.models import Session
from care.transcripts import TranscriptWarning, transcript_check_length, transcript_parse, transcript_text
from core.exceptions import DomainError
from journal.dates import local_date
from journal.models import Commitment
from journal.services import commitment_create


@dataclass(frozen=True)
class RecordedSession:
    session: Session
    drafts: list[Commitment]
    warnings: tuple[TranscriptWarning, ...]


@transaction.atomic
def session_record(
    *,
    therapist: User,
    patient_id: uuid.UUID,
    held_on: date | None = None,
    notes: str = "",
    transcript: str | bytes | None = None,
    now: datetime,
) -> RecordedSession:
    """Record a session with a linked patient; a transcript drafts ``proposed`` commitments.

    One transaction: a transcript that cannot be read (``TranscriptError``) leaves no session
    and no draft behind. ``held_on`` defaults to today and may not be later than today
    where either of them is (they may be in different zones).
    """
    patient = linked_care(therapist=therapist, patient_id=patient_id).patient
    text = transcript_text(transcript) if transcript is not None else None
    if text is not None:
        transcript_check_length(text)
    today = max(local_date(now, therapist.zone), local_date(now, patient.zone))
    if held_on is None:
        held_on = local_date(now, therapist.zone)
    if held_on > today:
        raise DomainError("That day has not come yet.", code="future_date", attr="held_on")
    parsed = transcript_parse(text) if text is not None else None
    detected, repeated = drafts_distinct(drafts_detect(parsed)) if parsed else ([], [])
    warnings = sorted([*(parsed.warnings if parsed else ()), *repeated], key=lambda warning: warning.line)
    session = Session.objects.create(
        therapist=therapist,
        patient=patient,
        held_on=held_on,
        notes=notes or None,
        title=(parsed.title or None) if parsed else None,
        transcript=text or None,  # as read: a BOM dropped, bytes decoded
        turns=len(parsed.turns) if parsed else 0,
        warnings=[{"line": w.line, "code": w.code, "detail": w.detail} for w in warnings],
        created_at=now,
    )
    drafts = [
        commitment_create(
            author=therapist,
            patient_id=patient.id,
            now=now,
            session_id=session.id,
            status=Commitment.Status.PROPOSED,
            kind=draft.kind,
            title=draft.title,
            details=draft.details,
            cadence=draft.cadence,
            target_count=draft.target_count,
            evidence=draft.evidence,
        )
        for draft in detected
    ]
    return RecordedSession(session=session, drafts=drafts, warnings=tuple(warnings))
