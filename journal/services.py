"""Writes of the journal: commitments and the three practices.

Every write runs in one transaction that locks the patient's ``SyncCounter`` row and takes
the next ``seq`` from it (see journal/models.py for why). Every function takes ``now``:
the patient's local day and week are computed from it, in the patient's zone at that moment,
and stored on the entry, so a patient who later travels keeps their past where it was.
``created_at`` and ``updated_at`` are ``now`` too.

Refusals are the domain's errors (``core.exceptions`` and journal/exceptions.py), each with
the field it is about; none of them knows it may end up as an HTTP answer.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, TypeVar

from django.db import IntegrityError, transaction

from accounts.models import User
from accounts.selectors import linked_patient
from core.concurrency import IfMatch, check_version
from core.crypto import EncryptedTextField
from core.exceptions import DomainError, StaleVersion
from journal import selectors, signals
from journal.dates import local_date
from journal.exceptions import IdTaken, NotYours, PatientRequired, RecordNotFound, SlotTaken
from journal.kinds import KINDS
from journal.models import Commitment, Entry, JournalRecord, SyncCounter
from safety.models import Flag
from safety.services import entry_screen

E = TypeVar("E", bound=Entry)
#: The type each entry's flag names it by: sync's and the access log's names for it.
_FLAG_SOURCE = {kind.model: Flag.Source(kind.name) for kind in KINDS if issubclass(kind.model, Entry)}


def next_seq(*, patient_id: uuid.UUID) -> int:
    """The patient's next sync sequence number; the row stays locked until the transaction ends."""
    SyncCounter.objects.bulk_create([SyncCounter(patient_id=patient_id)], ignore_conflicts=True)
    counter = SyncCounter.objects.select_for_update().get(patient_id=patient_id)
    counter.last_seq += 1
    counter.save(update_fields=["last_seq"])
    return counter.last_seq


def _stamp(record: JournalRecord, *, now: datetime, created: bool) -> None:
    record.seq = next_seq(patient_id=record.patient_id)
    record.updated_at = now
    if created:
        record.created_at = now
    else:
        record.version += 1


# --- Commitments ---------------------------------------------------------------------------


def commitment_patient_for(*, author: User, patient_id: uuid.UUID | None) -> User:
    """Whose commitment ``author`` may create: a patient their own, a therapist a linked patient's."""
    if author.is_therapist:
        if patient_id is None:
            raise PatientRequired()
        return linked_patient(therapist=author, patient_id=patient_id)
    if patient_id not in (None, author.id):
        raise NotYours()
    return author


@transaction.atomic
def commitment_create(*, author: User, patient_id: uuid.UUID | None = None, now: datetime, **fields: Any) -> Commitment:
    patient = commitment_patient_for(author=author, patient_id=patient_id)
    commitment = Commitment(patient=patient, created_by=author, **fields)
    commitment.check_start()
    commitment.fill_defaults(given=fields)
    commitment.check_dates()
    commitment.check_schedule()
    _stamp(commitment, now=now, created=True)
    commitment.save(force_insert=True)
    if commitment.status == Commitment.Status.ACTIVE:
        signals.commitment_activated.send(sender=Commitment, commitment=commitment, now=now)
    return commitment


@transaction.atomic
def commitment_update(*, commitment: Commitment, by: User, now: datetime, **fields: Any) -> Commitment:
    """``by`` may already see the commitment (``commitments_visible_to``); here: may they change it."""
    commitment.check_changer(by.id)
    old_status = commitment.status
    commitment.check_transition(fields.get("status", old_status))
    if fields.get("kind", commitment.kind) != commitment.kind and commitment.status != Commitment.Status.PROPOSED:
        raise DomainError("A practice keeps its kind once it is confirmed.", code="kind_fixed", attr="kind")
    old_schedule = commitment.schedule
    for name, value in fields.items():
        setattr(commitment, name, value)
    commitment.check_dates()
    commitment.check_schedule()
    _stamp(commitment, now=now, created=False)
    commitment.save()
    if commitment.status == Commitment.Status.ACTIVE and old_status != Commitment.Status.ACTIVE:
        signals.commitment_activated.send(sender=Commitment, commitment=commitment, now=now)
    elif commitment.status == Commitment.Status.ACTIVE and commitment.schedule != old_schedule:
        signals.commitment_rescheduled.send(sender=Commitment, commitment=commitment, now=now)
    elif old_status == Commitment.Status.ACTIVE and commitment.status != Commitment.Status.ACTIVE:
        signals.commitment_deactivated.send(sender=Commitment, commitment=commitment, now=now)
    return commitment


def commitment_confirm(*, commitment: Commitment, by: User, now: datetime) -> Commitment:
    commitment.check_changer(by.id)
    if commitment.status != Commitment.Status.PROPOSED:
        raise DomainError("Only a proposed commitment can be confirmed.", code="not_proposed", attr="status")
    return commitment_update(commitment=commitment, by=by, now=now, status=Commitment.Status.ACTIVE)


