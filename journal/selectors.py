"""Reads of the journal that several views share: sync pages and the patient's records."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from accounts.models import User
from journal.models import Commitment, Experiment, PrideEntry, Reflection, SyncCounter
from journal.serializers import SYNC_SERIALIZERS

#: What sync calls each kind of record, oldest app concept first.
SYNC_MODELS: dict[str, type] = {
    "commitment": Commitment,
    "reflection": Reflection,
    "pride_entry": PrideEntry,
    "experiment": Experiment,
}
#: The export's name for each kind.
EXPORT_SECTIONS = {
    "commitment": "commitments",
    "reflection": "reflections",
    "pride_entry": "pride_entries",
    "experiment": "experiments",
}
PAGE_LIMIT = 500


@dataclass
class SyncPage:
    changes: list[tuple[str, Any]]  # (type, record), in seq order
    cursor: int
    has_more: bool


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, seq = text.split(":")
        if prefix != "v1" or not seq.isdigit():
            raise ValueError
        return int(seq)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise ValidationError(
            {"cursor": ValidationError("Not a cursor this server gave out.", code="invalid_cursor")}
        ) from None


def sync_page(*, patient: User, after: int, limit: int = PAGE_LIMIT) -> SyncPage:
    """Every change to the patient's records after ``after``, oldest first, at most ``limit``.

    ``high`` is read first: the counter row is only written in the transaction that writes
    the records, so every seq up to the committed ``high`` belongs to a committed row, and
    nothing below ``high`` can still appear later. A row that changed again after ``high``
    was read has moved above it and comes in the next page.
    """
    high = SyncCounter.objects.filter(patient=patient).values_list("last_seq", flat=True).first() or 0
    rows: list[tuple[int, str, Any]] = []
    for name, model in SYNC_MODELS.items():
        queryset = model.objects.filter(patient=patient, seq__gt=after, seq__lte=high).order_by("seq")
        if model is PrideEntry:
            queryset = queryset.select_related("commitment")
        rows.extend((record.seq, name, record) for record in queryset[: limit + 1])
    rows.sort(key=lambda row: row[0])
    page = rows[:limit]
    has_more = len(rows) > limit
    cursor = page[-1][0] if has_more else max(high, after)
    return SyncPage(changes=[(name, record) for _, name, record in page], cursor=cursor, has_more=has_more)


def journal_export(user: User) -> dict:
    """Every living journal record of a patient, as the API shows it (empty for a therapist)."""
    sections = {}
    for name, model in SYNC_MODELS.items():
        records = model.objects.filter(patient=user, deleted_at__isnull=True).order_by("created_at")
        if model is PrideEntry:
            records = records.select_related("commitment")
        sections[EXPORT_SECTIONS[name]] = SYNC_SERIALIZERS[name](records, many=True).data
    return sections
