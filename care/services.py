"""Writes of the therapist's workspace: recording a session, with the commitments its
transcript drafts. Refusals are domain errors (``core.exceptions``; no HTTP)."""

from __future__ import annotations

import json
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.crypto import salted_hmac

from accounts.models import CareLink, User
from accounts.selectors import linked_care
from care.detection import Draft, drafts_detect, drafts_distinct
from care.exceptions import SessionNotFound
from care.model_drafter import drafts_from_model
from care.models import Session
from care.selectors import session_drafts, session_owned
from care.transcripts import (
    Transcript,
    TranscriptWarning,
    transcript_check_length,
    transcript_lines,
    transcript_parse,
    transcript_text,
)
from core.exceptions import Conflict, DomainError
from journal.dates import local_date
from journal.models import Commitment
from journal.services import commitment_create, commitment_delete


@dataclass(frozen=True)
class RecordedSession:
    session: Session
    drafts: list[Commitment]
    warnings: tuple[TranscriptWarning, ...]
    #: True when an earlier request with the same ``Idempotency-Key`` recorded it: nothing new was made.
    replayed: bool = field(default=False)


class AlreadyRecorded(Conflict):
    """The patient has a session with this very transcript: recording it again would draft its
    practices twice. ``session`` is that session, for a page to link to."""

    def __init__(self, session: Session) -> None:
        day = session.held_on
        held = f"{day:%A} {day.day} {day:%B %Y}"
        super().__init__(
            f"This transcript was already recorded on {held}: open that session, or delete it first to record "
            "it again.",
            code="already_recorded",
            attr="transcript",
            existing_id=session.id,
        )
        self.session = session


def transcript_digest(text: str) -> str:
    """A digest of a transcript, keyed with the server's secret (a plain hash of health text could
    be confirmed by guessing), on its words alone: line endings, a BOM, blank lines, spaces at
    either end of a line or between words, and how an editor composed its accents (a Mac's
    decomposed "é") do not make another transcript."""
    lines = unicodedata.normalize("NFC", text.removeprefix("\ufeff")).splitlines()
    words = "\n".join(" ".join(line.split()) for line in lines if line.strip())
    return salted_hmac("care.transcript", words, algorithm="sha256").hexdigest()


def request_digest(**request: object) -> str:
    """A digest of what a recording request asked for: the same ``Idempotency-Key`` with another
    request is refused, not answered with the first one's session."""
    canonical = json.dumps(request, sort_keys=True, default=str, ensure_ascii=True)
    return salted_hmac("care.session_request", canonical, algorithm="sha256").hexdigest()


def _replay(therapist: User, key: str, digest: str) -> RecordedSession | None:
    """The session an earlier request with this key recorded, if any (``Conflict`` if that
    request asked for something else)."""
    earlier = Session.objects.filter(therapist=therapist, idempotency_key=key).first()
    if earlier is None:
        return None
    if earlier.request_digest != digest:
        raise Conflict(
            "This Idempotency-Key was used for another request; send a new key for a new session.",
            code="idempotency_key_reused",
        )
    warnings = tuple(TranscriptWarning(**warning) for warning in earlier.warnings)
    return RecordedSession(earlier, session_drafts(sessions=[earlier])[earlier.id], warnings, replayed=True)


def session_record(
    *,
    therapist: User,
    patient_id: uuid.UUID,
    held_on: date | None = None,
    notes: str = "",
    transcript: str | bytes | None = None,
    speaker_roles: Mapping[str, str] | None = None,
    idempotency_key: str | None = None,
    now: datetime,
) -> RecordedSession:
    """Record a session with a linked patient; a transcript drafts ``proposed`` commitments.

    One transaction: a transcript that cannot be read (``TranscriptError``) leaves no session
    and no draft behind. ``held_on`` defaults to today and may not be later than today
    where either of them is (they may be in different zones). ``speaker_roles`` says who is the
    therapist where the transcript names people (the parser proposes it when left out). The same
    transcript recorded again for the patient is refused (``AlreadyRecorded``). A request
    carrying an ``idempotency_key`` already used for the same request answers that session.
    """
    digest = None
    if idempotency_key is not None:
        digest = request_digest(
            patient=str(patient_id),
            held_on=held_on,
            notes=notes,
            speaker_roles=speaker_roles,
            transcript=transcript_digest(transcript_text(transcript)) if transcript is not None else None,
        )
        if (replayed := _replay(therapist, idempotency_key, digest)) is not None:
            return replayed
    drafted = _model_drafts(
        therapist=therapist,
        patient_id=patient_id,
        held_on=held_on,
        transcript=transcript,
        speaker_roles=speaker_roles,
        now=now,
    )
    try:
        with transaction.atomic():
            return _record(
                therapist=therapist,
                patient_id=patient_id,
                held_on=held_on,
                notes=notes,
                transcript=transcript,
                speaker_roles=speaker_roles,
                idempotency=(idempotency_key, digest) if idempotency_key is not None and digest else None,
                drafted=drafted,
                now=now,
            )
    except IntegrityError:
        # Two requests with one key at once: the other recorded it first.
        if idempotency_key is None or digest is None:
            raise
        replayed = _replay(therapist, idempotency_key, digest)
        if replayed is None:
            raise
        return replayed