@transaction.atomic
def commitment_delete(*, commitment: Commitment, by: User, now: datetime) -> None:
    commitment.check_changer(by.id)
    was_active = commitment.status == Commitment.Status.ACTIVE and commitment.deleted_at is None
    record_delete(record=commitment, now=now)
    if was_active:
        signals.commitment_deactivated.send(sender=Commitment, commitment=commitment, now=now)


# --- Entries -------------------------------------------------------------------------------


def _raise_if_taken(entry: Entry) -> None:
    if entry.slot_field is None:
        return
    slot = getattr(entry, entry.slot_field)
    existing = (
        type(entry)
        .objects.filter(patient_id=entry.patient_id, deleted_at__isnull=True, **{entry.slot_field: slot})
        .exclude(pk=entry.pk)
        .values_list("id", flat=True)
        .first()
    )
    if existing is not None:
        raise SlotTaken(attr=entry.slot_field, slot=slot, existing_id=existing)


@transaction.atomic
def entry_create(*, model: type[E], patient: User, now: datetime, id: uuid.UUID | None = None, **fields: Any) -> E:
    selectors.commitment_check_linkable(patient=patient, commitment=fields.get("commitment"))
    entry = model(patient=patient, **fields)
    if id is not None:
        entry.id = id
    entry.settle(today=local_date(now, patient.zone), changed=fields, created=True)
    # The counter's row lock first: the patient's writers queue there, so the slot check that
    # follows cannot race another device's write of the same day or week.
    _stamp(entry, now=now, created=True)
    _raise_if_taken(entry)
    try:
        with transaction.atomic():
            entry.save(force_insert=True)
    except IntegrityError:
        # Another device wrote the same day or week, or the same client id, a moment ago.
        _raise_if_taken(entry)
        if model.objects.filter(pk=entry.pk).exists():
            raise IdTaken(existing_id=entry.pk) from None
        raise
    _screen(entry, now=now)
    signals.record_saved.send(sender=model, record=entry, now=now)
    return entry


@transaction.atomic
def entry_update(*, entry: E, now: datetime, **fields: Any) -> E:
    # Only a value that changes is checked against today: a full PUT that repeats its date
    # is not moving it, even for a traveller for whom that day has not come yet.
    changed = {name for name, value in fields.items() if getattr(entry, name) != value}
    if "commitment" in changed:
        selectors.commitment_check_linkable(patient=entry.patient, commitment=fields["commitment"])
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.settle(today=local_date(now, entry.patient.zone), changed=changed, created=False)
    _stamp(entry, now=now, created=False)  # the lock first, as in entry_create
    _raise_if_taken(entry)
    entry.save()
    _screen(entry, now=now)
    signals.record_saved.send(sender=type(entry), record=entry, now=now)
    return entry


def _screen(entry: Entry, *, now: datetime) -> None:
    """Read what the entry now says for risk (safety keeps its flag in step), and keep the answer
    on it for the write's response. A deleted entry says nothing: its flag clears."""
    entry.risk = entry_screen(
        patient_id=entry.patient_id,
        source=_FLAG_SOURCE[type(entry)],
        entry_id=entry.id,
        when=entry.when(),
        words=[] if entry.deleted_at is not None else entry.written(),
        shared=entry.shared,
        now=now,
    )


@transaction.atomic
def entry_put(
    *, model: type[E], patient: User, entry_id: uuid.UUID, now: datetime, if_match: IfMatch | None, **fields: Any
) -> tuple[E, bool]:
    """Create the entry under a client-chosen id, or update the patient's entry with that id.

    Updating changes only the ``fields`` given, as ``entry_update`` does for a ``PATCH``: the
    serializer fills in no defaults, so a field the client left out keeps its value.

    Answers ``(entry, created)``. An id held by another patient's record, or by a deleted
    one, is ``RecordNotFound``: a phone that retries a write made offline either creates the
    entry or finds its own.
    """
    existing = model.objects.select_for_update().filter(pk=entry_id).first()
    if existing is None:
        if if_match is not None:
            raise StaleVersion()  # the writer expected a version of something that is not there
        try:
            return entry_create(model=model, patient=patient, now=now, id=entry_id, **fields), True
        except IdTaken:
            # The same PUT, retried while the first was still running, created it meanwhile.
            existing = model.objects.select_for_update().filter(pk=entry_id).first()
            if existing is None:
                raise
    if existing.patient_id != patient.id or existing.deleted_at is not None:
        raise RecordNotFound()
    check_version(if_match, existing.version)
    existing.patient = patient  # the same row as patient_id: entry_update needs its zone, not a query
    return entry_update(entry=existing, now=now, **fields), False


@transaction.atomic
def record_delete(*, record: JournalRecord, now: datetime) -> None:
    """Leave a tombstone: sync must tell other devices the record is gone."""
    if record.deleted_at is not None:
        return
    record.deleted_at = now
    # What the patient deleted is gone: the tombstone keeps no text.
    erased = [field.name for field in record._meta.concrete_fields if isinstance(field, EncryptedTextField)]
    for name in erased:
        setattr(record, name, None)
    _stamp(record, now=now, created=False)
    record.save(update_fields=["deleted_at", "seq", "version", "updated_at", *erased])
    if isinstance(record, Entry):
        _screen(record, now=now)
    signals.record_saved.send(sender=type(record), record=record, now=now)
