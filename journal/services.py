"""Writes of the journal: commitments and the three practices.

Every write runs in one transaction that locks the patient's ``SyncCounter`` row and takes
the next ``seq`` from it (see journal/models.py for why). Every function takes ``now``:
the patient's local day and week are computed from it, in the patient's zone at that moment,
and stored on the entry, so a patient who later travels keeps their past where it was.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from encrypted_fields.fields import EncryptedTextField

from accounts.models import User
from backend.errors import Conflict
from journal import signals
from journal.dates import iso_week, local_date
from journal.models import Commitment, Experiment, PrideEntry, Reflection, SyncCounter

Status = Commitment.Status

#: Which status may follow which. done and dropped are endings: a new start is a new commitment.
TRANSITIONS: dict[str, set[str]] = {
    Status.PROPOSED: {Status.ACTIVE, Status.DROPPED},
    Status.ACTIVE: {Status.PAUSED, Status.DONE, Status.DROPPED},
    Status.PAUSED: {Status.ACTIVE, Status.DONE, Status.DROPPED},
    Status.DONE: set(),
    Status.DROPPED: set(),
}
INITIAL_STATUSES = {Status.PROPOSED, Status.ACTIVE}

DEFAULT_CADENCE = {
    Commitment.Kind.REFLECTION_DAILY: Commitment.Cadence.DAILY,
    Commitment.Kind.PRIDE_WEEKLY: Commitment.Cadence.WEEKLY,
    Commitment.Kind.EXPERIMENT: Commitment.Cadence.ONCE,
}


def next_seq(*, patient_id: Any) -> int:
    """The patient's next sync sequence number; the row stays locked until the transaction ends."""
    SyncCounter.objects.bulk_create([SyncCounter(patient_id=patient_id)], ignore_conflicts=True)
    counter = SyncCounter.objects.select_for_update().get(patient_id=patient_id)
    counter.last_seq += 1
    counter.save(update_fields=["last_seq"])
    return counter.last_seq


def _stamp(record: models.Model, *, created: bool) -> None:
    record.seq = next_seq(patient_id=record.patient_id)
    if not created:
        record.version += 1


# --- Commitments ---------------------------------------------------------------------------


@transaction.atomic
def commitment_create(*, patient: User, created_by: User, now: datetime, **fields: Any) -> Commitment:
    status = fields.setdefault("status", Status.ACTIVE)
    if status not in INITIAL_STATUSES:
        raise ValidationError(
            {"status": ValidationError("A commitment starts proposed or active.", code="invalid_status")}
        )
    kind = fields["kind"]
    if not fields.get("cadence"):
        if kind not in DEFAULT_CADENCE:
            raise ValidationError({"cadence": ValidationError("Say how often.", code="required")})
        fields["cadence"] = DEFAULT_CADENCE[kind]
    if not fields.get("target_count"):
        fields["target_count"] = 3 if kind == Commitment.Kind.PRIDE_WEEKLY else 1
    commitment = Commitment(patient=patient, created_by=created_by, **fields)
    _check_dates(commitment)
    _stamp(commitment, created=True)
    commitment.save()
    if commitment.status == Status.ACTIVE:
        signals.commitment_activated.send(sender=Commitment, commitment=commitment, now=now)
    return commitment


@transaction.atomic
def commitment_update(*, commitment: Commitment, now: datetime, **fields: Any) -> Commitment:
    old_status = commitment.status
    new_status = fields.get("status", old_status)
    if new_status != old_status and new_status not in TRANSITIONS[old_status]:
        raise ValidationError(
            {
                "status": ValidationError(
                    f"A {old_status} commitment cannot become {new_status}.", code="invalid_transition"
                )
            }
        )
    for name, value in fields.items():
        setattr(commitment, name, value)
    _check_dates(commitment)
    _stamp(commitment, created=False)
    commitment.save()
    if new_status == Status.ACTIVE and old_status != Status.ACTIVE:
        signals.commitment_activated.send(sender=Commitment, commitment=commitment, now=now)
    return commitment