def _record(
    *,
    therapist: User,
    patient_id: uuid.UUID,
    held_on: date | None,
    notes: str,
    transcript: str | bytes | None,
    speaker_roles: Mapping[str, str] | None,
    idempotency: tuple[str, str] | None,
    drafted: list[Draft] | None = None,
    now: datetime,
) -> RecordedSession:
    patient = linked_care(therapist=therapist, patient_id=patient_id).patient
    text = transcript_text(transcript) if transcript is not None else None
    if text is not None:
        transcript_check_length(text)
    held_on = _held_on(held_on, therapist=therapist, patient=patient, now=now)
    parsed = transcript_parse(text, speaker_roles=speaker_roles) if text is not None else None
    digest = transcript_digest(text) if text else ""
    if digest:
        _refuse_a_repeat(patient=patient, digest=digest)
    detected: list[Draft] = []
    repeated: list[TranscriptWarning] = []
    if parsed is not None:
        detected, repeated = drafts_distinct(drafted if drafted is not None else drafts_detect(parsed, held_on=held_on))
    warnings = sorted([*(parsed.warnings if parsed else ()), *repeated], key=lambda warning: warning.line)
    session = Session.objects.create(
        therapist=therapist,
        patient=patient,
        held_on=held_on,
        notes=notes or None,
        title=(parsed.title or None) if parsed else None,
        transcript=text or None,  # as read: a BOM dropped, bytes decoded
        speaker_roles=_roles(parsed),
        transcript_digest=digest,
        idempotency_key=idempotency[0] if idempotency else "",
        request_digest=idempotency[1] if idempotency else "",
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
            weekdays=list(draft.weekdays),
            remind_at=draft.remind_at,
            planned_for=draft.planned_for,
            evidence=draft.evidence,
        )
        for draft in detected
    ]
    return RecordedSession(session=session, drafts=drafts, warnings=tuple(warnings))


def _refuse_a_repeat(*, patient: User, digest: str) -> None:
    earlier = Session.objects.filter(patient=patient, transcript_digest=digest).order_by("created_at").first()
    if earlier is not None:
        raise AlreadyRecorded(earlier)


def transcript_check_new(*, therapist: User, patient_id: uuid.UUID, transcript: str | bytes) -> None:
    """Refuse (``AlreadyRecorded``) a transcript the patient already has a session with, before
    any question about it: a therapist is not asked who is who in a transcript that will not be
    recorded. ``session_record`` checks it again in its transaction."""
    patient = linked_care(therapist=therapist, patient_id=patient_id).patient
    text = transcript_text(transcript)
    if text:
        _refuse_a_repeat(patient=patient, digest=transcript_digest(text))


def _model_drafts(
    *,
    therapist: User,
    patient_id: uuid.UUID,
    held_on: date | None,
    transcript: str | bytes | None,
    speaker_roles: Mapping[str, str] | None,
    now: datetime,
) -> list[Draft] | None:
    """The clinic's language model's drafts (``care.model_drafter``), when the operator set one
    up; None otherwise, or when it fails, and the built-in drafter drafts.

    Asked before the recording's transaction opens, so a model that takes seconds holds no
    database transaction; and only for a transcript that will be recorded (a linked patient, a
    transcript that reads, not one recorded already), so nothing is sent for a request refused.
    The transaction checks all of it again."""
    if transcript is None or not settings.TRANSCRIPT_DRAFTER_URL:
        return None
    patient = linked_care(therapist=therapist, patient_id=patient_id).patient
    text = transcript_text(transcript)
    transcript_check_length(text)
    if Session.objects.filter(patient=patient, transcript_digest=transcript_digest(text)).exists():
        return None
    parsed = transcript_parse(text, speaker_roles=speaker_roles)
    return drafts_from_model(parsed, held_on=held_on or local_date(now, therapist.zone))


def _roles(parsed: Transcript | None) -> str | None:
    """Who was who, as the session keeps it (encrypted: the names are the people's)."""
    if parsed is None:
        return None
    return json.dumps({name: str(role) for name, role in parsed.speaker_roles.items()}, ensure_ascii=False)


def _held_on(held_on: date | None, *, therapist: User, patient: User, now: datetime) -> date:
    """The session's day: today in the therapist's zone by default, never later than today where
    either of them is (they may be in different zones)."""
    today = max(local_date(now, therapist.zone), local_date(now, patient.zone))
    if held_on is None:
        held_on = local_date(now, therapist.zone)
    if held_on > today:
        raise DomainError("That day has not come yet.", code="future_date", attr="held_on")
    return held_on