def commitment_confirm(*, commitment: Commitment, now: datetime) -> Commitment:
    if commitment.status != Status.PROPOSED:
        raise ValidationError(
            {"status": ValidationError("Only a proposed commitment can be confirmed.", code="not_proposed")}
        )
    return commitment_update(commitment=commitment, now=now, status=Status.ACTIVE)


def _check_dates(commitment: Commitment) -> None:
    if commitment.starts_on and commitment.ends_on and commitment.ends_on < commitment.starts_on:
        raise ValidationError({"ends_on": ValidationError("It ends before it starts.", code="ends_before_start")})


# --- Entries -------------------------------------------------------------------------------

#: For each kind of entry: the field that allows one entry per patient, if any.
SLOT_FIELD = {Reflection: "date", PrideEntry: "week", Experiment: None}


def _slot_defaults(model: type, fields: dict[str, Any], *, patient: User, now: datetime, created: bool) -> None:
    today = local_date(now, patient.zone)
    if model is Reflection:
        if created:
            fields.setdefault("date", today)
        if "date" in fields and fields["date"] > today:
            raise ValidationError({"date": ValidationError("That day has not come yet.", code="future_date")})
    elif model is PrideEntry:
        if created:
            fields.setdefault("week", iso_week(today))
        if "week" in fields and fields["week"] > iso_week(today):
            raise ValidationError({"week": ValidationError("That week has not come yet.", code="future_week")})
        if "items" in fields:
            fields["item_count"] = len(fields["items"])
    elif model is Experiment and created:
        fields["date"] = today


def _raise_if_taken(model: type, record: models.Model) -> None:
    slot = SLOT_FIELD[model]
    if slot is None:
        return
    existing = (
        model.objects.filter(patient_id=record.patient_id, deleted_at__isnull=True, **{slot: getattr(record, slot)})
        .exclude(pk=record.pk)
        .values_list("id", flat=True)
        .first()
    )
    if existing is not None:
        raise Conflict(
            detail=f"There is already an entry for {getattr(record, slot)}: {existing}.",
            code="already_exists",
            attr=slot,
            existing_id=str(existing),
        )


@transaction.atomic
def entry_create(*, model: type, patient: User, now: datetime, id: Any = None, **fields: Any):
    _slot_defaults(model, fields, patient=patient, now=now, created=True)
    record = model(patient=patient, **fields)
    if id is not None:
        record.id = id
    _raise_if_taken(model, record)
    _stamp(record, created=True)
    try:
        with transaction.atomic():
            record.save(force_insert=True)
    except IntegrityError:
        # Another device wrote the same day or week, or the same client id, a moment ago.
        _raise_if_taken(model, record)
        if model.objects.filter(pk=record.pk).exists():
            raise Conflict(
                detail="This id is already taken.", code="already_exists", attr="id", existing_id=str(record.pk)
            ) from None
        raise
    return record


@transaction.atomic
def entry_update(*, record: models.Model, now: datetime, **fields: Any):
    model = type(record)
    _slot_defaults(model, fields, patient=record.patient, now=now, created=False)
    for name, value in fields.items():
        setattr(record, name, value)
    _raise_if_taken(model, record)
    _stamp(record, created=False)
    record.save()
    return record


@transaction.atomic
def record_delete(*, record: models.Model, now: datetime) -> None:
    """Leave a tombstone: sync must tell other devices the record is gone."""
    if record.deleted_at is not None:
        return
    record.deleted_at = now
    # What the patient deleted is gone: the tombstone keeps no text.
    erased = [field.name for field in record._meta.concrete_fields if isinstance(field, EncryptedTextField)]
    for name in erased:
        setattr(record, name, None)
    _stamp(record, created=False)
    record.save(update_fields=["deleted_at", "seq", "version", "updated_at", *erased])