@transaction.atomic
def session_update(
    *, therapist: User, session_id: uuid.UUID, now: datetime, held_on: date | None = None, notes: str | None = None
) -> Session:
    """Change a session's day or notes; its transcript and drafts stay as recorded."""
    session = session_owned(therapist=therapist, session_id=session_id, lock=True)
    if held_on is not None:
        session.held_on = _held_on(held_on, therapist=therapist, patient=session.patient, now=now)
    if notes is not None:
        session.notes = notes or None
    session.save(update_fields=["held_on", "notes"])
    return session


@transaction.atomic
def session_delete(*, therapist: User, session_id: uuid.UUID, now: datetime) -> int:
    """Delete a session and the drafts still waiting on it; the practices confirmed from it stay
    (they are the patient's now, with their evidence). Answers how many drafts went."""
    session = session_owned(therapist=therapist, session_id=session_id, lock=True)
    waiting = [
        draft for draft in session_drafts(sessions=[session])[session.id] if draft.status == Commitment.Status.PROPOSED
    ]
    for draft in waiting:
        commitment_delete(commitment=draft, by=therapist, now=now)
    session.delete()
    return len(waiting)


#: The most transcript lines a practice added by hand may quote.
QUOTE_MAX_LINES = 40


def session_quote(session: Session, first: int, last: int | None = None) -> str:
    """What was said on lines ``first`` to ``last`` of the session's transcript, turn by turn, as
    a drafted practice's evidence quotes it (``Therapist (line 205): ...``, which
    ``detection.evidence_line`` reads): the words verbatim, without what a caption or export file
    holds around them (cue numbers, timings, voice tags)."""
    lines = transcript_lines(session.transcript or "")
    last = first if last is None else last
    if not 1 <= first <= last <= len(lines):
        raise DomainError(
            f"The transcript has lines 1 to {len(lines)}." if lines else "This session has no transcript.",
            code="invalid_lines",
            attr="first_line",
        )
    if last - first >= QUOTE_MAX_LINES:
        raise DomainError(f"Quote at most {QUOTE_MAX_LINES} lines.", code="invalid_lines", attr="last_line")
    roles = json.loads(session.speaker_roles) if session.speaker_roles else None
    quoted = []
    for turn in transcript_parse(session.transcript or "", speaker_roles=roles).turns:
        starts = turn.starts or ((0, turn.line),)
        inside = [offset for offset, line in starts if first <= line <= last]
        if not inside:
            continue
        end = next((offset for offset, line in starts if line > last), len(turn.text))
        line = turn.line_at(inside[0])
        quoted.append(f"{turn.speaker.value.capitalize()} (line {line}): {turn.text[inside[0] : end].strip()}")
    if not quoted:
        raise DomainError(f"No one speaks on lines {first} to {last}.", code="invalid_lines", attr="first_line")
    return "\n".join(quoted)


@transaction.atomic
def practice_add(
    *,
    therapist: User,
    patient_id: uuid.UUID,
    now: datetime,
    session_id: uuid.UUID | None = None,
    lines: tuple[int, int | None] | None = None,
    **fields: object,
) -> Commitment:
    """A practice the therapist adds by hand (the drafter missed it, or it was agreed outside a
    transcript): active at once, since the therapist and the patient agreed it; optionally quoting
    lines of one of their sessions with the patient as its evidence."""
    evidence = None
    if session_id is not None:
        session = session_owned(therapist=therapist, session_id=session_id)
        if session.patient_id != patient_id:
            raise SessionNotFound()
        evidence = session_quote(session, *lines) if lines else None
    return commitment_create(
        author=therapist,
        patient_id=patient_id,
        now=now,
        session_id=session_id,
        status=Commitment.Status.ACTIVE,
        evidence=evidence,
        **fields,
    )


#: How far ahead a next session may be set: further is more likely a slip of the year than a plan.
NEXT_SESSION_MAX_AHEAD = timedelta(days=366)


def next_session_set(*, therapist: User, patient_id: uuid.UUID, at: datetime | None, now: datetime) -> CareLink:
    """Set (or, with ``at`` None, clear) when the therapist meets the patient next, on their
    active link (``NotLinked`` otherwise, as for any read). A moment already past is refused:
    the brief would call itself "for" a session that has happened. Setting the same moment
    again, or clearing twice, changes nothing: a retried request is harmless."""
    with transaction.atomic():
        link = linked_care(therapist=therapist, patient_id=patient_id)
        if at is not None and at <= now:
            raise DomainError(
                "That time has already passed: choose when you meet next.", code="next_session_in_past", attr="at"
            )
        if at is not None and at > now + NEXT_SESSION_MAX_AHEAD:
            raise DomainError("That is more than a year ahead: check the year.", code="next_session_too_far", attr="at")
        # Only this column: the patient may change the link's sharing at the same moment.
        CareLink.objects.filter(pk=link.pk).update(next_session_at=at)
        link.next_session_at = at
        return link
